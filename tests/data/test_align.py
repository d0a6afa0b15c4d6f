"""The HMM aligner: recovers known segmentations, and matches espeak-ng's own word positions."""

import json

import numpy as np
import pytest

from core.data.align import HmmAligner, cepstra, load_durations, viterbi
from frontend import DEFAULT_TABLE


def test_viterbi_respects_order_and_skippable_states():
    # 3 states, the middle one skippable; frames clearly belong to state 0 then state 2
    ll = np.array([[0.0, -9, -9], [0.0, -9, -9], [-9, -9, 0.0], [-9, -9, 0.0]])
    path = viterbi(ll, np.array([False, True, False]))
    assert path.tolist() == [0, 0, 2, 2]
    # without the skip, the middle state must take a frame
    assert viterbi(ll, np.array([False, False, False])).tolist() in ([0, 1, 2, 2], [0, 0, 1, 2])
    # more non-skippable states than frames: no path
    assert viterbi(ll[:1], np.array([False, False, False]))[0] == -1


def test_recovers_known_durations_on_synthetic_features():
    """Each state of each symbol emits around its own mean; the aligner, trained from a
    flat start, must find the true segmentation."""
    rng = np.random.default_rng(0)
    aligner = HmmAligner(n_ceps=4)
    vocab = DEFAULT_TABLE.encode(["b", "a1", "m", "i3", "d", "e4", "h", "ao3"])
    true_means = rng.normal(0, 3, size=(len(aligner.mean), 8))
    utterances, truths = [], []
    for _ in range(60):
        symbols = np.array(
            [
                vocab[(2 * j) % 8] if k == 0 else vocab[(2 * j + 1) % 8]
                for j in rng.integers(0, 4, size=4)
                for k in (0, 1)
            ],
            dtype=np.int64,
        )
        frames, durations = [], []
        for s in symbols:
            d = 0
            for k in range(aligner.n_states[s]):
                n = int(rng.integers(2, 6))
                frames.append(true_means[aligner.offset[s] + k] + rng.normal(0, 0.5, size=(n, 8)))
                d += n
            durations.append(d)
        utterances.append((symbols, np.concatenate(frames)))
        truths.append(np.array(durations))
    history = aligner.fit(utterances, iterations=6, progress=False)
    assert history[-1] > history[0]
    errors = []
    for (symbols, feats), truth in zip(utterances, truths):
        found = aligner.durations(symbols, feats)
        assert found.sum() == len(feats)
        errors.append(np.abs(np.cumsum(found) - np.cumsum(truth)).mean())
    assert np.mean(errors) < 0.5, np.mean(errors)


def test_cepstra_shape_and_deltas():
    mel = np.random.default_rng(1).normal(size=(80, 50)).astype(np.float32)
    c = cepstra(mel, 12)
    assert c.shape == (50, 24)
    flat = cepstra(np.ones((80, 30)), 12)
    assert np.allclose(flat[:, 12:], 0)  # constant input: no deltas


def test_prepare_writes_durations_that_cover_every_frame(four_utterances):
    durations = load_durations(four_utterances)
    index = json.loads((four_utterances / "index.json").read_text(encoding="utf-8"))
    assert set(durations) == {r["id"] for r in index}
    for r in index:
        d = durations[r["id"]]
        assert len(d) == r["symbols"] and d.sum() == r["frames"] and (d >= 0).all()
        symbols = DEFAULT_TABLE.decode(
            np.load(four_utterances / "items" / f"{r['id']}.npz")["symbols"].tolist()
        )
        sounds = [n for s, n in zip(symbols, d) if not s.startswith("#")]
        assert min(sounds) >= 2  # every initial/final has its states' frames


def test_missing_durations_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="run tts-prepare again"):
        load_durations(tmp_path)
