"""Readings after segmentation, polyphone choice and tone sandhi (the ``--pinyin`` line)."""

import pytest

from frontend import Frontend, FrontendError


@pytest.fixture(scope="module")
def fe():
    return Frontend()


def read(fe, text):
    return " ".join(s for u in fe(text) for s in u.pinyin)


CASES = [
    # --- polyphones chosen by the word they are in -----------------------------------
    ("银行", "yin2 hang2"),
    ("行走", "xing2 zou3"),
    ("行长", "hang2 zhang3"),
    ("重要", "zhong4 yao4"),
    ("重新", "chong2 xin1"),
    ("重庆", "chong2 qing4"),
    ("长大", "zhang3 da4"),
    ("长度", "chang2 du4"),
    ("长城", "chang2 cheng2"),
    ("音乐", "yin1 yue4"),
    ("快乐", "kuai4 le4"),
    ("音乐会", "yin1 yue4 hui4"),
    ("都是", "dou1 shi4"),
    ("大都市", "da4 du1 shi4"),
    ("觉悟", "jue2 wu4"),
    ("睡觉", "shui4 jiao4"),
    ("还是", "hai2 shi4"),
    ("便宜", "pian2 yi5"),
    ("方便", "fang1 bian4"),
    ("为了", "wei4 le5"),
    ("因为", "yin1 wei4"),
    ("的确", "di2 que4"),
    ("目的", "mu4 di4"),
    ("着急", "zhao2 ji2"),
    ("看着", "kan4 zhe5"),
    ("了解", "liao2 jie3"),
    ("好了", "hao3 le5"),
    ("我们去银行取钱", "wo3 men5 qu4 yin2 hang2 qu3 qian2"),
    ("他会说英语", "ta1 hui4 shuo1 ying1 yu3"),
    # --- third-tone sandhi -----------------------------------------------------------
    ("你好", "ni2 hao3"),
    ("老虎", "lao2 hu3"),
    ("水果", "shui2 guo3"),
    ("可以", "ke2 yi3"),
    ("洗澡", "xi2 zao3"),
    ("手表", "shou2 biao3"),
    ("买米", "mai2 mi3"),
    ("展览馆", "zhan2 lan2 guan3"),  # [展览][馆]: 2+1
    ("小老虎", "xiao3 lao2 hu3"),  # [小][老虎]: 1+2
    ("我很好", "wo2 hen2 hao3"),
    ("我喜欢音乐", "wo2 xi3 huan5 yin1 yue4"),
    ("你好吗", "ni2 hao3 ma5"),
    # --- 一 ---------------------------------------------------------------------------
    ("一个", "yi2 ge4"),
    ("一样", "yi2 yang4"),
    ("一天", "yi4 tian1"),
    ("一年", "yi4 nian2"),
    ("一起", "yi4 qi3"),
    ("一百", "yi4 bai3"),
    ("一千", "yi4 qian1"),
    ("一万", "yi2 wan4"),
    ("第一", "di4 yi1"),
    ("统一", "tong3 yi1"),
    ("唯一", "wei2 yi1"),
    ("十一", "shi2 yi1"),
    ("看一看", "kan4 yi5 kan4"),
    ("想一想", "xiang3 yi5 xiang3"),
    ("一月", "yi1 yue4"),
    ("一楼", "yi1 lou2"),
    ("第1名", "di4 yi1 ming2"),
    ("1月1日", "yi1 yue4 yi1 ri4"),
    ("有1个人", "you3 yi2 ge4 ren2"),
    ("1.5", "yi1 dian2 wu3"),
    ("101", "yi4 bai3 ling2 yi1"),
    ("11点", "shi2 yi1 dian3"),
    ("1998年", "yi1 jiu2 jiu3 ba1 nian2"),
    # --- 不 ---------------------------------------------------------------------------
    ("不要", "bu2 yao4"),
    ("不是", "bu2 shi4"),
    ("不对", "bu2 dui4"),
    ("不好", "bu4 hao3"),
    ("不来", "bu4 lai2"),
    ("不行", "bu4 xing2"),
    ("去不去", "qu4 bu5 qu4"),
    ("好不好", "hao3 bu5 hao3"),
    ("对不起", "dui4 bu5 qi3"),
    ("差不多", "cha4 bu5 duo1"),
    ("看不懂", "kan4 bu5 dong3"),
    # --- neutral tones ---------------------------------------------------------------
    ("朋友", "peng2 you5"),
    ("觉得", "jue2 de5"),
    ("我们", "wo3 men5"),
    ("你们的", "ni3 men5 de5"),
    ("什么", "shen2 me5"),
    ("妈妈", "ma1 ma5"),
    ("哥哥", "ge1 ge5"),
    ("姐姐", "jie3 jie5"),
    ("桌子", "zhuo1 zi5"),
    ("东西", "dong1 xi5"),
    ("先生", "xian1 sheng5"),
    ("好吗", "hao3 ma5"),
    ("走吧", "zou3 ba5"),
    ("你呢", "ni3 ne5"),
    # --- erhua -----------------------------------------------------------------------
    ("一点儿", "yi4 dianr3"),
    ("一会儿", "yi2 huir4"),
    ("玩儿", "wanr2"),
    ("哪儿", "nar3"),
    ("女儿", "nv3 er2"),
    ("婴儿", "ying1 er2"),
    # --- ü is written v --------------------------------------------------------------
    ("女人", "nv3 ren2"),
    ("绿色", "lv4 se4"),
    ("学习", "xue2 xi2"),
    ("去", "qu4"),
    # --- numbers read after normalization --------------------------------------------
    ("2个", "liang3 ge4"),
    ("13812345678", "yao1 san1 ba1 yao1 er4 san1 si4 wu3 liu4 qi1 ba1"),
    ("3.5%", "bai3 fen1 zhi1 san1 dian2 wu3"),
    # --- polyphones pypinyin gets wrong in jieba's words ------------------------------
    ("还钱", "huan2 qian2"),
    ("他还钱了", "ta1 huan2 qian2 le5"),
    ("还款", "huan2 kuan3"),
    ("我还没还钱", "wo3 hai2 mei2 huan2 qian2"),
    ("借钱要还", "jie4 qian2 yao4 huan2"),
    ("他还是来了", "ta1 hai2 shi4 lai2 le5"),
    ("还有三个", "hai2 you3 san1 ge4"),
    # --- punctuation and English are left out of the pinyin line ---------------------
    ("你好，world！", "ni2 hao3"),
]


@pytest.mark.parametrize("text,expected", CASES, ids=[c[0] for c in CASES])
def test_reading(fe, text, expected):
    assert read(fe, text) == expected


def test_inline_override_forces_reading_and_survives_sandhi(fe):
    assert read(fe, "{行|hang2}走") == "hang2 zou3"
    assert read(fe, "{重庆|chong2 qing4}") == "chong2 qing4"
    # 不 before a fourth tone would be bu2; the override keeps bu4
    assert read(fe, "{不|bu4}要") == "bu4 yao4"


@pytest.mark.parametrize("markup", ["{行|hang}", "{重庆|chong2}", "{行|xyz9}", "{|hang2}"])
def test_bad_override_is_a_clear_error(fe, markup):
    with pytest.raises(FrontendError, match="override"):
        fe(markup + "走")


@pytest.mark.parametrize("markup", ["{行|", "银行}长", "{{行|hang2}|xing2}", "行|hang2}"])
def test_unbalanced_or_nested_markup_is_an_error(fe, markup):
    """Issue 17: these were read with warnings (exit 0); nested markup became English phonemes."""
    with pytest.raises(FrontendError, match="unbalanced reading markup"):
        fe(markup + "走")


def test_user_dictionary_changes_reading_and_segmentation(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("# my words\n朝阳区 zhao1 yang2 qu1\n乐乐 yue4 yue4\n", encoding="utf-8")
    fe = Frontend(user_dict=path)
    assert read(fe, "朝阳区") == "zhao1 yang2 qu1"
    assert "朝阳区" in [w.text for w in fe("我住朝阳区")[0].words]
    # the default frontend is not affected by another one's user dictionary
    assert read(fe, "乐乐") == "yue4 yue4"
    assert read(Frontend(), "乐乐") == "le4 le4"


def test_user_dictionary_error_names_file_and_line(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("银行 yin2 hang2\n坏行 huai4\n", encoding="utf-8")
    with pytest.raises(FrontendError, match=r"words.txt:2"):
        Frontend(user_dict=path)
