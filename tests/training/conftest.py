"""A four-utterance corpus (two sentences × two espeak-ng voices, far apart in pitch),
prepared in the test session, and tiny model settings that train on it in seconds."""
import csv

import pytest
import soundfile as sf

from frontend import Frontend
from tts.data.corpus import SAMPLE_RATE, VOICES, render
from tts.data.prepare import prepare

TEXTS = ("今天天气很好。", "我们去公园散步。")
TINY_MODEL = {"reduction": 2, "symbol_dim": 64, "encoder_dim": 64, "attention_rnn_dim": 128,
              "decoder_rnn_dim": 128, "prenet_dim": 64, "attention_dim": 64, "location_filters": 8,
              "postnet_dim": 64, "postnet_convs": 3, "variance_filters": 32, "encoder_dropout": 0.1,
              "postnet_dropout": 0.1, "variance_dropout": 0.1}


def make_dataset(root, voices=(0, 3), splits=("train", "train")):
    """Builtin-layout corpus: every text in every voice; ``splits`` per text."""
    fe = Frontend()
    (root / "wavs").mkdir(parents=True)
    rows = []
    for v in voices:
        voice = VOICES[v]
        for i, text in enumerate(TEXTS):
            audio, normalized = render(text, voice, fe)
            utt_id = f"{voice.name}_{i:03d}"
            sf.write(root / "wavs" / f"{utt_id}.wav", audio, SAMPLE_RATE, subtype="PCM_16")
            rows.append([utt_id, text, normalized, voice.name, splits[i]])
    with open(root / "metadata.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter="|", lineterminator="\n").writerows(rows)
    (root / "corpus.json").write_text("{}", encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def four_utterances(tmp_path_factory):
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


def run_config(feats, steps, **train):
    return {
        "task": "acoustic",
        "data": {"features_dir": str(feats)},
        "model": {**TINY_MODEL, "n_speakers": 1},
        "train": {"steps": steps, "batch_size": 4, "lr": 3e-3, "scheduler": "none", "log_every": 10,
                  "validate_every": 10 ** 6, "checkpoint_every": 10 ** 6, "progress": False, **train},
    }
