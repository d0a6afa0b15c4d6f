"""Money, percentages, temperatures, fractions, units, ratios and arithmetic."""

from __future__ import annotations

import re

from .numbers import NUMBER, cardinal, number
from .rule import after, rule

CURRENCIES = {"¥": "元", "￥": "元", "$": "美元", "US$": "美元", "HK$": "港元", "€": "欧元", "£": "英镑"}


@rule("money", r"(US\$|HK\$|[¥￥$€£])\s*(\d+(?:\.\d+)?)\s*([万亿千百]*)")
def money(m: re.Match) -> str:
    symbol, amount, magnitude = m.groups()
    return number(amount, magnitude or "元") + magnitude + CURRENCIES[symbol]


@rule("percent", rf"({NUMBER})\s*([%‰])[%‰]*")
def percent(m: re.Match) -> str:
    value, sign = m.groups()
    negative = value.startswith("-")
    base = "千分之" if sign == "‰" else "百分之"
    return ("负" if negative else "") + base + number(value.lstrip("-"))


@rule("temperature", r"(零下|(?<![A-Za-z\d])-)?\s*(\d+(?:\.\d+)?)\s*(°C|℃|°F|℉|°|度)")
def temperature(m: re.Match) -> str:
    below, value, unit = m.groups()
    scale = "华氏" if unit in ("°F", "℉") else ""
    return ("零下" if below else "") + scale + number(value) + "度"


# A hyphen is a range sign with no space on either side (3-5) or spaces on both (3 - 5);
# "-5 -3.14" is a list of negative numbers.
@rule("range", r"(?<![A-Za-z\d_.\-])(-?\d+(?:\.\d+)?)(?:\s*[~～〜]\s*(?=-?\d)|-(?=\d)|\s+-\s+(?=\d))")
def number_range(m: re.Match) -> str:
    """``12~23`` → ``十二到23``: the right end is left for the rule that fits it (23℃)."""
    low = m.group(1)
    if low.startswith("-") and re.match(r"-?\d+(?:\.\d+)?\s*(°|℃)", after(m, 8)):
        return "零下" + number(low[1:]) + "到"
    return number(low, "到") + "到"


@rule("fraction", r"(?<![\d/.])(\d+)\s*/\s*(\d+)(?![\d/.])")
def fraction(m: re.Match) -> str:
    numerator, denominator = m.groups()
    if int(denominator) == 0:  # no fraction: say what is written
        return cardinal(numerator) + "除以" + cardinal(denominator)
    return cardinal(denominator) + "分之" + cardinal(numerator)


# Units after a number; case matters (g is gram, G is not a unit: 5G stays 五G).
UNITS = {
    "km/h": "千米每小时",
    "m/s": "米每秒",
    "km²": "平方千米",
    "km2": "平方千米",
    "cm²": "平方厘米",
    "m²": "平方米",
    "m2": "平方米",
    "m³": "立方米",
    "m3": "立方米",
    "kWh": "千瓦时",
    "mAh": "毫安时",
    "kHz": "千赫兹",
    "MHz": "兆赫兹",
    "GHz": "吉赫兹",
    "km": "千米",
    "kg": "千克",
    "cm": "厘米",
    "mm": "毫米",
    "mg": "毫克",
    "ml": "毫升",
    "mL": "毫升",
    "ms": "毫秒",
    "min": "分钟",
    "Hz": "赫兹",
    "kW": "千瓦",
    "dB": "分贝",
    "L": "升",
    "g": "克",
    "t": "吨",
    "m": "米",
    "h": "小时",
    "s": "秒",
    "W": "瓦",
    "V": "伏",
}
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))


@rule("unit", rf"(?<![A-Za-z])({NUMBER})\s?({_UNIT_ALT})(?![A-Za-z0-9²³])")
def unit(m: re.Match) -> str:
    value, name = m.groups()
    return number(value, "个") + UNITS[name]


@rule("ratio", r"(?<![\d.:])(\d+):(\d+)(?![\d:])")
def ratio(m: re.Match) -> str:
    return cardinal(m.group(1)) + "比" + cardinal(m.group(2))


OPERATORS = {"+": "加", "×": "乘", "*": "乘", "÷": "除以", "=": "等于"}


@rule("arithmetic", r"(?<=\d)\s*([+×*÷=])\s*(?=-?\d)")
def arithmetic(m: re.Match) -> str:
    return OPERATORS[m.group(1)]


@rule("scientific notation", r"(?<![A-Za-z\d.])(-?\d+(?:\.\d+)?)[eE]([+-]?)(\d{1,4})(?![A-Za-z\d.])")
def scientific(m: re.Match) -> str:
    """``1e308`` → 一乘十的三百零八次方; ``2.5E-3`` → 二点五乘十的负三次方."""
    mantissa, sign, exponent = m.groups()
    return number(mantissa) + "乘十的" + ("负" if sign == "-" else "") + cardinal(str(int(exponent))) + "次方"


RULES = [money, percent, scientific, number_range, temperature, fraction, unit, ratio, arithmetic]
