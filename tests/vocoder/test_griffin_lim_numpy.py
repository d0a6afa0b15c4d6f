"""Griffin-Lim in numpy (``vocoder.griffin_lim_numpy``) against the torch version: the same
mel filterbank as torchaudio, STFT/ISTFT as torch's, and nearly the same waveform."""

import numpy as np
import pytest
import torch
import torchaudio

from core.features import FeatureConfig, FeatureExtractor
from vocoder.griffin_lim import GriffinLim
from vocoder.griffin_lim_numpy import NumpyGriffinLim, istft, mel_filterbank, stft


def test_filterbank_and_transforms_are_torchs():
    c = FeatureConfig()
    fb = torchaudio.functional.melscale_fbanks(
        c.n_fft // 2 + 1, c.fmin, c.fmax, c.n_mels, c.sample_rate, norm="slaney", mel_scale="slaney"
    ).numpy()
    assert np.abs(mel_filterbank(c.sample_rate, c.n_fft, c.n_mels, c.fmin, c.fmax) - fb).max() < 1e-6
    x = np.random.default_rng(0).standard_normal(5000).astype(np.float32)
    window = torch.hann_window(1024)
    want = torch.stft(torch.from_numpy(x), 1024, 256, 1024, window, return_complex=True)
    got = stft(x, 1024, 256, window.numpy())
    assert got.shape == want.shape and np.abs(got - want.numpy()).max() < 1e-3
    back = torch.istft(want, 1024, 256, 1024, window, length=5000).numpy()
    assert np.abs(istft(got, 1024, 256, window.numpy(), 5000) - back).max() < 1e-5


def snr_db(reference, other):
    return 10 * np.log10(np.sum(reference**2) / np.sum((reference - other) ** 2))


@pytest.mark.parametrize("backend", ["numpy", "scipy"])
def test_waveform_matches_the_torch_griffin_lim(sine, backend, monkeypatch):
    """The same algorithm: after 2 iterations the two agree to 60 dB; at the default 16, the
    momentum (0.99) has grown float rounding into a different but as good phase: their
    log-mels differ by under a fifth of what either differs from the input."""
    import scipy.fft

    import vocoder.griffin_lim_numpy as G

    monkeypatch.setattr(G, "fft_module", lambda frames=0: np.fft if backend == "numpy" else scipy.fft)
    c = FeatureConfig()
    fx = FeatureExtractor(c)
    wave = sine(220.0, 1.0) + sine(660.0, 1.0, amp=0.2)
    mel = fx.mel(wave)
    early = GriffinLim(c, n_iter=2)(mel).numpy(), NumpyGriffinLim(c, n_iter=2)(mel.numpy())
    assert snr_db(*early) > 60
    want = GriffinLim(c)(mel).numpy()
    got = NumpyGriffinLim(c)(mel.numpy())
    assert got.dtype == np.float32 and got.shape == want.shape
    mel_want, mel_got = fx.mel(want).numpy(), fx.mel(got).numpy()
    n = min(mel_want.shape[1], mel.shape[1])
    error = np.abs(mel_want[:, :n] - mel.numpy()[:, :n]).mean()
    assert np.abs(mel_got - mel_want).mean() < 0.2 * error
    short = NumpyGriffinLim(c)(mel.numpy()[:, :3])  # fewer frames than the STFT's padding needs
    assert short.shape == (3 * c.hop_length,)


def test_scipys_fft_takes_over_once_a_long_text_repays_its_import(monkeypatch):
    import sys

    import vocoder.griffin_lim_numpy as G

    monkeypatch.setattr(G, "_frames_seen", 0)
    monkeypatch.delitem(sys.modules, "scipy.fft", raising=False)
    assert G.fft_module(300) is np.fft
    assert G.fft_module(G.SCIPY_FFT_FRAMES) is not np.fft  # past the break-even
