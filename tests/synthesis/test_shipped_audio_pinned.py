"""The shipped voices' audio is pinned to the sample: any change to the models, the
voice loader or the inference path that changes what a shipped voice says fails here.

The reference audio (tests/synthesis/pinned/*.npz, int16) was made from the repository
root with ``python tests/synthesis/test_shipped_audio_pinned.py --write``; rewrite it only
when a voice is meant to sound different (a retrained voice), never to make a refactor pass.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

PINNED = Path(__file__).parent / "pinned"
TEXTS = ["你好，欢迎使用。", "今天是2026年12月7日，天气很好。"]
CASES = [("baker-distilled", "torch"), ("baker-distilled", "onnx"), ("espeak-ng", "torch")]


def current_export(voice: str) -> bool:
    from synthesis import export_is_current
    from synthesis.catalogue import DEFAULT_EXPORT, VOICES_DIR

    return export_is_current(DEFAULT_EXPORT, VOICES_DIR / voice)


def render(voice: str, backend: str) -> list[np.ndarray]:
    """Each text through ``open_synthesizer`` with Griffin-Lim (deterministic), as int16, on
    one thread (the order of a kernel's sums depends on its thread count)."""
    import torch

    from synthesis import open_synthesizer
    from synthesis.catalogue import VOICES_DIR

    if backend == "onnx":
        tts = open_synthesizer(None, vocoder="griffin-lim", threads=1)
    else:
        tts = open_synthesizer(VOICES_DIR / voice, vocoder="griffin-lim", backend="torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return [np.round(np.clip(tts(t), -1, 1) * 32767).astype(np.int16) for t in TEXTS]
    finally:
        torch.set_num_threads(threads)


def render_apart(voice: str, backend: str, out: Path) -> dict:
    """``render`` in a fresh process on one thread: what ran before in this process (thread
    counts set by other tests, BLAS's state) cannot change the sums."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    r = subprocess.run(
        [sys.executable, __file__, "--render", voice, backend, str(out)],
        env=env,
        capture_output=True,
        timeout=300,
    )
    if r.returncode == 5:
        pytest.skip("no current ONNX export of the shipped voice (install.sh makes it)")
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    return dict(np.load(out))


@pytest.mark.parametrize("voice,backend", CASES)
def test_shipped_voice_audio_is_unchanged_to_the_sample(voice, backend, tmp_path):
    reference = np.load(PINNED / f"{voice}-{backend}.npz")
    got = render_apart(voice, backend, tmp_path / "audio.npz")
    for i, text in enumerate(TEXTS):
        audio, expected = got[f"t{i}"], reference[f"t{i}"]
        assert audio.shape == expected.shape, f"{text}: {audio.shape} samples, pinned {expected.shape}"
        # float kernels may differ by a rounding step across CPUs; a changed model differs by far more
        assert int(np.abs(audio.astype(np.int32) - expected).max()) <= 2, text


if __name__ == "__main__" and sys.argv[1:2] == ["--render"]:
    voice, backend, out = sys.argv[2:5]
    if backend == "onnx" and not current_export(voice):
        sys.exit(5)
    np.savez_compressed(out, **{f"t{i}": a for i, a in enumerate(render(voice, backend))})
elif __name__ == "__main__" and "--write" in sys.argv:
    PINNED.mkdir(exist_ok=True)
    for voice, backend in CASES:
        render_apart(voice, backend, PINNED / f"{voice}-{backend}.npz")
        print("wrote", voice, backend)
