"""English words through espeak-ng, sentence splitting, prosodic words."""

import pytest
from phonemizer.backend import EspeakBackend
from phonemizer.separator import Separator

from frontend import Frontend
from frontend.prosody import group_prosodic_words, split_sentences


@pytest.fixture(scope="module")
def fe():
    return Frontend()


def espeak_phones(word):
    """Independent reference: phonemizer called directly, stress marks split off."""
    out = EspeakBackend("en-us", with_stress=True).phonemize(
        [word], separator=Separator(phone=" ", word=" | ", syllable=""), strip=True
    )[0]
    phones = []
    for p in out.replace("|", " ").split():
        stress = [c for c in p if c in "ˈˌ"]
        phones += stress + [p.strip("ˈˌ")]
    return ["@" + p for p in phones if p != "@"]


@pytest.mark.parametrize("word", ["Python", "hello", "world", "computer", "GDP", "iPhone"])
def test_english_word_phones_match_espeak(fe, word):
    (utt,) = fe(f"我爱{word}。")
    english = [s for s in utt.symbols if s.startswith("@")]
    assert english == espeak_phones(word)
    assert word in [w.text for w in utt.words]


def test_english_sits_in_the_chinese_sequence(fe):
    (utt,) = fe("我爱Python编程")
    s = utt.symbols
    first_en = next(i for i, x in enumerate(s) if x.startswith("@"))
    last_en = max(i for i, x in enumerate(s) if x.startswith("@"))
    assert s[:first_en] == ["uo3", "ai4", "#1"]
    assert s[first_en : last_en + 1] == espeak_phones("Python")
    assert s[last_en + 1 :] == ["#1", "b", "ian1", "ch", "eng2", "#4"]
    assert utt.pinyin == ["wo3", "ai4", "bian1", "cheng2"]


def test_letters_are_spelled(fe):
    (utt,) = fe("NBA")
    assert len([s for s in utt.symbols if s.startswith("@") and s not in ("@ˈ", "@ˌ")]) >= 5


def test_split_sentences():
    assert split_sentences("你好。今天天气很好！你呢？\n第二行 I like it. OK") == [
        "你好。",
        "今天天气很好！",
        "你呢？",
        "第二行 I like it.",
        "OK",
    ]
    assert split_sentences("“你好！”他说。") == ["“你好！”", "他说。"]


def test_long_sentence_is_cut_at_pauses():
    text = "，".join(["今天的天气非常好"] * 20) + "。"
    parts = split_sentences(text, max_chars=30)
    assert len(parts) > 1 and all(len(p) <= 30 for p in parts)
    assert "".join(parts) == text


def test_long_sentence_without_pauses_is_still_cut():
    parts = split_sentences("好" * 200, max_chars=60)
    assert all(len(p) <= 60 for p in parts) and "".join(parts) == "好" * 200


def test_cut_never_splits_markup():
    text = "好" * 29 + "{一|yi1}" + "好" * 30
    parts = split_sentences(text, max_chars=30)
    assert any("{一|yi1}" in p for p in parts)


@pytest.mark.parametrize(
    "words,groups",
    [
        (["我们", "去", "银行", "取", "钱"], ["我们", "去银行", "取钱"]),
        (["我", "很", "好"], ["我很好"]),
        (["你好", "吗"], ["你好吗"]),
        (["今天", "天气", "很", "好"], ["今天", "天气", "很好"]),
        (["二零二六", "年"], ["二零二六年"]),
        (["展览馆"], ["展览馆"]),
    ],
)
def test_prosodic_words(words, groups):
    got = ["".join(words[i] for i in g) for g in group_prosodic_words(words)]
    assert got == groups


def test_frontend_splits_long_text_into_bounded_sentences(fe):
    text = "今天天气很好，我们一起去公园散步吧。" * 50
    utts = fe(text)
    assert len(utts) == 50
    assert all(u.symbols[-1] == "#4" for u in utts)
