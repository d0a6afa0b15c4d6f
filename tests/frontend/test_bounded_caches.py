"""A long text of many different words must not grow the process: the frontend's per-word
pinyin cache is bounded (a 100,000-character text grew peak RSS by 26 MB with the earlier
sizes; benchmarks/first_audio.py)."""

from frontend.g2p import _pypinyin

CHARS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过"


def test_reading_more_words_than_the_cache_holds_keeps_it_at_its_bound():
    bound = _pypinyin.cache_info().maxsize
    assert bound and bound <= 20000
    n = len(CHARS)
    for i in range(bound + 500):
        _pypinyin(CHARS[i % n] + CHARS[(i // n) % n] + CHARS[(i // (n * n)) % n])
    assert _pypinyin.cache_info().currsize == bound
