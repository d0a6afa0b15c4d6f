"""Voices and synthesis end to end on tiny models trained in the test: the Python
pipeline, tts-voice, tts-synthesize (argument, stdin, text file), and bad input."""

import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf
import torch

from synthesis.pipeline import Synthesizer
from synthesis.voice import VoiceError, build_voice, load_voice

from ..helpers import run_config, train_tiny, vocoder_config


@pytest.fixture(scope="module")
def checkpoints(four_utterances, tmp_path_factory):
    root = tmp_path_factory.mktemp("ckpt")
    cfg = run_config(four_utterances, 60)
    cfg["model"]["n_speakers"] = 0  # one embedding per voice
    acoustic = train_tiny(cfg, root / "acoustic")
    vocoder = train_tiny(vocoder_config(four_utterances, 5), root / "vocoder")
    return acoustic, vocoder


@pytest.fixture(scope="module")
def voice(checkpoints, tmp_path_factory):
    out = tmp_path_factory.mktemp("voice") / "tiny"
    build_voice(checkpoints[0], out, checkpoints[1], name="tiny")
    return out


def test_voice_folder_round_trip(voice, checkpoints, tmp_path):
    v = load_voice(voice)
    assert v.speakers == ["spk0", "spk3"] and v.sample_rate == 22050 and v.vocoder is not None
    card = json.loads((voice / "card.json").read_text(encoding="utf-8"))
    assert card["acoustic"]["step"] == 60 and card["vocoder"]["step"] == 5
    half = build_voice(checkpoints[0], tmp_path / "half", checkpoints[1], half=True)
    assert half["storage"] == "float16"
    assert (tmp_path / "half/acoustic.pt").stat().st_size < 0.6 * (voice / "acoustic.pt").stat().st_size
    hv = load_voice(tmp_path / "half")
    for a, b in zip(v.acoustic.state_dict().values(), hv.acoustic.state_dict().values()):
        torch.testing.assert_close(a, b, atol=2e-3, rtol=2e-3)


def test_pipeline_in_three_lines(voice):
    tts = Synthesizer(voice, sigma=0.6)
    audio = tts("今天天气很好。我们去公园散步。", speaker="spk3")
    assert audio.dtype == np.float32 and audio.ndim == 1 and len(audio) > 0.3 * tts.sample_rate
    assert np.abs(audio).max() <= 1.0 and np.isfinite(audio).all()


def test_synthesize_returns_what_each_sentence_was_made_of(voice):
    tts = Synthesizer(voice, vocoder="griffin-lim")
    result = tts.synthesize("今天天气很好。我们去公园散步。", speaker="spk3")
    assert result.sample_rate == tts.sample_rate and len(result.sentences) == 2
    assert np.array_equal(result.audio, np.concatenate([s.audio for s in result.sentences]))
    first, second = result.sentences
    assert (first.index, first.of, second.index) == (0, 2, 1) and "公园" in second.text
    symbols = len(tts.frontend.encode(tts.frontend("今天天气很好。")[0]))
    assert first.alignment.shape[1] == symbols and first.alignment.shape[0] >= 1
    assert result.timings.audio_seconds == pytest.approx(len(result.audio) / tts.sample_rate)
    assert (
        result.timings.rtf > 0 and result.timings.acoustic_seconds > 0 and result.timings.vocoder_seconds > 0
    )
    again = tts.synthesize("我们去公园散步。", speaker="spk3")  # nothing carried over between calls
    assert len(again.sentences) == 1 and again.timings.audio_seconds < result.timings.audio_seconds


def test_long_text_streams_sentence_by_sentence(voice):
    tts = Synthesizer(voice, vocoder="griffin-lim", batch_size=4)
    chunks = [s.audio for s in tts.sentences("今天天气很好。" * 12, speaker=0)]
    assert len(chunks) == 12
    assert max(len(c) for c in chunks) < 3 * min(len(c) for c in chunks) + tts.sample_rate


def test_griffin_lim_and_waveglow_both_speak(voice):
    for vocoder in ("waveglow", "griffin-lim"):
        audio = Synthesizer(voice, vocoder=vocoder)("今天天气很好。", speaker="spk0")
        assert np.sqrt(np.mean(audio**2)) > 1e-3


def test_bad_speaker_and_vocoder(voice):
    with pytest.raises(ValueError, match="unknown speaker"):
        Synthesizer(voice)("你好", speaker="nobody")
    with pytest.raises(ValueError, match="unknown vocoder"):
        Synthesizer(voice, vocoder="hifigan")


def _unhashed(folder, name: str, data: bytes) -> None:
    """Write ``data`` to ``folder/name`` in a voice whose card records no file hashes (as one
    built before they were), so that the checks behind the hashes are what meets it."""
    card = json.loads((folder / "card.json").read_text())
    card.pop("files", None)
    (folder / "card.json").write_text(json.dumps(card))
    (folder / name).write_bytes(data)


@pytest.mark.parametrize(
    "damage,message",
    [
        (lambda d: (d / "card.json").unlink(), "not a voice folder"),
        (lambda d: (d / "acoustic.pt").write_bytes(b"garbage"), "acoustic.pt does not match its SHA-256"),
        # a voice from before card.json recorded hashes: the loading checks behind them still hold
        (lambda d: _unhashed(d, "acoustic.pt", b"garbage"), "corrupt or unsafe"),
        (
            lambda d: (d / "card.json").write_text(
                json.dumps({**json.loads((d / "card.json").read_text()), "version": 99})
            ),
            "version 99",
        ),
        (
            lambda d: _unhashed(
                d, "symbols.json", json.dumps({"version": 0, "symbols": ["_", "a"]}).encode()
            ),
            "symbol table",
        ),
        # issue 17: these were tracebacks
        (lambda d: _unhashed(d, "acoustic.pt", b""), "corrupt or unsafe"),
        (
            lambda d: (d / "card.json").write_text(
                json.dumps({**json.loads((d / "card.json").read_text()), "version": "2"})
            ),
            "whole number",
        ),
        (
            lambda d: (d / "card.json").write_text(
                json.dumps(
                    {k: v for k, v in json.loads((d / "card.json").read_text()).items() if k != "symbols"}
                )
            ),
            "no symbol table checksum",
        ),
    ],
)
def test_wrong_or_corrupt_voice_is_a_clear_error(voice, tmp_path, damage, message):
    import shutil

    copy = tmp_path / "v"
    shutil.copytree(voice, copy)
    damage(copy)
    with pytest.raises(VoiceError, match=message):
        load_voice(copy)


def cli(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "cli.synthesize", *args], input=stdin, capture_output=True, timeout=300
    )


def test_cli_writes_16_bit_wav_and_reports_rtf(voice, tmp_path):
    out = tmp_path / "out.wav"
    r = cli("今天天气很好。", "-o", str(out), "--model", str(voice), "--speaker", "spk3", "--verbose")
    assert r.returncode == 0, r.stderr.decode()
    info = sf.info(out)
    assert (info.samplerate, info.channels, info.subtype) == (22050, 1, "PCM_16") and info.duration > 0.3
    assert b"real-time factor" in r.stderr and b"wrote" in r.stderr


def test_cli_stdin_and_text_file(voice, tmp_path):
    r = cli(
        "-o",
        str(tmp_path / "a.wav"),
        "--model",
        str(voice),
        "--vocoder",
        "griffin-lim",
        stdin="你好。".encode(),
    )
    assert r.returncode == 0 and (tmp_path / "a.wav").exists(), r.stderr.decode()
    lines = tmp_path / "lines.txt"
    lines.write_text("今天天气很好。\n\n我们去公园散步。\n", encoding="utf-8")
    r = cli(
        "--text-file",
        str(lines),
        "-o",
        str(tmp_path / "many"),
        "--model",
        str(voice),
        "--vocoder",
        "griffin-lim",
    )
    assert r.returncode == 0, r.stderr.decode()
    assert sorted(p.name for p in (tmp_path / "many").iterdir()) == ["0001.wav", "0002.wav", "index.tsv"]


def test_cli_speaks_standard_input_while_it_is_still_being_read(voice, tmp_path):
    """Issue 17: standard input was read whole before synthesis began; now the first lines
    are written to the WAV while the pipe is still open."""
    import time

    out = tmp_path / "stream.wav"
    p = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cli.synthesize",
            "-o",
            str(out),
            "--model",
            str(voice),
            "--vocoder",
            "griffin-lim",
        ],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    p.stdin.write("今天天气很好。我们一起去公园散步吧。\n".encode())
    p.stdin.flush()
    deadline, grew = time.time() + 200, False
    while time.time() < deadline and p.poll() is None and not grew:
        grew = any(t.stat().st_size > 10_000 for t in tmp_path.glob(".stream.wav.tmp*"))
        time.sleep(0.05)
    assert grew, "nothing was written while standard input was open"
    p.stdin.write("最后一句。\n".encode())
    p.stdin.close()
    assert p.wait(timeout=300) == 0, p.stderr.read().decode()
    assert sf.info(out).duration > 1.0


def test_cli_refuses_a_redirected_file_over_the_bound_before_loading(voice, tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes("你好。".encode() * 120_000)  # 1.08 MB
    with open(big, "rb") as f:
        r = subprocess.run(
            [sys.executable, "-m", "cli.synthesize", "-o", str(tmp_path / "x.wav"), "--model", str(voice)],
            stdin=f,
            capture_output=True,
            timeout=120,
        )
    assert r.returncode == 1 and b"more than 1,000,000 bytes" in r.stderr and b"Traceback" not in r.stderr
    assert not (tmp_path / "x.wav").exists()


def test_cli_pitch_shift_changes_pitch_fed_to_the_model(voice, tmp_path):
    files = {}
    for shift in ("-12", "12"):
        files[shift] = tmp_path / f"p{shift}.wav"
        r = cli(
            "今天天气很好。",
            "-o",
            str(files[shift]),
            "--model",
            str(voice),
            "--pitch-shift",
            shift,
            "--vocoder",
            "griffin-lim",
        )
        assert r.returncode == 0, r.stderr.decode()
    a, b = (sf.read(files[s])[0] for s in ("-12", "12"))
    assert not (len(a) == len(b) and np.allclose(a, b))


def test_a_missing_voice_folder_names_the_shipped_voices(tmp_path):
    # tts/voices/default held the espeak-ng voice until 2026-12-07: scripts that name it learn
    # where the voices are now, in the one line
    r = cli("你好", "-o", str(tmp_path / "x.wav"), "--model", "tts/voices/default")
    err = r.stderr.decode()
    assert r.returncode == 1 and len(err.strip().splitlines()) == 1, err
    assert "voice folder not found: tts/voices/default" in err
    assert "baker-distilled (the default)" in err and "espeak-ng" in err


@pytest.mark.parametrize(
    "args,stdin,message",
    [
        (["", "-o", "{tmp}/x.wav"], None, "empty text"),
        (["你好", "-o", "{tmp}/no/such/dir/x.wav"], None, "does not exist"),
        (["你好", "-o", "{tmp}/x.wav", "--model", "{tmp}"], None, "not a voice folder"),
        (["你好", "-o", "{tmp}/x.wav", "--model", "{tmp}/missing"], None, "voice folder not found"),
        (["😀", "-o", "{tmp}/x.wav"], None, "no pronounceable"),
        (["--text-file", "{tmp}/none.txt", "-o", "{tmp}/d"], None, "cannot read"),
        # controls out of range or not finite (issue 17: were silent wrong results or tracebacks)
        (["你好", "-o", "{tmp}/x.wav", "--pitch-shift", "1000"], None, "outside -12..12 semitones"),
        (["你好", "-o", "{tmp}/x.wav", "--pitch-shift", "nan"], None, "outside -12..12 semitones"),
        (["你好", "-o", "{tmp}/x.wav", "--energy-scale", "-1"], None, "outside (0, 4]"),
        (["你好", "-o", "{tmp}/x.wav", "--energy-scale", "inf"], None, "outside (0, 4]"),
        (["你好", "-o", "{tmp}/x.wav", "--sigma", "-5"], None, "outside [0, 2]"),
        (["你好", "-o", "{tmp}/x.wav", "--device", "cuda"], None, "no CUDA device"),
        (["-o", "{tmp}/x.wav"], b"\xe4\xbd\xa0" * 400_000, "more than 1,000,000 bytes"),
    ],
)
def test_cli_bad_input(voice, tmp_path, args, stdin, message):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "--model" not in args:
        args += ["--model", str(voice)]
    r = cli(*args, stdin=stdin)
    err = r.stderr.decode()
    assert r.returncode == 1 and message in err and "Traceback" not in err, err
    assert not (tmp_path / "x.wav").exists()


def test_cli_output_that_cannot_be_written(voice, tmp_path):
    r = cli("你好", "-o", str(tmp_path), "--model", str(voice))  # a folder, not a file
    assert r.returncode == 1 and b"is a folder" in r.stderr
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = cli("你好", "-o", str(blocker / "x.wav"), "--model", str(voice))  # parent is a file
    assert r.returncode == 1 and b"does not exist" in r.stderr


def test_cli_zero_byte_weights_is_one_line(voice, tmp_path):
    import shutil

    shutil.copytree(voice, tmp_path / "v")
    (tmp_path / "v" / "acoustic.pt").write_bytes(b"")
    r = cli("你好", "-o", str(tmp_path / "x.wav"), "--model", str(tmp_path / "v"))
    err = r.stderr.decode()
    assert r.returncode == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err


def test_cli_refuses_to_overwrite_a_file_that_is_not_a_wav(voice, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes", encoding="utf-8")
    r = cli("你好", "-o", str(notes), "--model", str(voice))
    assert r.returncode == 1 and b"not a WAV file" in r.stderr and b"Traceback" not in r.stderr
    assert notes.read_text(encoding="utf-8") == "my notes"
    r = cli("你好", "-o", str(notes), "--model", str(voice), "--force")
    assert r.returncode == 0 and sf.info(notes).samplerate == 22050
    r = cli("你好", "-o", str(notes), "--model", str(voice))  # now a WAV: overwriting is fine
    assert r.returncode == 0, r.stderr.decode()


def test_sigterm_during_synthesis_leaves_no_temporary_file(voice, tmp_path):
    import signal
    import time

    text = "今天天气很好，我们去公园散步。" * 60
    p = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cli.synthesize",
            text,
            "-o",
            str(tmp_path / "long.wav"),
            "--model",
            str(voice),
            "--vocoder",
            "griffin-lim",
        ],
        stderr=subprocess.PIPE,
    )
    deadline = time.time() + 120
    while time.time() < deadline and not list(tmp_path.glob(".long.wav.tmp*")):
        time.sleep(0.05)
    assert list(tmp_path.glob(".long.wav.tmp*")), "synthesis never started writing"
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 143 and b"terminated" in err and b"Traceback" not in err, err
    assert list(tmp_path.iterdir()) == []


def test_sigterm_that_a_library_turns_into_its_own_error_still_ends_as_terminated(capsys):
    """Seen under load: SIGTERM landed in a lazy import (OpenCC's), which reported an
    ImportError instead, and the command died with a traceback instead of 'terminated'."""
    import os
    import signal
    import time

    from cli.common import run

    def body():
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
        except BaseException:
            raise ImportError("opencc_clib not found") from None

    previous = signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(SystemExit) as exit_:
            run("tts-synthesize", body)
    finally:
        signal.signal(signal.SIGTERM, previous)
        import cli.common

        cli.common._sigterm.clear()
    assert exit_.value.code == 143 and "terminated" in capsys.readouterr().err
