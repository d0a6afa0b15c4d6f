"""Symbols: pinyin → phones, the versioned table, and whole-sentence symbol sequences."""

import json

import pytest

from frontend import DEFAULT_TABLE, Frontend, FrontendError, SymbolTable
from frontend.g2p import pinyin_to_phones


@pytest.fixture(scope="module")
def fe():
    return Frontend()


PHONES = [
    ("zhang1", ["zh", "ang1"]),
    ("xue2", ["x", "ve2"]),
    ("lv4", ["l", "v4"]),
    ("nve4", ["n", "ve4"]),
    ("ju1", ["j", "v1"]),
    ("qu4", ["q", "v4"]),
    ("yuan2", ["van2"]),
    ("yun2", ["vn2"]),
    ("yi1", ["i1"]),
    ("ya1", ["ia1"]),
    ("you3", ["iou3"]),
    ("yin1", ["in1"]),
    ("ying2", ["ing2"]),
    ("wu3", ["u3"]),
    ("wo3", ["uo3"]),
    ("wei4", ["uei4"]),
    ("wen2", ["uen2"]),
    ("weng1", ["ueng1"]),
    ("liu2", ["l", "iou2"]),
    ("gui4", ["g", "uei4"]),
    ("lun2", ["l", "uen2"]),
    ("zhi1", ["zh", "iii1"]),
    ("chi1", ["ch", "iii1"]),
    ("shi4", ["sh", "iii4"]),
    ("ri4", ["r", "iii4"]),
    ("zi3", ["z", "ii3"]),
    ("ci2", ["c", "ii2"]),
    ("si4", ["s", "ii4"]),
    ("er2", ["er2"]),
    ("er5", ["er5"]),
    ("a1", ["a1"]),
    ("ang2", ["ang2"]),
    ("e4", ["e4"]),
    ("dianr3", ["d", "ian3", "&r"]),
    ("wanr2", ["uan2", "&r"]),
    ("n2", ["n2"]),
    ("m2", ["m2"]),
    ("ng2", ["ng2"]),
    ("hm5", ["m5"]),
    ("shuang1", ["sh", "uang1"]),
    ("xiong2", ["x", "iong2"]),
]


@pytest.mark.parametrize("syllable,phones", PHONES, ids=[p[0] for p in PHONES])
def test_pinyin_to_phones(syllable, phones):
    assert pinyin_to_phones(syllable) == phones
    assert all(p in DEFAULT_TABLE for p in phones)


def test_bad_syllable_is_an_error():
    with pytest.raises(FrontendError):
        pinyin_to_phones("zhang")


def test_table_round_trip_and_checksum(tmp_path):
    path = tmp_path / "symbols.json"
    DEFAULT_TABLE.save(path)
    loaded = SymbolTable.load(path)
    assert loaded == DEFAULT_TABLE and loaded.checksum == DEFAULT_TABLE.checksum
    assert DEFAULT_TABLE.symbols[0] == "_" and DEFAULT_TABLE.pad_id == 0
    ids = DEFAULT_TABLE.encode(["n", "i2", "#4"])
    assert DEFAULT_TABLE.decode(ids) == ["n", "i2", "#4"]
    # a table whose symbols were edited no longer matches its checksum
    data = json.loads(path.read_text(encoding="utf-8"))
    data["symbols"][5], data["symbols"][6] = data["symbols"][6], data["symbols"][5]
    with pytest.raises(ValueError, match="checksum"):
        SymbolTable.from_dict(data)


def test_unknown_symbol_names_itself():
    with pytest.raises(KeyError, match="zz9"):
        DEFAULT_TABLE.encode(["a1", "zz9"])


def test_duplicate_symbols_rejected():
    with pytest.raises(ValueError):
        SymbolTable(("_", "a", "a"))


SENTENCES = [
    ("你好。", "n i2 h ao3 #4"),
    ("你好", "n i2 h ao3 #4"),  # no final punctuation
    ("你好吗？", "n i2 h ao3 m a5 ? #4"),
    ("太好了！", "t ai4 h ao3 l e5 ! #4"),
    ("你好，再见。", "n i2 h ao3 #3 z ai4 j ian4 #4"),
    ("苹果、香蕉；橘子：好", "p ing2 g uo3 #3 x iang1 j iao1 #3 j v2 z ii5 #3 h ao3 #4"),
    ("我们去银行取钱", "uo3 m en5 #1 q v4 in2 h ang2 #1 q v3 q ian2 #4"),
    ("“你好”", "n i2 h ao3 #4"),  # quotes make no sound
    ("你好……", "n i2 h ao3 #4"),  # no garbage at the end
    ("你好。。。！！", "n i2 h ao3 ! #4"),
    ("卡尔普#2陪外孙#1玩滑梯#4。", "k a2 er2 p u3 #2 p ei2 uai4 s uen1 #1 uan2 h ua2 t i1 #4"),
    ("OK", "@ˌ @oʊ @k @ˈ @eɪ #4"),
    ("你好hello", "n i2 h ao3 #1 @h @ə @l @ˈ @oʊ #4"),
]


@pytest.mark.parametrize("text,symbols", SENTENCES, ids=[s[0] for s in SENTENCES])
def test_sentence_symbols(fe, text, symbols):
    (utt,) = fe(text)
    assert " ".join(utt.symbols) == symbols
    assert utt.symbols[-1] == "#4"
    assert fe.encode(utt) == DEFAULT_TABLE.encode(utt.symbols)


def test_every_symbol_of_a_long_mixed_text_is_in_the_table(fe):
    text = (
        "2026年11月24日15:30，气温-3°C，我用iPhone给13812345678打了电话，"
        "花了¥12.5。你们觉得展览馆怎么样？一点儿都不好！GDP增长3.5%，长度5km。"
    )
    for utt in fe(text):
        DEFAULT_TABLE.encode(utt.symbols)  # raises on any unknown symbol
        assert utt.symbols[-1] == "#4" and utt.symbols[0] not in ("#1", "#2", "#3", "#4")
        assert not utt.warnings


@pytest.mark.parametrize(
    "text", ["我用iPhone打电话，好吗？", "今天是2026年11月24日，天气很好。", "卡尔普#2陪外孙#1玩滑梯#4。"]
)
def test_words_carry_their_phones_and_breaks(fe, text):
    """The word list is a faithful view of the symbols: phones then break, word by word."""
    for utt in fe(text):
        rebuilt = [s for w in utt.words for s in w.phones + ([w.break_after] if w.break_after else [])]
        assert rebuilt == [s for s in utt.symbols if s not in ("?", "!")]
        assert utt.pinyin == [p for w in utt.words for p in w.pinyin]
