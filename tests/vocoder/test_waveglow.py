"""WaveGlow: invertibility, the likelihood loss, the denoiser, Griffin-Lim, and a tiny
vocoder that learns one utterance (spectral distance measured before and after)."""

import numpy as np
import pytest
import torch

from core.features import FeatureConfig, FeatureExtractor
from vocoder.denoiser import Denoiser
from vocoder.griffin_lim import GriffinLim
from vocoder.training import spectral_distance
from vocoder.waveglow import WaveGlow, WaveGlowConfig, deepen, waveglow_loss

TINY = dict(
    n_mels=80,
    n_flows=4,
    n_group=8,
    n_early_every=2,
    n_early_size=2,
    wn_layers=2,
    wn_channels=16,
    upsample_kernel=512,
    cond_channels=32,
)


def tiny(**kw):
    torch.manual_seed(0)
    model = WaveGlow(WaveGlowConfig(**{**TINY, **kw}))
    for wn in model.wn:  # leave the identity start: a real test of the inverse
        torch.nn.init.normal_(wn.end.weight, std=0.05)
    return model


@pytest.mark.parametrize("kw", [{}, {"cond_channels": 0}, {"n_early_every": 3}])
def test_forward_then_reverse_returns_the_input(kw):
    model = tiny(**kw)
    mel, audio = torch.randn(2, 80, 12), torch.randn(2, 12 * 256) * 0.3
    z, log_s, log_det = model(mel, audio)
    assert z.shape == (2, 8, 12 * 256 // 8) and len(log_s) == len(log_det) == model.config.n_flows
    torch.testing.assert_close(model.reverse(mel, z), audio, atol=1e-5, rtol=1e-5)
    model.remove_weight_norm()
    torch.testing.assert_close(model.reverse(mel, z), audio, atol=1e-5, rtol=1e-5)


def test_log_determinant_matches_autograd_jacobian():
    """The flow's log-det (sum of log_s and log|det W|) equals log|det J| computed numerically."""
    model = tiny(n_flows=2, n_early_every=10).double()
    mel = torch.randn(1, 80, 1, dtype=torch.float64)
    audio = torch.randn(1, 16, dtype=torch.float64) * 0.3

    def flow(x):
        return model(mel, x[None])[0].reshape(-1)

    jac = torch.autograd.functional.jacobian(flow, audio[0])
    with torch.no_grad():
        _, log_s, log_det = model(mel, audio)
    ours = sum(s.sum() for s in log_s) + sum(log_det)
    assert float(ours) == pytest.approx(float(torch.linalg.slogdet(jac)[1]), abs=1e-6)


def test_batch_log_determinant_is_the_sum_over_its_items():
    """Issue 16: the 1x1 convolutions' log|det W| was counted once per batch instead of once
    per item, so in a batch of B the likelihood let W shrink z B times too cheaply (z came
    out far narrower than the prior, and sampling at sigma 0.6 saturated). The log-dets of
    a batch must add up to those of its items, and a batch of copies must have its item's loss."""
    model = tiny().eval()
    with torch.no_grad():
        for conv in model.convinv:  # trained weights are not orthogonal: log|det W| != 0
            conv.weight.mul_(1.3)
    mel, audio = torch.randn(3, 80, 4), torch.randn(3, 4 * 256) * 0.3
    _, log_s, log_det = model(mel, audio)
    batch = sum(s.sum() for s in log_s) + sum(log_det)
    items = 0.0
    for i in range(3):
        _, s_i, d_i = model(mel[i : i + 1], audio[i : i + 1])
        items = items + sum(s.sum() for s in s_i) + sum(d_i)
    torch.testing.assert_close(batch, items, atol=1e-3, rtol=1e-5)
    one = waveglow_loss(*model(mel[:1], audio[:1]))
    copies = waveglow_loss(*model(mel[:1].expand(4, -1, -1), audio[:1].expand(4, -1)))
    torch.testing.assert_close(copies, one, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("cond_channels", [32, 0])
def test_deepened_model_computes_the_same_flow_and_can_train_its_new_layers(cond_channels):
    model = tiny(cond_channels=cond_channels)
    grown = deepen(model, 4)
    assert grown.config.wn_layers == 4 and len(grown.wn[0].in_layers) == 4
    mel, audio = torch.randn(2, 80, 6), torch.randn(2, 6 * 256) * 0.3
    with torch.no_grad():
        (z, log_s, log_det), (z2, log_s2, log_det2) = model(mel, audio), grown(mel, audio)
    torch.testing.assert_close(z2, z, atol=1e-6, rtol=1e-6)
    torch.testing.assert_close(sum(s.sum() for s in log_s2), sum(s.sum() for s in log_s))
    torch.testing.assert_close(sum(log_det2), sum(log_det))
    waveglow_loss(*grown(mel, audio)).backward()
    new_gain = grown.wn[0].res_skip[3].parametrizations.weight.original0
    assert float(new_gain.detach().abs().max()) == 0.0 and float(new_gain.grad.abs().max()) > 0.0
    with pytest.raises(ValueError, match="more than the model's 2"):
        deepen(model, 2)


def test_loss_is_the_gaussian_negative_log_likelihood():
    z = torch.randn(2, 8, 100)
    log_s = [torch.full((2, 4, 100), 0.1)]
    log_det = [torch.tensor(3.0)]
    expected = ((z**2).sum() / 2 - 0.1 * 800 - 3.0) / z.numel()
    assert float(waveglow_loss(z, log_s, log_det)) == pytest.approx(float(expected), rel=1e-6)


def test_inference_length_and_sigma_zero_is_deterministic():
    model = tiny().eval()
    mel = torch.randn(1, 80, 10)
    a = model.infer(mel, sigma=0.0)
    assert a.shape == (1, 2560) and torch.equal(a, model.infer(mel, sigma=0.0))
    assert not torch.equal(model.infer(mel, sigma=0.6), model.infer(mel, sigma=0.6))


def test_denoiser_removes_the_bias_spectrum():
    model = tiny().eval()
    den = Denoiser(model)
    t = torch.arange(22050) / 22050
    tone = (0.3 * torch.sin(2 * np.pi * 440 * t))[None]
    assert den(tone, strength=0.0).shape == tone.shape
    torch.testing.assert_close(den(tone, strength=0.0), tone, atol=1e-4, rtol=1e-3)
    assert den(tone, strength=50.0).abs().mean() < tone.abs().mean()


def test_griffin_lim_keeps_the_spectrum(tiny_speech):
    audio = tiny_speech
    x = FeatureExtractor()
    mel = x.mel(audio)
    wave = GriffinLim(n_iter=32)(mel)
    assert wave.shape[-1] == mel.shape[1] * 256 and wave.abs().max() <= 1.0
    assert spectral_distance(x, mel, wave) < 0.5
    assert GriffinLim()(mel[:, :2]).shape[-1] == 512  # very short input works


def test_full_size_matches_published_size():
    c = WaveGlowConfig()
    assert (c.n_flows, c.n_group, c.n_early_every, c.n_early_size, c.wn_layers, c.wn_channels) == (
        12,
        8,
        4,
        2,
        8,
        256,
    )
    n = sum(p.numel() for p in WaveGlow(c).parameters())
    assert 87e6 < n < 89e6


def test_bad_config():
    with pytest.raises(ValueError):
        WaveGlowConfig(n_group=7)
    with pytest.raises(ValueError):
        WaveGlowConfig(n_group=4, n_early_size=2, n_early_every=1, n_flows=4)


def test_tiny_vocoder_learns_one_utterance(tiny_speech):
    """Spectral distance of copy-synthesis falls as a tiny WaveGlow trains on one clip."""
    torch.manual_seed(0)
    x = FeatureExtractor(FeatureConfig())
    audio = torch.from_numpy(tiny_speech[: 256 * 64])
    mel = x.mel(audio)
    model = WaveGlow(WaveGlowConfig(**TINY))
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)

    def distance():
        model.eval()
        torch.manual_seed(1)
        d = np.mean([spectral_distance(x, mel, model.infer(mel[None], sigma=0.6)[0]) for _ in range(2)])
        model.train()
        return d

    before = distance()
    segments = audio.unfold(0, 4096, 1024)  # (n, 4096) overlapping clips
    for step in range(250):
        i = step % segments.shape[0]
        seg = segments[i : i + 1]
        loss = waveglow_loss(*model(x.mel(seg[0])[None], seg))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
    after = distance()
    assert after < 0.8 * before, (before, after)
