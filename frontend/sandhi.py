"""Tone sandhi and neutral tones on lexical (dictionary) readings.

Input is a run of prosodic words, each a list of lexical words, each a list of
``Syllable``; readings change in place. Rules, in order:

1. neutral tones: particles (的 了 吗 呢 吧 啊 们 …), common neutral-tone words
   (朋友 péngyou, 觉得 juéde, …) and reduplicated kinship terms (妈妈, 哥哥);
2. 不: bu5 in A-不-A (去不去) and in the middle of a three-character word (对不起,
   差不多); else bu2 before a fourth tone (不要) and bu4 before the others;
3. 一: yi5 in A-一-A (看一看), yi1 as an ordinal (第一), inside numbers (十一, 一九九八),
   at the end of a phrase (统一) and in a few fixed words (一月, 一楼); otherwise yi2
   before a fourth tone and yi4 before the others (一个 yí gè, 一天 yì tiān);
4. third tone: within a prosodic word a third tone before a third tone becomes second,
   applied cyclically: inside each lexical word first, then across the word boundaries
   using the tones already changed. So 展览馆 [展览][馆] → zhan2 lan2 guan3 while
   小老虎 [小][老虎] → xiao3 lao2 hu3, and 你好 → ni2 hao3.

A syllable whose reading was forced (``fixed``) is never changed, only read as context.
"""

from __future__ import annotations

from dataclasses import dataclass

PARTICLES = set("的了吗呢吧啊呀嘛哇啦么着")
SUFFIXES = set("们")
NEUTRAL_WORDS = set(
    """朋友 觉得 东西 事情 时候 先生 衣服 漂亮 喜欢 知道 明白 清楚 意思 地方 舒服 聪明 认识
    告诉 麻烦 客气 休息 消息 关系 便宜 打听 商量 暖和 热闹 凉快 窗户 豆腐 耳朵 眼睛 眉毛 头发
    名字 亲戚 姑娘 脑袋 早上 晚上 月亮 太阳 萝卜 葡萄 玻璃 石头 木头 骨头 馒头 枕头 指头 舌头
    嘴巴 尾巴 哑巴 功夫 大夫 丈夫 师傅 生意 行李 西瓜 钥匙 喇叭 狐狸 琵琶 芝麻 困难 学问 收拾
    打扮 打算 热乎 糊涂 马虎 咳嗽 嘱咐 折腾 吩咐 招呼 算计 看见 听见 出来 进来 回来 起来 下来
    上来 过来 出去 进去 回去 下去 上去 过去 孩子 儿子 桌子 椅子 房子 杯子 鼻子 日子 妻子 样子
    裤子 鞋子 帽子 本子 盒子 筷子 饺子 包子 胖子 傻子 院子 村子 句子 叶子 妹子 嫂子 位子 法子
    我们 你们 他们 她们 咱们 人们 什么 怎么 这么 那么 多么 为什么 东边 西边 外边 里边 上边 下边
    前边 后边 这个 那个 哪个 这里 那里 哪里""".split()
)
KINSHIP = set("爸妈哥姐弟妹爷奶叔婶姑舅婆公伯")
NUMERALS = set("零一二三四五六七八九十")
YI1_WORDS = {
    "一月",
    "一号",
    "一楼",
    "一流",
    "一线",
    "一审",
    "一等",
    "一等奖",
    "一年级",
    "一中",
    "一班",
    "一期",
}


@dataclass
class Syllable:
    """One character and its toned pinyin (``hao3``); ``fixed`` readings never change."""

    char: str
    pinyin: str
    fixed: bool = False

    @property
    def tone(self) -> int:
        return int(self.pinyin[-1])

    def set_tone(self, tone: int) -> None:
        if not self.fixed:
            self.pinyin = self.pinyin[:-1] + str(tone)


Word = list[Syllable]  # one lexical word (from segmentation)
ProsodicWord = list[Word]  # words spoken as one unit (no break inside)


def apply_sandhi(phrase: list[ProsodicWord], is_word=lambda w: False) -> None:
    """Apply all rules in place to one phrase (text between two pauses).

    ``is_word(text)`` tells whether a string is a dictionary word; it picks the inner
    structure of a long word for third-tone sandhi (展览馆 = 展览 + 馆).
    """
    words = [w for pw in phrase for w in pw]
    _neutral_tones(words)
    flat = [s for w in words for s in w]
    word_of = [(wi, w) for wi, w in enumerate(words) for _ in w]
    for i, syl in enumerate(flat):
        prev = flat[i - 1] if i > 0 else None
        nxt = flat[i + 1] if i + 1 < len(flat) else None
        if syl.char == "不":
            text = "".join(s.char for s in word_of[i][1])
            _bu(syl, prev, nxt, text)
        elif syl.char == "一":
            word = word_of[i][1]
            _yi(syl, prev, nxt, "".join(s.char for s in word), syl is word[-1])
    for pw in phrase:
        _third_tone(pw, is_word)


def _neutral_tones(words: list[Word]) -> None:
    for i, w in enumerate(words):
        text = "".join(s.char for s in w)
        if text in NEUTRAL_WORDS:
            w[-1].set_tone(5)
        elif (
            len(w) == 1
            and i > 0
            and (
                text in PARTICLES
                and w[0].pinyin[:-1] in ("de", "le", "ma", "ne", "ba", "a", "ya", "wa", "la", "me", "zhe")
                or text in SUFFIXES
            )
        ):
            w[0].set_tone(5)
        elif len(w) == 2 and w[0].char == w[1].char and w[0].char in KINSHIP:
            w[1].set_tone(5)


def _bu(syl: Syllable, prev: Syllable | None, nxt: Syllable | None, word: str) -> None:
    if syl.pinyin[:-1] != "bu":
        return
    if (prev and nxt and prev.char == nxt.char) or (len(word) == 3 and word[1] == "不"):
        syl.set_tone(5)  # 去不去, 对不起, 差不多
    elif nxt and nxt.tone == 4:
        syl.set_tone(2)  # 不要
    else:
        syl.set_tone(4)


def _yi(syl: Syllable, prev: Syllable | None, nxt: Syllable | None, word: str, word_final: bool) -> None:
    if syl.pinyin[:-1] != "yi":
        return
    if prev and nxt and prev.char == nxt.char:
        syl.set_tone(5)  # 看一看
    elif (prev and prev.char in NUMERALS | {"第"}) or (nxt and nxt.char in NUMERALS) or word in YI1_WORDS:
        syl.set_tone(1)  # 第一, 十一, 一九九八, 一月
    elif nxt is None or (word_final and len(word) > 1):
        syl.set_tone(1)  # 统一, 唯一
    elif nxt.tone == 4 or (nxt.tone == 5 and nxt.char == "个"):
        syl.set_tone(2)  # 一个, 一样
    else:
        syl.set_tone(4)  # 一天, 一起, 一百


def _split_word(w: Word, is_word) -> list[Word]:
    """Inner structure of a long word: 2+1 or 1+2 for three syllables, pairs beyond."""
    if len(w) < 3:
        return [w]
    text = "".join(s.char for s in w)
    if len(w) == 3:
        return [w[:1], w[1:]] if not is_word(text[:2]) and is_word(text[1:]) else [w[:2], w[2:]]
    return [w[i : i + 2] for i in range(0, len(w), 2)]


def _third_tone(pw: ProsodicWord, is_word) -> None:
    units = [part for w in pw for part in _split_word(w, is_word)]
    for unit in units:  # inner cycle: 3-3 → 2-3 inside each unit
        for a, b in zip(unit, unit[1:]):
            if a.tone == 3 and b.tone == 3:
                a.set_tone(2)
    for left, right in zip(units, units[1:]):  # outer cycle, left to right, on the
        if left[-1].tone == 3 and right[0].tone == 3:  # tones the inner cycle left
            left[-1].set_tone(2)


NOT_ERHUA = set(
    "女儿 婴儿 幼儿 孤儿 健儿 男儿 胎儿 少儿 患儿 宠儿 混血儿 新生儿 孩儿 侄儿 孙儿 小儿 弃儿 "
    "乳儿 育儿 托儿 儿儿".split()
)


def merge_erhua(word: Word) -> Word:
    """A word-final 儿 read as r-colouring of the syllable before it: 一点儿 → yi4 dianr3.

    Words where 儿 is its own syllable (女儿 nv3 er2, 婴儿) are left alone. The merged
    syllable keeps both characters in ``char``.
    """
    text = "".join(s.char for s in word)
    if len(word) < 2 or word[-1].char != "儿" or text in NOT_ERHUA or word[-1].fixed:
        return word
    prev = word[-2]
    if prev.pinyin[-2] == "r" or prev.pinyin[:-1] == "er":
        return word
    merged = Syllable(prev.char + "儿", prev.pinyin[:-1] + "r" + prev.pinyin[-1], prev.fixed)
    return [*word[:-2], merged]
