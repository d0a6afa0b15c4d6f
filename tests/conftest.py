"""Session fixtures shared by every test folder: tiny prepared corpora made in the test."""

import os
import shutil

if os.environ.get("PYTEST_XDIST_WORKER"):
    # one thread per test process (and the commands it starts): with -n 2 on two cores,
    # two-thread BLAS/OpenMP pools in each worker oversubscribe the CPU and slow every test
    os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pytest

from core.data.prepare import prepare

from .helpers import make_dataset


@pytest.fixture(scope="session")
def four_utterances(tmp_path_factory):
    """Two sentences × two voices far apart in pitch, all in the training split."""
    root = tmp_path_factory.mktemp("four")
    make_dataset(root / "data")
    prepare(root / "data", root / "feats", jobs=1, progress=False)
    return root / "feats"


@pytest.fixture(scope="session")
def with_validation(tmp_path_factory):
    """The same sentences, the second held out for validation."""
    root = tmp_path_factory.mktemp("withval")
    make_dataset(root / "data", splits=("train", "val"))
    prepare(root / "data", root / "feats", jobs=1, progress=False)
    return root / "feats"


@pytest.fixture(scope="session")
def sine():
    def make(freq, seconds=1.0, rate=22050, amp=0.5):
        t = np.arange(int(seconds * rate)) / rate
        return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)

    return make


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, for the pages driven with Playwright (install.sh --test installs it)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("Debian's chromium is not installed (install.sh --test installs it)")
    return path
