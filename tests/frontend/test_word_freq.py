"""jieba's prefix dictionary from the on-disk table (``frontend.word_freq``): the same
segmentation as jieba's in-memory dict, private user words, a fallback when no cache can
be written, and a frontend that starts without loading the dict."""

import os
import subprocess
import sys

import jieba

from frontend.g2p import Lexicon, _base_tokenizer
from frontend.word_freq import WordFrequencies, frequencies

SENTENCES = [
    "我们去银行取钱，顺便看看长江大桥。",
    "结婚的和尚未结婚的都来了",
    "他说的确实在理，研究生命起源很重要。",
    "南京市长江大桥欢迎您，中华人民共和国万岁！",
]


def test_segmentation_is_jiebas(tmp_path, monkeypatch):
    monkeypatch.setenv("MANDARIN_TTS_CACHE", str(tmp_path))
    freq = frequencies()
    assert isinstance(freq, WordFrequencies) and freq.path.parent == tmp_path
    reference = jieba.Tokenizer()
    reference.initialize()
    assert freq.total == reference.total
    on_disk = jieba.Tokenizer()
    on_disk.FREQ, on_disk.total, on_disk.initialized = freq, freq.total, True
    for s in SENTENCES:
        assert on_disk.lcut(s, HMM=True) == reference.lcut(s, HMM=True)
    assert freq["银行"] == reference.FREQ["银行"] and "银" in freq and "银行取" not in freq


def test_user_words_stay_in_their_own_lexicon():
    base = _base_tokenizer()
    mine = Lexicon({"魔仙堡主": ["mo2", "xian1", "bao3", "zhu3"]})
    assert mine.segment("我是魔仙堡主人") == ["我", "是", "魔仙堡主", "人"]
    assert "魔仙堡主" not in Lexicon().segment("我是魔仙堡主人")
    assert not base.FREQ.get("魔仙堡主")


def test_no_writable_cache_falls_back_to_jiebas_dict(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("MANDARIN_TTS_CACHE", str(blocked / "sub"))
    assert frequencies() is None


def test_frontend_starts_without_loading_the_dict(tmp_path):
    code = (
        "from frontend import Frontend\n"
        "u = Frontend()('我们去银行取钱。')[0]\nprint(' '.join(u.pinyin))\n"
        "import frontend.g2p as g\nprint(type(g._base_tokenizer().FREQ).__name__)\n"
    )
    env = {**os.environ, "MANDARIN_TTS_CACHE": str(tmp_path)}  # not the user's cache
    for run in ("builds the table", "reads it"):
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
        assert r.returncode == 0, (run, r.stderr)
        assert r.stdout.split("\n")[:2] == ["wo3 men5 qu4 yin2 hang2 qu3 qian2", "WordFrequencies"], run
    assert len(list(tmp_path.glob("jieba-*.sqlite"))) == 1
