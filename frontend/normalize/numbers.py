"""Reading numbers: cardinals (through cn2an), decimals, digit strings, signs.

Every 一 that a number produces is marked with its reading (``{一|yi1}``) except
where tone sandhi must decide it: a leading 一 before 百/千/万/亿 (一百 yì bǎi, 一万
yí wàn) and a lone 1 before a measure word (一个 yí gè, 一本 yì běn).
"""

from __future__ import annotations

import re

from ..overrides import fixed

YI1 = fixed("一", "yi1")
YAO1 = fixed("幺", "yao1")
DIGIT_CHARS = "零一二三四五六七八九"

# Measure words and units after which 1 is read with sandhi (一个) and 2 as 两 (两个).
MEASURE_WORDS = tuple(
    "个 只 本 次 天 年 位 名 件 条 张 台 辆 架 把 块 片 份 种 群 层 间 所 家 头 匹 棵 根 支 "
    "首 句 篇 段 部 场 门 项 笔 斤 两 吨 里 公里 公斤 千克 小时 分钟 周 岁 双 对 套 座 栋 "
    "颗 粒 滴 杯 瓶 碗 盘 道 幅 封 朵 批 趟 遍 顿 声 口 步 招 届 期 集 倍 成 "
    "万 亿 千 百 元 美元 欧元 英镑 港元 角 毛 分".split()
)
MAX_CARDINAL_DIGITS = 16  # cn2an's limit; longer strings are read digit by digit


def digits(s: str, one: str = YI1) -> str:
    """Read a digit string one digit at a time: ``"2026"`` → ``二零二六``."""
    return "".join(one if d == "1" else DIGIT_CHARS[int(d)] for d in s)


def _mark_ones(reading: str) -> str:
    """Mark each 一 of a cardinal reading yi1, except a leading 一 before a magnitude."""
    out = []
    for i, ch in enumerate(reading):
        if ch == "一" and not (i == 0 and reading[1:2] in ("百", "千", "万", "亿")):
            out.append(YI1)
        else:
            out.append(ch)
    return "".join(out)


def cardinal(s: str, next_text: str = "") -> str:
    """Read an unsigned integer string as a cardinal: ``"128"`` → ``一百二十八``.

    ``next_text`` is what follows the number; it picks 两 for 2 and the sandhi 一 for 1
    before a measure word. Leading zeros and very long strings are read digit by digit.
    """
    if len(s) > 1 and s.startswith("0") or len(s) > MAX_CARDINAL_DIGITS:
        return digits(s)
    if s in ("1", "2") and next_text.startswith(MEASURE_WORDS):
        return "一" if s == "1" else "两"
    import cn2an  # on first use: its import compiles regexes for 0.3–0.7 s, and most text has no numbers

    return _mark_ones(cn2an.an2cn(s, "low"))


def number(s: str, next_text: str = "") -> str:
    """Read a number with optional sign and decimals: ``"-2.5"`` → ``负二点五``."""
    sign = "负" if s.startswith("-") else ""
    s = s.lstrip("+-")
    if "." in s:
        whole, frac = s.split(".", 1)
        return sign + cardinal(whole or "0") + "点" + digits(frac)
    return sign + cardinal(s, next_text)


NUMBER = r"-?\d+(?:\.\d+)?"
NUMBER_RE = re.compile(NUMBER)
