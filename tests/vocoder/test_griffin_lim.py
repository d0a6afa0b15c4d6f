"""Griffin-Lim: the project's fast Griffin-Lim loop against torchaudio's, the initial
phases (random, zeros, SPSI) on real speech, and bad settings refused."""

import numpy as np
import pytest
import torch
import torchaudio

from core.features import FeatureExtractor
from vocoder.griffin_lim import GriffinLim, spsi_phase
from vocoder.training import spectral_distance


def test_random_init_is_torchaudios_griffin_lim(tiny_speech):
    mel = FeatureExtractor().mel(tiny_speech)
    ours = GriffinLim(n_iter=8, init="random", phase_power=1.0)
    magnitude = ours.inverse_mel(torch.exp(mel)).clamp_min(0)
    theirs = torchaudio.transforms.GriffinLim(
        n_fft=1024, n_iter=8, win_length=1024, hop_length=256, power=1.0
    )
    torch.manual_seed(3)
    a = ours(mel)
    torch.manual_seed(3)
    b = theirs(magnitude).clamp(-1, 1)
    torch.testing.assert_close(a[: b.shape[-1]], b, atol=1e-5, rtol=0)


@pytest.mark.parametrize("init", ["zeros", "spsi"])
def test_deterministic_inits_repeat_and_keep_the_spectrum(tiny_speech, init):
    x = FeatureExtractor()
    mel = x.mel(tiny_speech)
    gl = GriffinLim(n_iter=16, init=init, phase_power=1.0)
    torch.manual_seed(0)
    a = gl(mel)
    torch.manual_seed(1)
    assert torch.equal(a, gl(mel))  # no random draw
    assert spectral_distance(x, mel, a) < 0.5
    assert gl(torch.stack([mel, mel])).shape == (2, a.shape[-1])  # batched


def test_spsi_alone_starts_closer_than_a_random_phase(tiny_speech):
    """With no iteration at all, SPSI's phase already gives a better spectrum."""
    x = FeatureExtractor()
    mel = x.mel(tiny_speech)
    torch.manual_seed(0)
    random0 = spectral_distance(x, mel, GriffinLim(n_iter=0, init="random", phase_power=1.0)(mel))
    spsi0 = spectral_distance(x, mel, GriffinLim(n_iter=0, init="spsi", phase_power=1.0)(mel))
    assert spsi0 < random0


def test_spsi_phase_of_a_pure_tone_advances_by_its_frequency():
    n_fft, hop, sr, f = 1024, 256, 22050, 440.0
    t = np.arange(sr) / sr
    spec = (
        torch.stft(
            torch.tensor(np.sin(2 * np.pi * f * t), dtype=torch.float32),
            n_fft,
            hop,
            window=torch.hann_window(n_fft),
            return_complex=True,
        )
        .abs()
        .numpy()
    )
    phase = spsi_phase(spec, hop, n_fft)
    peak = int(np.argmax(spec[:, 10]))
    step = np.angle(np.exp(1j * (phase[peak, 11] - phase[peak, 10])))
    assert abs(step - np.angle(np.exp(1j * 2 * np.pi * f * hop / sr))) < 0.05


def test_default_searches_the_phase_on_sharpened_magnitudes_and_keeps_the_spectrum(tiny_speech):
    x = FeatureExtractor()
    mel = x.mel(tiny_speech)
    gl = GriffinLim()
    assert (gl.init, gl.power, gl.phase_power) == ("spsi", 1.0, 1.2)
    assert spectral_distance(x, mel, gl(mel)) < 0.5


@pytest.mark.parametrize(
    "kw", [dict(init="best"), dict(momentum=1.0), dict(n_iter=-1), dict(power=0), dict(phase_power=-1.0)]
)
def test_bad_settings_are_refused(kw):
    with pytest.raises(ValueError):
        GriffinLim(**kw)
