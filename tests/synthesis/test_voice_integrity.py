"""A damaged voice or recognizer is refused with one line, never spoken through: voice cards
record the SHA-256 of their files and every load checks them."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.checkpoint import CheckpointError, load_checkpoint
from recognizer.api import DEFAULT_RECOGNIZER
from synthesis.cards import VoiceError, check_files, sha256
from synthesis.catalogue import DEFAULT_VOICE, VOICES_DIR
from synthesis.voice import load_voice

ROOT = Path(__file__).resolve().parents[2]


def synthesize(*args):
    return subprocess.run(
        [sys.executable, "-m", "cli.synthesize", "你好。", *map(str, args)],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip


def damage(path: Path, offset_share: float = 0.5, size: int = 4096) -> None:
    """Overwrite ``size`` bytes in the middle of a file (inside a weight tensor)."""
    data = bytearray(path.read_bytes())
    at = int(len(data) * offset_share)
    data[at : at + size] = bytes((b + 1) % 256 for b in data[at : at + size])
    path.write_bytes(bytes(data))


@pytest.fixture
def voice_copy(tmp_path):
    copy = tmp_path / "voice"
    shutil.copytree(DEFAULT_VOICE, copy)
    return copy


@pytest.mark.parametrize("voice", [DEFAULT_VOICE, VOICES_DIR / "espeak-ng"], ids=["default", "espeak-ng"])
def test_the_shipped_voices_record_and_match_their_hashes(voice):
    card = json.loads((voice / "card.json").read_text(encoding="utf-8"))
    assert set(card["files"]) >= {"acoustic.pt", "symbols.json"}
    assert all(sha256(voice / n) == h for n, h in card["files"].items())
    assert check_files(voice, card) is None
    assert card["licence"] and card["provenance"]  # what a user may do with its speech


def test_damaged_weights_are_one_line_not_audio(voice_copy, tmp_path):
    damage(voice_copy / "acoustic.pt")
    r = synthesize("-o", tmp_path / "out.wav", "--model", voice_copy)
    assert r.returncode == 1 and not (tmp_path / "out.wav").exists()
    assert r.stderr.strip().splitlines() == [
        f"tts-synthesize: error: {voice_copy / 'acoustic.pt'} does not match its SHA-256 in card.json "
        "(damaged or replaced)"
    ]
    export = subprocess.run(
        [sys.executable, "-m", "cli.export", "--model", voice_copy, "--format", "onnx",
         "--out", tmp_path / "x"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert export.returncode == 1 and "does not match its SHA-256" in export.stderr


def test_a_replaced_symbol_table_is_refused(voice_copy):
    table = json.loads((voice_copy / "symbols.json").read_text(encoding="utf-8"))
    (voice_copy / "symbols.json").write_text(
        json.dumps(table, indent=2), encoding="utf-8"
    )  # same table, new bytes
    with pytest.raises(VoiceError, match="symbols.json does not match its SHA-256"):
        load_voice(voice_copy)


def test_a_voice_from_before_hashes_loads_with_a_note(voice_copy, tmp_path):
    card = json.loads((voice_copy / "card.json").read_text(encoding="utf-8"))
    del card["files"]
    (voice_copy / "card.json").write_text(json.dumps(card), encoding="utf-8")
    assert load_voice(voice_copy).notes == [
        f"{voice_copy}/card.json records no SHA-256 of its files (a voice built before they were recorded): "
        "its weights are not verified"
    ]
    r = synthesize("-o", tmp_path / "out.wav", "--model", voice_copy)
    assert r.returncode == 0 and "not verified" in r.stderr and (tmp_path / "out.wav").stat().st_size > 1000


def test_the_shipped_recognizer_carries_its_checksum(tmp_path):
    assert "sha256" not in load_checkpoint(DEFAULT_RECOGNIZER)  # checked and removed at load
    import torch

    assert "sha256" in torch.load(DEFAULT_RECOGNIZER, weights_only=True, map_location="cpu")
    copy = tmp_path / "rec.pt"
    shutil.copy(DEFAULT_RECOGNIZER, copy)
    damage(copy)
    with pytest.raises(CheckpointError):
        load_checkpoint(copy)


def test_a_voice_card_inherits_its_corpus_licence(tmp_path):
    """tts-voice build copies the training corpus's licence and provenance into the card
    (found through the prepared folder's first audio path); none is claimed where none is said."""
    from synthesis.voice import data_licence

    corpus, feats = tmp_path / "corpus", tmp_path / "feats"
    (corpus / "wavs").mkdir(parents=True)
    feats.mkdir()
    index = [{"id": "a", "audio": str(corpus / "wavs" / "a.wav")}]
    (feats / "index.json").write_text(json.dumps(index), encoding="utf-8")
    (corpus / "corpus.json").write_text(
        json.dumps({"licence": "non-commercial use only", "provenance": "a teacher model", "x": 1}),
        encoding="utf-8",
    )
    assert data_licence(feats) == {"licence": "non-commercial use only", "provenance": "a teacher model"}
    (corpus / "corpus.json").write_text("{}", encoding="utf-8")  # the espeak-ng engine says none
    assert data_licence(feats) == {}
    assert data_licence(tmp_path / "gone") == {}


def test_a_shipped_voice_is_opened_by_its_name_and_a_folder_of_that_name_wins(tmp_path, monkeypatch):
    from synthesis import open_synthesizer
    from synthesis.catalogue import resolve_voice, shipped_voices

    assert {"baker-distilled", "espeak-ng"} <= set(shipped_voices())
    tts = open_synthesizer("espeak-ng", vocoder="griffin-lim")
    assert tts.card["name"] == "espeak-ng" and len(tts("你好。")) > 0
    monkeypatch.chdir(tmp_path)
    (tmp_path / "espeak-ng").mkdir()  # a folder of the user's own, named like a shipped voice
    assert resolve_voice("espeak-ng") == Path("espeak-ng")
