"""The duration-informed Tacotron2: length regulation, training pass, synthesis, control."""

import dataclasses

import pytest
import torch

from tts.models import build_acoustic
from tts.models.duration_tacotron import DurationConfig, DurationTacotron2, regulate_length

SMALL = dict(
    n_symbols=40,
    n_mels=16,
    symbol_dim=32,
    encoder_dim=32,
    parallel_dim=32,
    parallel_layers=2,
    postnet_dim=16,
    postnet_convs=3,
    variance_filters=16,
    prenet_dim=16,
    decoder_rnn_dim=32,
    encoder_dropout=0.0,
    postnet_dropout=0.0,
    variance_dropout=0.0,
    decoder_dropout=0.0,
)


def model(decoder="parallel", **kw):
    torch.manual_seed(0)
    return build_acoustic(DurationConfig(**{**SMALL, "decoder": decoder, **kw})).eval()


def test_regulate_length_repeats_symbols_and_marks_positions():
    memory = torch.arange(6, dtype=torch.float32).view(1, 3, 2)
    r = regulate_length(memory, torch.tensor([[2, 0, 3]]))
    assert r["index"].tolist() == [[0, 0, 2, 2, 2]]
    assert r["upsampled"][0, :, 0].tolist() == [0, 0, 4, 4, 4]
    assert r["lengths"].tolist() == [5]
    assert torch.allclose(r["position"][0, :, 0], torch.tensor([0.25, 0.75, 1 / 6, 0.5, 5 / 6]))
    padded = regulate_length(memory.expand(2, 3, 2), torch.tensor([[2, 0, 3], [1, 1, 0]]))
    assert padded["mask"].tolist() == [[True] * 5, [True, True, False, False, False]]
    assert (padded["upsampled"][1, 2:] == 0).all()


def test_the_model_is_picked_by_kind_or_by_an_earlier_configs_decoder():
    from tts.models.migrate import saved_config

    # a config saved when every model shared one dict: the decoder names the model, and the
    # other model's sizes are dropped
    earlier = {**SMALL, "decoder": "attention", "reduction": 2, "parallel_dim": 8, "pitch_level": False}
    assert type(build_acoustic(saved_config(earlier))).__name__ == "Tacotron2"
    earlier = {**SMALL, "decoder": "autoregressive", "attention_rnn_dim": 8, "max_decoder_steps": 9}
    assert saved_config(earlier) == DurationConfig(**{**SMALL, "decoder": "autoregressive"})
    assert isinstance(model("parallel"), DurationTacotron2)
    with pytest.raises(ValueError, match="unknown acoustic model"):
        saved_config({"kind": "diffusion"})
    with pytest.raises(ValueError, match="reduction must be 1"):
        DurationConfig(decoder="parallel", reduction=2)
    with pytest.raises(ValueError, match="unknown decoder"):
        DurationConfig(decoder="diffusion")


@pytest.mark.parametrize("decoder", ["parallel", "autoregressive"])
def test_training_pass_shapes(decoder):
    m = model(decoder).train()
    symbols = torch.randint(1, 40, (2, 7))
    lengths = torch.tensor([7, 5])
    durations = torch.tensor([[3, 0, 2, 4, 1, 2, 3], [2, 2, 2, 2, 2, 0, 0]])
    mels = torch.randn(2, 16, 15)
    out = m(symbols, lengths, mels, durations.sum(1), None, torch.randn(2, 15), torch.randn(2, 15), durations)
    assert out.mel.shape == out.mel_post.shape == (2, 16, 15)
    assert out.pitch_pred.shape == (2, 15) and out.extra["log_durations"].shape == (2, 7)
    assert (out.mel[1, :, 10:] == 0).all()  # padded frames stay zero
    out.mel_post.sum().backward()


def test_variance_projections_start_at_zero_so_text_dominates():
    """At initialization pitch and energy add nothing; once their projections learn, they do."""
    m = model()
    symbols, lengths, durations = (
        torch.randint(1, 40, (1, 5)),
        torch.tensor([5]),
        torch.tensor([[2, 3, 1, 2, 2]]),
    )
    run = lambda pitch: (
        m(
            symbols,
            lengths,
            torch.zeros(1, 16, 10),
            torch.tensor([10]),
            None,
            pitch,
            torch.zeros(1, 10),
            durations,
        ).mel
    )
    assert torch.equal(run(torch.zeros(1, 10)), run(torch.full((1, 10), 3.0)))
    assert not torch.allclose(model(zero_init_variance=False).pitch_embedding.proj.weight, torch.tensor(0.0))
    with torch.no_grad():
        m.pitch_embedding.proj.weight.fill_(0.1)
    assert not torch.allclose(run(torch.zeros(1, 10)), run(torch.full((1, 10), 3.0)))


def test_pitch_level_is_apart_from_the_contour_and_does_not_train_the_encoder():
    """pitch_level: the predicted pitch is a zero-mean contour plus one level per utterance;
    an error in the level alone (a pitch the text cannot tell) moves no encoder weight."""
    m = model(pitch_level=True).train()
    with torch.no_grad():
        m.pitch_level.bias.fill_(0.7)
    symbols, lengths = torch.randint(1, 40, (2, 6)), torch.tensor([6, 4])
    durations = torch.tensor([[3, 1, 2, 4, 1, 2], [2, 2, 3, 2, 0, 0]])
    frames = durations.sum(1)
    out = m(
        symbols,
        lengths,
        torch.randn(2, 16, 13),
        frames,
        None,
        torch.randn(2, 13),
        torch.randn(2, 13),
        durations,
    )
    mask = torch.arange(13)[None, :] < frames[:, None]
    means = (out.pitch_pred * mask).sum(1) / frames
    assert (out.pitch_pred[1, 9:] == 0).all()
    ((means - 3.0) ** 2).sum().backward()  # the level's error only: grad 12 on the bias
    assert m.pitch_level.bias.grad.abs() > 0
    assert all(p.grad is None or p.grad.abs().max() < 1e-5 for p in m.encoder.parameters())
    assert all(p.grad is None or p.grad.abs().max() < 1e-5 for p in m.pitch_predictor.parameters())
    plain = model(pitch_level=False)
    assert plain.pitch_level is None and "pitch_level.weight" not in plain.state_dict()


def test_pitch_bins_add_one_vector_per_pitch_and_nothing_at_first():
    m = model(pitch_bins=8, pitch_bin_range=4.0)
    symbols, lengths, durations = (
        torch.randint(1, 40, (1, 5)),
        torch.tensor([5]),
        torch.tensor([[2, 3, 1, 2, 2]]),
    )

    def run(pitch):
        return m(
            symbols,
            lengths,
            torch.zeros(1, 16, 10),
            torch.tensor([10]),
            None,
            pitch,
            torch.zeros(1, 10),
            durations,
        ).mel

    low, high = torch.full((1, 10), -4.0), torch.full((1, 10), 4.0)
    assert torch.equal(run(low), run(high))  # zero vectors and zero projections: text alone
    with torch.no_grad():
        m.pitch_bins.weight[7].fill_(0.5)  # the highest bin
    assert torch.equal(run(low), run(torch.full((1, 10), -3.0)))  # both still in bins 0-1, untouched
    assert not torch.allclose(run(low), run(high))
    fmask = torch.ones(1, 10)
    vectors = m._pitch_bin_vectors(torch.tensor([[-9.0, -4.0, 0.0, 3.9, 9.0] * 2]), fmask)
    assert (
        vectors.shape == (1, 32, 10)
        and (vectors[0, :, [3, 4]] == 0.5).all()
        and (vectors[0, :, :3] == 0).all()
    )


def test_harmonic_comb_moves_with_the_pitch_and_adds_nothing_at_first():
    from tts.models.variance import HarmonicComb

    comb = HarmonicComb(80, 8)
    f0 = torch.tensor([[150.0, 150.0 * 2 ** (4 / 12)]])  # and 4 semitones up
    spectrum = comb.spectrum(f0)  # (1, 2, 80)
    centres = torch.argmax(comb.filterbank, 0).float() * (22050 / 1024)  # each mel bin's centre, Hz

    def first_peak(row):  # the lowest local maximum above 60 Hz: the fundamental's bin
        for k in range(1, 79):
            if centres[k] > 60 and row[k] > row[k - 1] and row[k] >= row[k + 1]:
                return float(centres[k])

    low, high = first_peak(spectrum[0, 0]), first_peak(spectrum[0, 1])
    assert abs(low - 150) < 40 and abs(high - 189) < 40 and high > low
    assert torch.equal(comb(f0, torch.ones(1, 2)), torch.zeros(1, 2, 8))  # zero projection at first
    m = model(pitch_harmonics=True)
    plain = model()
    plain.load_state_dict({k: v for k, v in m.state_dict().items() if not k.startswith("harmonics.")})
    symbols, lengths, durations = (
        torch.randint(1, 40, (1, 5)),
        torch.tensor([5]),
        torch.tensor([[2, 3, 1, 2, 2]]),
    )
    args = (symbols, lengths, torch.zeros(1, 16, 10), torch.tensor([10]), None, torch.zeros(1, 10))
    m.eval(), plain.eval()
    assert torch.equal(
        m(*args, torch.zeros(1, 10), durations).mel, plain(*args, torch.zeros(1, 10), durations).mel
    )
    assert "harmonics.filterbank" not in m.state_dict()  # rebuilt at load, not stored


def test_infer_predicts_durations_and_applies_controls():
    m = model()
    with torch.no_grad():
        m.variance_stats.copy_(torch.tensor([5.0, 0.25, 0.0, 1.0]))
        m.duration_predictor.out.bias.fill_(2.0)  # about 6 frames a symbol
    symbols = torch.randint(1, 40, (2, 6))
    out = m.infer(symbols, torch.tensor([6, 4]))
    d = out.extra["durations"]
    assert out.lengths.tolist() == d.sum(1).tolist() and (d[1, 4:] == 0).all()
    assert out.mel_post.shape[2] == int(out.lengths.max()) and bool(out.stopped_by_gate.all())
    assert out.alignment.shape == (2, int(out.lengths.max()), 6)
    shifted = m.infer(symbols, torch.tensor([6, 4]), pitch_shift=12.0)
    # one octave in normalized log-F0 units: log(2) / std
    delta = (shifted.pitch - out.pitch)[0, : int(out.lengths[0])]
    assert torch.allclose(delta, torch.full_like(delta, torch.log(torch.tensor(2.0)) / 0.25), atol=1e-4)
    slow = m.infer(symbols, torch.tensor([6, 4]), pace=0.5)
    assert int(slow.lengths[0]) > int(out.lengths[0])


def test_autoregressive_step_loop_matches_the_fused_training_pass():
    """The per-frame loop at synthesis computes what the fused LSTM computes in training
    when fed the same previous frames (prenet dropout off)."""
    m = model("autoregressive", prenet_dropout=0.0)
    x = torch.randn(1, 9, 32)
    mask = torch.ones(1, 9, dtype=torch.bool)
    free = m.decoder(x, mask)
    forced = m.decoder(x, mask, free)
    assert torch.allclose(free, forced, atol=1e-5)


def test_config_round_trip_keeps_the_decoder():
    c = DurationConfig(**{**SMALL, "decoder": "autoregressive"})
    assert DurationConfig(**dataclasses.asdict(c)).decoder == "autoregressive"
