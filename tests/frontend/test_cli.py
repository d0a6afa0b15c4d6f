"""``tts-frontend`` as a user runs it: real process, exit codes, stdout and stderr."""

import json
import subprocess
import sys

import pytest


def cli(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "cli.frontend", *args], input=stdin, capture_output=True, timeout=120
    )


def out(result):
    return result.stdout.decode("utf-8").strip()


def test_default_output_shows_every_stage():
    r = cli("今天是2026年11月24日，天气很好。你好吗")
    assert r.returncode == 0, r.stderr
    text = out(r)
    assert "normalized: 今天是二零二六年十一月二十四日，天气很好。" in text
    assert "pinyin:     jin1 tian1 shi4" in text
    assert "symbols:    j in1 t ian1" in text and text.count("sentence ") == 2


def test_normalize_prints_one_line():
    r = cli("--normalize", "气温-3°C，¥120，15:30")
    assert r.returncode == 0
    assert out(r) == "气温零下三度，一百二十元，十五点三十分"


def test_pinyin_prints_one_line_with_tone_digits():
    r = cli("--pinyin", "你好，展览馆！女儿 hello")
    assert r.returncode == 0
    assert out(r) == "ni2 hao3 zhan2 lan2 guan3 nv3 er2"


def test_json_has_full_structure():
    r = cli("--json", "你好。再见！")
    data = json.loads(out(r))
    assert [d["normalized"] for d in data] == ["你好。", "再见！"]
    assert set(data[0]) >= {"normalized", "words", "pinyin", "symbols", "warnings"}


def test_reads_standard_input():
    r = cli("--pinyin", stdin="银行{行|hang2}".encode())
    assert out(r) == "yin2 hang2 hang2"


def test_user_dict_option(tmp_path):
    d = tmp_path / "d.txt"
    d.write_text("乐乐 yue4 yue4\n", encoding="utf-8")
    assert out(cli("--pinyin", "--user-dict", str(d), "乐乐")) == "yue4 yue4"


@pytest.mark.parametrize(
    "args,stdin,message",
    [
        ([""], None, "empty text"),
        (["😀"], None, "no pronounceable"),
        (["--user-dict", "/no/such/file", "你好"], None, "cannot read user dictionary"),
        ([], b"\xff\xfe\xfa", "not UTF-8"),
        (["{行|hang}走"], None, "override"),
    ],
)
def test_bad_input_is_one_line_and_nonzero(args, stdin, message):
    r = cli(*args, stdin=stdin if stdin is not None else b"")
    err = r.stderr.decode("utf-8")
    assert r.returncode == 1
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_warning_goes_to_stderr():
    r = cli("--pinyin", "你好😀")
    assert r.returncode == 0 and out(r) == "ni2 hao3"
    assert "warning" in r.stderr.decode() and "U+1F600" in r.stderr.decode()


def test_help_explains():
    r = cli("--help")
    assert r.returncode == 0 and "--pinyin" in out(r) and "examples" in out(r)


def test_conflicting_options_are_refused():
    r = cli("--pinyin", "--json", "你好")
    assert r.returncode == 2 and "not allowed" in r.stderr.decode()
