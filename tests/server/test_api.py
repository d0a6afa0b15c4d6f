"""tts-server's HTTP API on loopback with a real (tiny) ONNX voice: streaming, the
/v1/audio/speech shape, every malformed request as JSON 4xx, the bounded pool (503 with
Retry-After), timeouts (504, or a cut stream), and a load test."""

import io
import json
import struct
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import soundfile as sf

from .conftest import gated

TEXT = "今天天气很好。我们去公园散步吧！你好。"


def post(url, body, timeout=120, raw: bytes | None = None, headers=None):
    """→ (status, headers, body bytes)."""
    data = raw if raw is not None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json", **(headers or {})}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def wav(data: bytes):
    audio, rate = sf.read(io.BytesIO(data), dtype="float32")
    return audio, rate


def test_tts_returns_the_synthesizers_audio_streamed_or_whole(live, synth):
    server = live()
    status, headers, streamed = post(server.url + "/api/tts", {"text": TEXT, "speaker": "spk3"})
    assert status == 200 and headers["Content-Type"] == "audio/wav"
    assert headers.get("Transfer-Encoding") == "chunked" and headers["X-Sample-Rate"] == "22050"
    audio, rate = wav(streamed)
    expected = synth.synthesize(TEXT, speaker="spk3").audio
    assert rate == 22050 and len(audio) == len(expected)
    status, headers, whole = post(server.url + "/api/tts", {"text": TEXT, "speaker": "spk3", "stream": False})
    assert status == 200 and int(headers["Content-Length"]) == len(whole)
    riff, data = struct.unpack("<I", whole[4:8])[0], struct.unpack("<I", whole[40:44])[0]
    assert riff == len(whole) - 8 and data == len(whole) - 44 == 2 * len(expected)
    status, headers, pcm = post(server.url + "/api/tts", {"text": TEXT, "speaker": "spk3", "format": "pcm"})
    assert status == 200 and headers["Content-Type"] == "audio/L16" and len(pcm) == 2 * len(expected)
    # the controls reach the synthesizer: half the pace, about twice the audio
    _, _, slow = post(server.url + "/api/tts", {"text": "你好。", "speaker": "spk3", "pace": 0.5})
    _, _, normal = post(server.url + "/api/tts", {"text": "你好。", "speaker": "spk3"})
    assert len(wav(slow)[0]) > 1.6 * len(wav(normal)[0])


def test_first_sentence_arrives_before_the_last_is_synthesized(live, synth, make_gate):
    gate = make_gate(before=2)  # the third sentence waits until the client has audio
    server = live(gated(synth, gate))
    request = urllib.request.Request(
        server.url + "/api/tts", data=json.dumps({"text": TEXT, "speaker": "spk0"}).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=120) as r:
        first = r.read(44 + 2000)  # header and the start of the first sentence
        assert gate.reached.wait(60) and not gate.event.is_set()  # synthesis is held at sentence 3
        assert first[:4] == b"RIFF" and len(first) == 2044
        gate.open()
        rest = r.read()
    audio, _ = wav(first + rest)
    assert len(audio) == len(synth.synthesize(TEXT, speaker="spk0").audio)


def test_both_endpoints_serve_the_formats_the_voices_page_lists(live):
    server = live()
    _, _, listing = get(server.url + "/api/voices")
    formats = json.loads(listing)["formats"]
    assert formats == ["wav", "pcm", "flac", "mp3", "opus"]
    for fmt in formats:
        for url, body in (
            ("/api/tts", {"text": "你好。", "speaker": "spk3", "format": fmt}),
            ("/v1/audio/speech", {"input": "你好。", "voice": "spk3", "response_format": fmt}),
        ):
            status, headers, data = post(server.url + url, body)
            assert status == 200, (url, fmt, data[:200])
            if fmt == "pcm":
                assert headers["Content-Type"] == "audio/L16" and len(data) > 2000
                continue
            audio, rate = wav(data)
            assert rate == (24000 if fmt == "opus" else 22050), (url, fmt)
            assert np.sqrt(np.mean(audio**2)) > 1e-4, (url, fmt)


def test_a_one_speaker_voice_names_the_field_not_a_flag():
    from types import SimpleNamespace

    from synthesis.sentences import SentenceSynthesizer

    one_speaker = SimpleNamespace(speakers=["spk1"], n_speakers=1)
    with pytest.raises(ValueError) as err:
        SentenceSynthesizer.speaker_index(one_speaker, "ghost")
    # the same words for the CLI's --speaker and the HTTP field: no flag named in an HTTP error
    assert str(err.value) == "this voice has one speaker; speaker 'ghost' is not it"


def test_openai_shaped_requests(live):
    url = live().url + "/v1/audio/speech"
    base = {"model": "tts-1", "input": "你好，今天天气很好。", "voice": "alloy"}
    lengths = {}
    media_types = {"wav": "audio/wav", "mp3": "audio/mpeg", "flac": "audio/flac", "opus": "audio/ogg"}
    for fmt, media in media_types.items():
        status, headers, data = post(url, {**base, "response_format": fmt})
        assert status == 200 and headers["Content-Type"] == media, (fmt, data[:200])
        audio, rate = wav(data)
        assert rate == (24000 if fmt == "opus" else 22050) and np.sqrt(np.mean(audio**2)) > 1e-4
        lengths[fmt] = len(audio) / rate
    assert abs(lengths["mp3"] - lengths["wav"]) < 0.1 and abs(lengths["opus"] - lengths["wav"]) < 0.1
    status, headers, data = post(url, base)  # mp3 is the default, as in the API it copies
    assert status == 200 and headers["Content-Type"] == "audio/mpeg"
    _, _, fast = post(url, {**base, "response_format": "pcm", "speed": 2.0})
    _, _, normal = post(url, {**base, "response_format": "pcm"})
    assert len(fast) < 0.7 * len(normal)
    status, _, data = post(url, {**base, "response_format": "aac"})
    assert status == 400 and "aac" in json.loads(data)["error"]


BAD = [
    ({"text": ""}, 400, "non-empty"),
    ({}, 400, "text"),
    ({"text": 5}, 400, "text"),
    ({"text": "你好", "pitch_shift": "high"}, 400, "pitch_shift must be a number"),
    ({"text": "你好", "pitch_shift": True}, 400, "pitch_shift must be a number"),
    ({"text": "你好", "pitch_shift": 40}, 400, "outside"),
    ({"text": "你好", "energy_scale": 0}, 400, "outside"),
    ({"text": "你好", "pace": 9}, 400, "outside"),
    ({"text": "你好", "speaker": "nobody"}, 400, "unknown speaker"),
    ({"text": "你好", "speaker": [1]}, 400, "speaker"),
    ({"text": "你好", "vocoder": "hifigan"}, 400, "vocoder must be one of"),
    ({"text": "你好", "format": "aac"}, 400, "format must be one of wav, pcm, flac, mp3, opus"),
    ({"text": "你好", "format": "mp3", "stream": True}, 400, "stream needs wav or pcm"),
    ({"text": "你好", "stream": "yes"}, 400, "stream"),
    ({"text": "你好", "colour": "red"}, 400, "unknown field 'colour'"),
    ({"text": "。。。"}, 400, "no pronounceable"),
    ({"text": "好" * 301}, 413, "at most 300"),
    (["not", "an", "object"], 400, "JSON object"),
]


@pytest.mark.parametrize("body,status,message", BAD)
def test_malformed_requests_get_json_errors(live, body, status, message):
    server = live(max_chars=300)
    got, headers, data = post(server.url + "/api/tts", body)
    assert got == status and headers["Content-Type"].startswith("application/json")
    error = json.loads(data)["error"]
    assert message in error and "Traceback" not in error


def test_other_bad_requests_get_json_errors_too(live):
    server = live(max_body_bytes=2000)
    for raw, status in ((b"{not json", 400), (b"\xff\xfe", 400), (b"[" * 100000, 413), (b"x" * 5000, 413)):
        got, headers, data = post(server.url + "/api/tts", None, raw=raw)
        assert got == status and "error" in json.loads(data), (raw[:10], got)
    for raw in ('{"text": "你好", "pitch_shift": NaN}', '{"text": "你好", "pace": Infinity}'):
        got, _, data = post(server.url + "/api/tts", None, raw=raw.encode())
        assert got == 400 and "Traceback" not in json.loads(data)["error"], raw
    for body in ({"input": "你好", "speed": 9}, {"input": "你好", "speed": -1}, "text"):
        got, _, data = post(server.url + "/v1/audio/speech", body)
        assert got == 400 and "error" in json.loads(data), body
    for path in ("/static/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/static/%2e%2e/app.py"):
        got, _, data = get(server.url + path)
        assert got == 404 and b"root:" not in data and b"import" not in data, path
    for path, status in (("/nothing", 404), ("/api/tts", 405)):
        got, headers, data = get(server.url + path)
        assert got == status and headers["Content-Type"].startswith("application/json")
        assert "error" in json.loads(data)
    status, _, data = get(server.url + "/api/voices")
    info = json.loads(data)
    assert status == 200 and info["voices"][0]["speakers"] == ["spk0", "spk3"]
    assert info["voices"][0]["vocoders"] == ["griffin-lim", "waveglow"]
    assert info["limits"]["max_chars"] == 2000


def test_an_internal_failure_is_a_500_without_a_traceback(live, synth):
    class Broken(type(synth)):
        def _synthesize(self, *args):
            raise RuntimeError("secret internals")

    broken = type(synth).__new__(Broken)
    broken.__dict__.update(synth.__dict__)
    status, _, data = post(live(broken).url + "/api/tts", {"text": "你好。", "speaker": "spk0"})
    assert status == 500
    error = json.loads(data)["error"]
    assert "secret" not in error and "Traceback" not in error


def test_a_full_server_answers_503_with_retry_after(live, synth, make_gate):
    gate = make_gate(before=0)
    server = live(gated(synth, gate), workers=1, queue=0)
    results = []
    first = threading.Thread(
        target=lambda: results.append(post(server.url + "/api/tts", {"text": "你好。", "speaker": "spk0"}))
    )
    first.start()
    assert gate.reached.wait(60)  # the one worker is busy
    status, headers, data = post(server.url + "/api/tts", {"text": "你好。", "speaker": "spk0"})
    assert status == 503 and headers["Retry-After"] == "2" and "busy" in json.loads(data)["error"]
    gate.open()
    first.join(60)
    assert results[0][0] == 200 and len(wav(results[0][2])[0]) > 0


def test_timeouts_are_504_before_audio_and_a_cut_stream_after(live, synth, make_gate):
    gate = make_gate(before=0)
    server = live(gated(synth, gate), timeout_s=1.0)
    status, _, data = post(server.url + "/api/tts", {"text": "你好。", "speaker": "spk0"})
    assert status == 504 and "longer than 1 s" in json.loads(data)["error"]
    gate.open()
    late = make_gate(before=1)
    server = live(gated(synth, late), timeout_s=1.0)
    request = urllib.request.Request(
        server.url + "/api/tts", data=json.dumps({"text": TEXT, "speaker": "spk0"}).encode(), method="POST"
    )
    with pytest.raises(Exception) as cut:  # the transfer ends without its last chunk
        with urllib.request.urlopen(request, timeout=60) as r:
            assert r.status == 200
            r.read()
    assert "IncompleteRead" in type(cut.value).__name__ or isinstance(cut.value, (ConnectionError, OSError))
    late.open()


def test_the_default_queue_holds_what_the_workers_get_through_in_the_timeout():
    from server.app import SHORT_REQUESTS_PER_S_PER_WORKER, ServerConfig

    assert ServerConfig().queue == round(SHORT_REQUESTS_PER_S_PER_WORKER * 2 * 60.0) >= 20
    assert ServerConfig(workers=1, timeout_s=10).queue == round(SHORT_REQUESTS_PER_S_PER_WORKER * 10)
    assert ServerConfig(queue=0).queue == 0  # an explicit queue is kept


def test_load_20_clients_5_requests_each_all_complete(live, synth):
    server = live()  # the defaults: 20 clients of short sentences are queued, none refused
    texts = ["你好。", "今天天气很好。", "我们去公园散步吧！", "一二三四五。", TEXT]
    expected = {t: len(synth.synthesize(t, speaker="spk3").audio) for t in texts}

    def client(n):
        out = []
        for k in range(5):
            text = texts[(n + k) % len(texts)]
            status, _, data = post(server.url + "/api/tts", {"text": text, "speaker": "spk3"}, timeout=300)
            out.append((text, status, data))
        return out

    with ThreadPoolExecutor(20) as pool:
        results = [r for rs in pool.map(client, range(20)) for r in rs]
    assert len(results) == 100
    for text, status, data in results:
        assert status == 200
        audio, rate = wav(data)
        assert rate == 22050 and len(audio) == expected[text]
    health = json.loads(get(server.url + "/api/health")[2])
    assert health == {"status": "ok", "busy": 0, "waiting": 0}


def test_a_voice_folder_is_served_through_pytorch(live, tiny_voice):
    from synthesis import open_synthesizer

    server = live(open_synthesizer(tiny_voice[0]))
    info = json.loads(get(server.url + "/api/voices")[2])
    assert info["voices"][0]["backend"] == "torch"
    status, _, data = post(server.url + "/api/tts", {"text": TEXT, "speaker": "spk3", "vocoder": "waveglow"})
    audio, rate = wav(data)
    assert status == 200 and rate == 22050 and len(audio) > 0.5 * rate
