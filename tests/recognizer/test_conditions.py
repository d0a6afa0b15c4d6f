"""Multi-condition training audio: each degradation does what it says on real signals, the
Griffin-Lim copies are made once and sound like their recordings, and a recognizer task
trains on several corpora with every condition switched on."""

import json

import numpy as np
import pytest
import soundfile as sf
import torch

from core.config import ConfigError, from_dict
from recognizer.conditions import (
    ConditionConfig,
    GriffinLimCopies,
    add_noise,
    band_limit,
    degrade,
    reverberate,
)

RATE = 16000


def power_db(x: torch.Tensor) -> float:
    return 10 * float(torch.log10(x.pow(2).mean()))


def band_power(x: torch.Tensor, low: float, high: float) -> float:
    spectrum = torch.fft.rfft(x).abs().pow(2)
    f = torch.fft.rfftfreq(len(x), 1 / RATE)
    return float(spectrum[(f >= low) & (f < high)].sum())


@pytest.mark.parametrize("snr", [10.0, 25.0])
@pytest.mark.parametrize("colour", [0.0, 1.0, 2.0])
def test_noise_is_added_at_the_asked_snr(sine, snr, colour):
    torch.manual_seed(0)
    clean = torch.from_numpy(sine(300.0, rate=RATE))
    noisy = add_noise(clean, snr, colour)
    assert power_db(clean) - power_db(noisy - clean) == pytest.approx(snr, abs=0.05)


def test_coloured_noise_has_more_low_frequencies_than_white(sine):
    torch.manual_seed(0)
    silence_ish = torch.from_numpy(sine(300.0, rate=RATE))
    white = add_noise(silence_ish, 0.0, 0.0) - silence_ish
    brown = add_noise(silence_ish, 0.0, 2.0) - silence_ish
    ratio = lambda n: band_power(n, 50, 500) / band_power(n, 4000, 8000)  # noqa: E731
    assert ratio(white) == pytest.approx(450 / 4000, rel=0.3)
    assert ratio(brown) > 100 * ratio(white)


def test_reverberation_keeps_length_and_level_and_smears_an_impulse():
    torch.manual_seed(0)
    click = torch.zeros(RATE)
    click[1000] = 1.0
    wet = reverberate(click, RATE, 0.4)
    assert wet.shape == click.shape
    assert power_db(wet) == pytest.approx(power_db(click), abs=0.01)
    tail = wet[1000 + int(0.05 * RATE) : 1000 + int(0.1 * RATE)]
    late = wet[1000 + int(0.3 * RATE) : 1000 + int(0.35 * RATE)]
    assert float(tail.abs().max()) > 0.01  # energy long after the click
    # 60 dB in 0.4 s: 0.25 s later the tail is about 37 dB weaker
    assert power_db(tail) - power_db(late) == pytest.approx(37.5, abs=6)


def test_band_limit_removes_what_is_above_the_cut_off(sine):
    low = torch.from_numpy(sine(500.0, rate=RATE))
    high = torch.from_numpy(sine(6000.0, rate=RATE))
    assert power_db(band_limit(low, RATE, 3000.0)) == pytest.approx(power_db(low), abs=0.5)
    assert power_db(high) - power_db(band_limit(high, RATE, 3000.0)) > 30


def test_degrade_draws_each_condition_with_its_share(sine):
    clean = torch.from_numpy(sine(300.0, rate=RATE))
    assert torch.equal(degrade(clean, RATE, ConditionConfig()), clean)
    torch.manual_seed(0)
    noisy_share = np.mean(
        [not torch.equal(degrade(clean, RATE, ConditionConfig(noise=0.3)), clean) for _ in range(400)]
    )
    assert noisy_share == pytest.approx(0.3, abs=0.07)


@pytest.mark.parametrize(
    "settings, message",
    [({"noise": 1.5}, "noise"), ({"snr_min_db": 30, "snr_max_db": 10}, "snr_min_db")],
)
def test_bad_condition_settings_are_named(settings, message):
    from recognizer.training import RecognizerDataConfig

    with pytest.raises(ConfigError, match=message):
        from_dict(RecognizerDataConfig, {"conditions": settings})


def test_griffin_lim_copies_are_made_once_and_sound_like_their_recordings(four_utterances, tmp_path):
    import shutil

    from core.audio import load_audio
    from core.features import FeatureExtractor

    feats = tmp_path / "feats"
    shutil.copytree(four_utterances, feats)
    records = json.loads((feats / "index.json").read_text(encoding="utf-8"))
    copies = GriffinLimCopies(feats)
    assert copies.make(records[:3], progress=False) == 3
    assert copies.make(records, progress=False) == 1  # only the one not made yet
    assert copies.missing(records) == []
    config = copies.features
    extractor = FeatureExtractor(config)
    for r in records:
        audio, rate = sf.read(copies.path(r), dtype="float32")
        assert rate == config.sample_rate
        mel = lambda a: extractor.mel(extractor.preprocess(a))  # noqa: E731
        ref = mel(load_audio(r["audio"], rate))
        syn = mel(audio)
        n = min(ref.shape[-1], syn.shape[-1])
        assert abs(ref.shape[-1] - syn.shape[-1]) <= 2
        assert float((ref[:, :n] - syn[:, :n]).abs().mean()) < 0.6  # nats, log-mel


def test_a_recognizer_trains_on_two_corpora_with_every_condition(four_utterances, with_validation, tmp_path):
    import shutil

    from cli.train import registered_task

    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(with_validation, a)
    shutil.copytree(four_utterances, b)
    cfg = {
        "task": "recognizer",
        "data": {
            "features_dir": str(a),
            "extra_features_dirs": [str(b)],
            "conditions": {"vocoded": 1.0, "reverb": 0.5, "band_limit": 0.5, "noise": 1.0},
        },
        "model": {"conv_channels": 8, "hidden": 32, "layers": 1},
        "train": {"progress": False},
    }
    run_class, task_class = registered_task("recognizer")
    task = task_class(from_dict(run_class, cfg))
    ids = [r["id"] for r in task.train_set.records]
    assert len(ids) == 2 + 4 and len(set(ids)) == 6  # a's train split, all of b, ids kept apart
    assert {r["id"] for r in task.val_set.records} == {
        r["id"] for r in json.loads((a / "index.json").read_text()) if r["split"] == "val"
    }
    assert len(task.train_set.copies) == 6 and all(p.is_file() for p in task.train_set.copies.values())
    torch.manual_seed(0)
    batch = task.collate([task.train_set[i] for i in range(len(task.train_set))])
    loss, _ = task.loss(task.model, batch, 0)
    loss.backward()
    assert torch.isfinite(loss)


def test_the_copies_chosen_are_a_fixed_subset():
    records = [{"id": f"spk0_{i:06d}"} for i in range(50)]
    chosen = GriffinLimCopies.chosen(records, 10)
    assert len(chosen) == 10 and chosen == GriffinLimCopies.chosen(list(reversed(records)), 10)
    assert GriffinLimCopies.chosen(records, 0) == records
