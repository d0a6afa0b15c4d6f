"""Tacotron2 pieces: shapes, masking, losses, alignment measures, phone-level averaging."""

import pytest
import torch

from core.pitch import semitones_to_pitch_shift
from tts.models.alignment import alignment_metrics
from tts.models.losses import LossWeights, guided_attention_loss, tacotron2_loss
from tts.models.tacotron2 import Tacotron2, Tacotron2Config
from tts.models.variance import phone_averages

TINY = dict(
    symbol_dim=32,
    encoder_dim=32,
    attention_rnn_dim=48,
    decoder_rnn_dim=48,
    prenet_dim=32,
    attention_dim=24,
    location_filters=4,
    location_kernel=7,
    postnet_dim=32,
    postnet_convs=3,
    variance_filters=16,
    n_mels=20,
    n_symbols=200,
)


def tiny(**kw):
    torch.manual_seed(0)
    return Tacotron2(Tacotron2Config(**{**TINY, **kw}))


def batch(b=3, n=12, t=24, n_mels=20):
    g = torch.Generator().manual_seed(1)
    symbols = torch.randint(1, 200, (b, n), generator=g)
    symbol_lengths = torch.tensor([n, n - 3, n - 6])[:b]
    for i, k in enumerate(symbol_lengths):
        symbols[i, k:] = 0
    mels = torch.randn(b, n_mels, t, generator=g)
    mel_lengths = torch.tensor([t, t - 6, t - 12])[:b]
    for i, k in enumerate(mel_lengths):
        mels[i, :, k:] = 0
    return symbols, symbol_lengths, mels, mel_lengths


@pytest.mark.parametrize("r", [1, 2, 3, 4])
def test_forward_shapes(r):
    model = tiny(reduction=r)
    symbols, sl, mels, ml = batch(t=24)
    out = model(symbols, sl, mels, ml)
    assert out.mel.shape == out.mel_post.shape == (3, 20, 24)
    assert out.gate.shape == (3, 24 // r) and out.alignment.shape == (3, 24 // r, 12)
    assert out.pitch.shape == out.energy.shape == out.pitch_pred.shape == (3, 12)
    torch.testing.assert_close(out.alignment.sum(-1), torch.ones(3, 24 // r))
    assert (out.alignment[1, :, 9:] == 0).all()  # no attention on padding


def test_speaker_embedding_changes_output_and_is_required():
    model = tiny(n_speakers=3).eval()
    symbols, sl, mels, ml = batch()
    a = model(symbols, sl, mels, ml, speakers=torch.tensor([0, 0, 0])).mel
    b = model(symbols, sl, mels, ml, speakers=torch.tensor([2, 2, 2])).mel
    assert not torch.allclose(a, b)
    with pytest.raises(ValueError, match="speaker"):
        model(symbols, sl, mels, ml)


def test_padding_does_not_change_results():
    """An utterance alone and in a padded batch gives the same outputs (eval mode)."""
    model = tiny(prenet_dropout_at_inference=False, reduction=2).eval()
    symbols, sl, mels, ml = batch()
    full = model(symbols, sl, mels, ml)
    n, t = int(sl[2]), int(ml[2])
    alone = model(symbols[2:, :n], sl[2:], mels[2:, :, :t], ml[2:])
    torch.testing.assert_close(full.mel_post[2, :, :t], alone.mel_post[0], atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(full.alignment[2, : t // 2, :n], alone.alignment[0], atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(full.pitch_pred[2, :n], alone.pitch_pred[0], atol=1e-5, rtol=1e-4)
    assert (full.mel_post[2, :, t:] == 0).all()


def test_given_pitch_and_energy_are_used():
    model = tiny().eval()
    symbols, sl, mels, ml = batch()
    zeros = torch.zeros(3, 12)
    a = model(symbols, sl, mels, ml, pitch=zeros, energy=zeros)
    b = model(symbols, sl, mels, ml, pitch=zeros + 2.0, energy=zeros)
    assert torch.equal(a.pitch, zeros * 0) and not torch.allclose(a.mel, b.mel)


def test_inference_stops_at_length_guard_and_reports_it():
    model = tiny(max_frames_per_symbol=2.0, reduction=2).eval()
    symbols, sl, _, _ = batch()
    model.decoder.gate.bias.data.fill_(-100.0)  # a gate that never fires
    out = model.infer(symbols, sl)
    assert out.lengths.tolist() == [2 * int(k) for k in sl]  # 2 frames per symbol, then stop
    assert not out.stopped_by_gate.any()
    assert out.mel_post.shape[0] == 3 and out.mel_post.shape[2] == int(out.lengths.max())
    assert out.reached_end.dtype == torch.bool


def test_pitch_shift_moves_the_pitch_fed_to_the_decoder():
    model = tiny().eval()
    model.set_stats(
        {
            "log_f0_mean": 5.0,
            "log_f0_std": 0.2,
            "energy_mean": 10.0,
            "energy_std": 2.0,
            "mel_mean": [0.0] * 20,
            "mel_std": [1.0] * 20,
        }
    )
    symbols, sl, _, _ = batch()
    base = model.infer(symbols, sl, max_steps=3)
    up = model.infer(symbols, sl, pitch_shift=12.0, max_steps=3)
    mask = torch.arange(12)[None] < sl[:, None]
    shift = (up.pitch - base.pitch)[mask]
    torch.testing.assert_close(shift, torch.full_like(shift, semitones_to_pitch_shift(12.0, 0.2)))
    louder = model.infer(symbols, sl, energy_scale=2.0, max_steps=3)
    # energy doubles in real units: (e*2 - mean)/std
    e = base.energy[mask] * 2.0 + 10.0
    torch.testing.assert_close(louder.energy[mask], (e * 2.0 - 10.0) / 2.0, atol=1e-4, rtol=1e-4)


def test_loss_terms():
    model = tiny(reduction=2)
    symbols, sl, mels, ml = batch()
    target = torch.zeros(3, 12)
    out = model(symbols, sl, mels, ml, pitch=target, energy=target)
    total, terms = tacotron2_loss(out, mels, ml, sl, 2, LossWeights(), target, target)
    assert set(terms) == {
        "mel_mse",
        "mel_l1",
        "post_mse",
        "post_l1",
        "gate",
        "pitch",
        "energy",
        "guided_attention",
    }
    assert all(v >= 0 for v in terms.values()) and torch.isfinite(total)
    # masked: changing the target inside padding changes nothing
    mels2 = mels.clone()
    mels2[2, :, int(ml[2]) :] = 100.0
    _, terms2 = tacotron2_loss(out, mels2, ml, sl, 2, LossWeights(), target, target)
    assert terms2["mel_mse"] == pytest.approx(terms["mel_mse"])
    _, off = tacotron2_loss(out, mels, ml, sl, 2, LossWeights(guided_attention=0.0), target, target)
    assert "guided_attention" not in off
    total.backward()
    assert all(p.grad is not None for n, p in model.named_parameters() if "speaker" not in n)


def test_guided_attention_loss_prefers_the_diagonal():
    s, n = 20, 10
    diagonal = torch.zeros(1, s, n)
    diagonal[0, torch.arange(s), torch.arange(s) * n // s] = 1.0
    stuck = torch.zeros(1, s, n)
    stuck[0, :, 0] = 1.0
    lengths_s, lengths_n = torch.tensor([s]), torch.tensor([n])
    good = guided_attention_loss(diagonal, lengths_n, lengths_s, 0.2)
    bad = guided_attention_loss(stuck, lengths_n, lengths_s, 0.2)
    assert good < 0.05 < 0.3 < bad


def test_alignment_metrics_on_known_alignments():
    s, n = 30, 10
    diagonal = torch.zeros(s, n)
    diagonal[torch.arange(s), torch.arange(s) * n // s] = 1.0
    m = alignment_metrics(diagonal)
    assert m["focus"] == 1.0 and m["monotonic"] == 1.0 and m["coverage"] == 1.0 and m["end"] == 1.0
    assert m["diagonal"] > 0.99
    uniform = alignment_metrics(torch.full((s, n), 1.0 / n))
    assert uniform["focus"] == pytest.approx(0.1) and uniform["coverage"] == 0.1
    backwards = alignment_metrics(diagonal.flip(0))
    assert backwards["diagonal"] < -0.99 and backwards["end"] == 0.0


def test_phone_averages():
    # 2 symbols, 4 steps of r=2 frames: steps 0-1 on symbol 0, steps 2-3 on symbol 1
    a = torch.tensor([[[1.0, 0], [1, 0], [0, 1], [0, 1]]])
    values = torch.tensor([[1.0, 3, 5, 7, 10, 20, 30, 40]])
    weight = torch.ones(1, 8)
    torch.testing.assert_close(phone_averages(a, values, weight, reduction=2), torch.tensor([[4.0, 25.0]]))
    voiced = torch.tensor([[1.0, 1, 0, 0, 0, 0, 0, 0]])  # symbol 1 unvoiced → fallback
    torch.testing.assert_close(
        phone_averages(a, values, voiced, 2, fallback=-1.0), torch.tensor([[2.0, -1.0]])
    )


def test_bad_config():
    with pytest.raises(ValueError, match="reduction"):
        Tacotron2Config(reduction=5)


def test_full_size_matches_published_sizes():
    c = Tacotron2Config()
    assert (c.symbol_dim, c.encoder_dim, c.attention_rnn_dim, c.decoder_rnn_dim, c.prenet_dim) == (
        512,
        512,
        1024,
        1024,
        256,
    )
    assert (c.attention_dim, c.location_filters, c.location_kernel, c.postnet_dim, c.postnet_convs) == (
        128,
        32,
        31,
        512,
        5,
    )
