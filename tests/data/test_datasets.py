"""Readers for every layout, on tiny datasets rendered in the test, including bad lines."""

import pytest
import soundfile as sf

from core.data.datasets import detect_format, read_dataset
from frontend import Frontend

from .conftest import espeak_wav


def test_builtin(tiny_corpus):
    out, card = tiny_corpus
    items, problems = read_dataset(out)
    assert len(items) == card["utterances"] and not problems
    assert {i.split for i in items} <= {"train", "val", "test"}
    assert all(i.audio.exists() and i.speaker in ("spk0", "spk1") for i in items)


@pytest.fixture
def ljspeech(tmp_path):
    root = tmp_path / "LJSpeech-1.1"
    lines = [
        "LJ001-0001|Printing, in the only sense.|Printing, in the only sense.",
        "LJ001-0002|in being comparatively modern.|in being comparatively modern.",
        "LJ001-0003|this line has no audio|this line has no audio",
        "broken line without fields",
        "LJ001-0004|For 2 years.|For two years.",
    ]
    (root / "wavs").mkdir(parents=True)
    (root / "metadata.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for utt_id, text in (
        ("LJ001-0001", "Printing, in the only sense."),
        ("LJ001-0002", "in being comparatively modern."),
        ("LJ001-0004", "For two years."),
    ):
        espeak_wav(root / "wavs" / f"{utt_id}.wav", text)
    return root


def test_ljspeech(ljspeech):
    assert detect_format(ljspeech) == "ljspeech"
    items, problems = read_dataset(ljspeech)
    assert [i.id for i in items] == ["LJ001-0001", "LJ001-0002", "LJ001-0004"]
    assert items[2].text == "For two years."  # the normalized column
    assert sorted(p.line for p in problems) == [3, 4]
    assert any("audio file missing" in str(p) and "metadata.csv:3" in str(p) for p in problems)
    assert any("metadata.csv:4" in str(p) for p in problems)
    symbols = Frontend()(items[0].text)[0].symbols
    assert sum(s.startswith("@") for s in symbols) > 10  # English read through espeak phonemes


@pytest.fixture
def baker(tmp_path):
    root = tmp_path / "BZNSYP"
    labels = (
        "000001\t卡尔普#2陪外孙#1玩滑梯#4。\n"
        "\tka2 er2 pu3 pei2 wai4 sun1 wan2 hua2 ti1\n"
        "000002\t假语村言#2别再#1拥抱我#4。\n"
        "\tjia2 yu3 cun1 yan2 bie2 zai4 yong1 bao4 wo3\n"
        "000003\t宝马#1配挂#1跛骡鞍#3，貂蝉#1怨枕#2董翁榻#4。\n"
        "\tbao2 ma3 pei4 gua4 bo3 luo2 an1 diao1 chan2 yuan4 zhen3 dong3 weng1 ta4\n"
        "000004\t少一个音节#4。\n"
        "\tshao3 yi2 ge4 yin1\n"
        "00000X\tbad id line\n"
        "000006\t没有音频#4。\n"
        "\tmei2 you3 yin1 pin2\n"
    )
    (root / "ProsodyLabeling").mkdir(parents=True)
    (root / "ProsodyLabeling" / "000001-010000.txt").write_text(labels, encoding="utf-8")
    for utt_id, pinyin in (
        ("000001", "ka2 er2 pu3 pei2 wai4 sun1 wan2 hua2 ti1"),
        ("000002", "jia2 yu3 cun1 yan2 bie2 zai4 yong1 bao4 wo3"),
        ("000003", "bao2 ma3 pei4 gua4"),
        ("000004", "shao3 yi2 ge4 yin1 jie2"),
    ):
        espeak_wav(root / "Wave" / f"{utt_id}.wav", pinyin, voice="cmn-latn-pinyin", rate=48000)
    return root


def test_baker(baker):
    assert detect_format(baker) == "baker"
    items, problems = read_dataset(baker)
    assert [i.id for i in items] == ["000001", "000002", "000003", "000004"]
    assert sf.info(items[0].audio).samplerate == 48000
    lines = {p.line: str(p) for p in problems}
    assert "syllables" in lines[8] and "frontend's readings" in lines[8]  # count mismatch reported
    assert "6-digit id" in lines[9]
    assert "audio file missing" in lines[10]
    (utt,) = Frontend()(items[0].text)
    assert utt.pinyin == "ka2 er2 pu3 pei2 wai4 sun1 wan2 hua2 ti1".split()  # the given pinyin wins
    assert " ".join(utt.symbols) == "k a2 er2 p u3 #2 p ei2 uai4 s uen1 #1 uan2 h ua2 t i1 #4"
    (utt2,) = Frontend()(items[1].text)
    assert utt2.pinyin[-3:] == ["yong1", "bao4", "wo3"]  # no sandhi on labels
    assert "#3" in Frontend()(items[2].text)[0].symbols


@pytest.fixture
def aishell3(tmp_path):
    root = tmp_path / "aishell3"
    content = (
        "SSB00050001.wav\t广 guang3 州 zhou1 女 nv3 大 da4 学 xue2\n"
        "SSB00050002.wav\t你 ni3 好 hao3\n"
        "SSB00110001.wav\t行 xing2 走 zou3\n"
        "SSB00110002.wav\t缺 que1 拼音\n"
        "SSB00110003.wav\t没 mei2 有 you3\n"
    )
    (root / "train").mkdir(parents=True)
    (root / "train" / "content.txt").write_text(content, encoding="utf-8")
    for name, pinyin in (
        ("SSB00050001", "guang3 zhou1 nv3 da4 xue2"),
        ("SSB00050002", "ni3 hao3"),
        ("SSB00110001", "xing2 zou3"),
    ):
        espeak_wav(
            root / "train" / "wav" / name[:7] / f"{name}.wav", pinyin, voice="cmn-latn-pinyin", rate=44100
        )
    return root


def test_aishell3(aishell3):
    assert detect_format(aishell3) == "aishell3"
    items, problems = read_dataset(aishell3)
    assert [(i.id, i.speaker) for i in items] == [
        ("SSB00050001", "SSB0005"),
        ("SSB00050002", "SSB0005"),
        ("SSB00110001", "SSB0011"),
    ]
    assert sorted(p.line for p in problems) == [4, 5]
    assert Frontend()(items[1].text)[0].pinyin == ["ni3", "hao3"]  # the given reading
    assert Frontend()(items[0].text)[0].pinyin == "guang3 zhou1 nv3 da4 xue2".split()


def test_unknown_folder_and_format(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        read_dataset(tmp_path / "missing")
    with pytest.raises(ValueError, match="not a dataset"):
        read_dataset(tmp_path)
    with pytest.raises(ValueError, match="unknown dataset format"):
        read_dataset(tmp_path, "timit")


def test_hostile_and_careless_metadata_is_reported_line_by_line(tmp_path):
    """Issue 17: a traversal id, an id with '/', a non-UTF-8 line: each one reported as
    file:line and skipped, the rest read, and nothing written outside --out."""
    import numpy as np

    from core.data.prepare import prepare

    root = tmp_path / "LJ"
    (root / "wavs").mkdir(parents=True)
    espeak_wav(root / "wavs" / "good.wav", "hello there")
    espeak_wav(root / "wavs" / "also_good.wav", "good morning")
    outside = tmp_path / "x"
    outside.mkdir()
    espeak_wav(outside / "PWNED.wav", "gotcha")
    sf.write(root / "wavs" / "silent.wav", np.zeros(22050, dtype=np.float32), 22050, subtype="PCM_16")
    lines = [
        b"good|Hello there.|Hello there.",
        b"../../x/PWNED|gotcha|gotcha",
        b"sub/dir|a slash|a slash",
        b"bad\xff\xfeline|not utf-8|not utf-8",
        b"also_good|Good morning.|Good morning.",
        b"silent|nothing to hear|nothing to hear",
    ]
    (root / "metadata.csv").write_bytes(b"\n".join(lines) + b"\n")
    items, problems = read_dataset(root)
    assert [i.id for i in items] == ["good", "also_good", "silent"]
    text = [str(p) for p in problems]
    assert any("metadata.csv:2:" in t and "not a plain file name" in t for t in text), text
    assert any("metadata.csv:3:" in t and "not a plain file name" in t for t in text), text
    assert any("metadata.csv:4:" in t and "not UTF-8" in t for t in text), text
    out = tmp_path / "feats"
    summary = prepare(root, out, jobs=1, progress=False, align=False)
    assert summary["utterances"] == 2
    assert any("silent" in p and "left out" in p for p in summary["problems"]), summary["problems"]
    assert not list(tmp_path.rglob("PWNED.npz"))
    assert sorted(p.name for p in (out / "items").iterdir()) == ["also_good.npz", "good.npz"]
