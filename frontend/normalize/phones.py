"""Phone numbers and other code-like digit strings, read digit by digit with 1 as 幺."""

from __future__ import annotations

import re

from .numbers import YAO1, digits
from .rule import rule


def _code(s: str) -> str:
    return digits(re.sub(r"\D", "", s), one=YAO1)


@rule("mobile", r"(?<![\d.])(\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?![\d.])")
def mobile(m: re.Match) -> str:
    prefix = "加八六" if m.group(1) else ""
    return prefix + "".join(_code(g) for g in m.groups()[1:])


@rule("landline", r"(?<![\d.])(?:\((0\d{2,3})\)\s?|(0\d{2,3})-)(\d{7,8})(?:-(\d{1,5}))?(?![\d.])")
def landline(m: re.Match) -> str:
    area, number, ext = m.group(1) or m.group(2), m.group(3), m.group(4)
    return _code(area) + _code(number) + (("转" + _code(ext)) if ext else "")


@rule("service number", r"(?<![\d.])([48]00)-?(\d{3})-?(\d{4})(?![\d.])")
def service(m: re.Match) -> str:
    return _code(m.group(0))


CODE_WORDS = (
    "电话|手机|号码|热线|拨打|致电|传真|联系方式|QQ|微信号|邮编|邮政编码|编号|工号|学号|"
    "账号|卡号|密码|验证码|房间号|房间|车次|航班号|航班|尾号|订单号|单号"
)


@rule("code after keyword", rf"({CODE_WORDS})(\s*(?:是|为|:|：)?\s*)([A-Za-z]{{0,3}})(\d[\d -]*\d|\d)")
def keyword_code(m: re.Match) -> str:
    return m.group(1) + m.group(2) + m.group(3) + _code(m.group(4))


RULES = [mobile, landline, service, keyword_code]
