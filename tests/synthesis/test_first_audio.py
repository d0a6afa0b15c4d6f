"""The first sentence's audio comes out before the rest of the text is read: the frontend
runs one sentence ahead of synthesis, and batches grow 1, 2, 4, ... so the first waits for
one sentence alone. Joined, the streamed sentences are the whole text's audio."""

from __future__ import annotations

import numpy as np
import pytest

from synthesis.catalogue import DEFAULT_VOICE
from synthesis.pipeline import Synthesizer
from synthesis.sentences import PAUSE_S

TEXT = "今天天气很好。我们去公园散步吧！你想一起来吗？那里的花都开了。晚上回家吃饭。明天见。我们再聊。"


@pytest.fixture(scope="module")
def tts():
    return Synthesizer(DEFAULT_VOICE, vocoder="griffin-lim", backend="torch")


def test_the_first_sentence_is_spoken_after_reading_one_sentence(tts, monkeypatch):
    read, batches = [], []
    sentence, synthesize = tts.frontend._sentence, tts._synthesize
    monkeypatch.setattr(tts.frontend, "_sentence", lambda s: read.append(s) or sentence(s))
    monkeypatch.setattr(tts, "_synthesize", lambda ids, *a: batches.append(len(ids)) or synthesize(ids, *a))
    stream = tts.sentences(TEXT)
    first = next(stream)
    assert (len(read), batches, first.index, first.of) == (1, [1], 0, 7)
    rest = list(stream)
    assert batches == [1, 2, 4] and len(read) == 7 and [s.index for s in rest] == list(range(1, 7))


def test_streamed_sentences_joined_are_the_whole_texts_audio(tts):
    sentences = list(tts.sentences(TEXT))
    whole = tts(TEXT)
    assert np.array_equal(np.concatenate([s.audio for s in sentences]), whole)
    pause = int(PAUSE_S * tts.sample_rate)
    assert sentences[0].audio[:pause].any()  # no pause before the first
    assert all(not s.audio[:pause].any() for s in sentences[1:])  # each later one starts with the pause
    # each sentence is the same audio as when spoken alone (batching does not change it)
    alone = tts(sentences[3].text)
    later = sentences[3].audio[pause:]
    assert len(alone) == len(later)


def test_a_long_first_sentence_is_cut_at_its_pause_so_the_first_audio_is_a_short_phrase(tts):
    text = "我们明天上午十点在公司门口集合，然后一起坐车去参观新建的科技馆，晚上回来。明天见。"
    sentences = list(tts.sentences(text))
    assert [s.text for s in sentences] == [
        "我们明天上午十点在公司门口集合，",
        "然后一起坐车去参观新建的科技馆，晚上回来。",
        "明天见。",
    ]
    assert len(sentences[0].audio) < 4 * tts.sample_rate < len(sentences[0].audio) + len(sentences[1].audio)
    # only the first: the frontend of training data and of later sentences does not cut
    assert len(tts.frontend("明天见。" + text)) == 3


def test_the_first_cut_needs_a_pause_mark_and_leaves_short_sentences_whole():
    from frontend.prosody import split_sentences

    assert split_sentences("今天是二零二六年十二月七日，天气很好。", 60, 20) == [
        "今天是二零二六年十二月七日，天气很好。"
    ]
    no_mark = "这是一个没有任何停顿标点的非常非常长的句子我们看看它会怎么样处理吧。"
    assert split_sentences(no_mark, 60, 20) == [no_mark]
    # no mark within the limit: the first mark still shortens it
    late = "这是一个没有任何停顿标点的非常非常长的句子，我们看看。"
    assert split_sentences(late, 60, 20) == ["这是一个没有任何停顿标点的非常非常长的句子，", "我们看看。"]
