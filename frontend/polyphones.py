"""Polyphones that pypinyin reads wrongly in the words jieba makes.

pypinyin reads a lone ``还`` as hai2 ("still"), right for 还是 and 还没, wrong for 还钱
("pay back"), which jieba splits into 还 + 钱. Two small tables fix what was found wrong:
whole words pypinyin misreads, and lone characters read by the word after them.
"""

from __future__ import annotations

# word → toned syllables, where pypinyin's phrase table is wrong
WORDS: dict[str, list[str]] = {
    "还款": ["huan2", "kuan3"],
}

# lone character → (reading, the words after it that select the reading; "" is the end of
# the phrase: the adverb 还 always comes before its verb, so a final 还 is the verb)
BY_NEXT_WORD: dict[str, tuple[str, tuple[str, ...]]] = {
    # pay back / give back: 还钱, 还书, 还债, 还给, 还回来, 还清, 借了要还
    "还": ("huan2", ("钱", "书", "债", "款", "账", "贷", "给", "回", "清", "利息", "本金")),
}


def reading_by_context(word: str, next_word: str) -> list[str] | None:
    """The reading of ``word`` that ``next_word`` selects, or None to keep the dictionary's."""
    if word in WORDS:
        return list(WORDS[word])
    rule = BY_NEXT_WORD.get(word)
    if rule and (not next_word or next_word.startswith(rule[1])):
        return [rule[0]]
    return None
