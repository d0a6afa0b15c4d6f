"""Bad input: a clear FrontendError, or handled with a warning — never a traceback or silent loss."""

import pytest

from frontend import Frontend, FrontendError


@pytest.fixture(scope="module")
def fe():
    return Frontend()


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "empty text"),
        ("   \n\t ", "empty text"),
        ("。，！？", "no pronounceable"),
        ("😀😀", "U\\+1F600"),
        ("\x00\x07", "U\\+0007"),
        ("@#$&", "no pronounceable"),
    ],
)
def test_nothing_to_read_is_an_error(fe, text, message):
    with pytest.raises(FrontendError, match=message):
        fe(text)


def test_non_string_is_an_error(fe):
    with pytest.raises(FrontendError, match="string"):
        fe(None)


def test_emoji_and_control_characters_are_reported_not_dropped_silently(fe):
    (utt,) = fe("你好😀吗\x07")
    assert utt.pinyin == ["ni2", "hao3", "ma5"]
    assert any("U+1F600" in w for w in utt.warnings)
    assert any("U+0007" in w for w in utt.warnings)


def test_unreadable_sentence_warning_moves_to_a_spoken_one(fe):
    utts = fe("😀。你好")
    assert len(utts) == 1 and any("U+1F600" in w for w in utts[0].warnings)


def test_rare_character_is_read_or_reported(fe):
    (utt,) = fe("㐀好")
    assert utt.pinyin[-1] == "hao3"
    assert len(utt.pinyin) == 2 or utt.warnings


def test_very_long_text_is_handled(fe):
    text = ("2026年11月24日，我们在展览馆看了1,234件展品，票价¥50。" * 4000)[:100_000]
    assert len(text) == 100_000
    utts = fe(text)
    assert len(utts) > 1000
    assert all(u.symbols[-1] == "#4" and len(u.normalized) <= 60 for u in utts)


def test_text_over_the_limit_is_refused(fe):
    with pytest.raises(FrontendError, match="limit"):
        fe("好" * 1_000_001)
