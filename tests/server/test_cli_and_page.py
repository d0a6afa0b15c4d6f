"""``tts-server`` as a user runs it (a process, SIGTERM finishing what is in flight, one-line
errors) and its demo page driven in headless Chromium."""

import io
import json
import re
import signal
import subprocess
import sys
import threading
import time

import pytest
import soundfile as sf

from .test_api import TEXT, post


def start(*args):
    p = subprocess.Popen(
        [sys.executable, "-m", "cli.server", "--port", "0", *args],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.time() + 120
    lines = []
    while time.time() < deadline:
        line = p.stderr.readline()
        lines.append(line)
        m = re.search(r"on (http://127\.0\.0\.1:\d+)/", line)
        if m:
            return p, m.group(1), lines
        if not line and p.poll() is not None:
            break
    p.kill()
    raise AssertionError("server did not start: " + "".join(lines))


def test_sigterm_finishes_the_request_in_flight_then_exits_0(onnx_voice):
    p, url, _ = start("--model", str(onnx_voice), "--workers", "1")
    try:
        long_text = TEXT * 8
        results = []
        client = threading.Thread(
            target=lambda: results.append(post(url + "/api/tts", {"text": long_text, "speaker": "spk0"}))
        )
        client.start()
        time.sleep(0.5)  # the request is being synthesized
        p.send_signal(signal.SIGTERM)
        client.join(120)
        assert p.wait(120) == 0
        rest = p.stderr.read()
    finally:
        p.kill()
    status, _, data = results[0]
    assert status == 200
    audio, rate = sf.read(io.BytesIO(data))
    assert len(audio) > 5 * rate  # the whole text, not a cut
    assert "finishing the requests in flight" in rest and "Traceback" not in rest


@pytest.mark.parametrize(
    "args,message",
    [
        (["--model", "/no/such/voice"], "voice folder not found"),
        (["--workers", "0"], "workers must be at least 1"),
        (["--timeout", "-1"], "timeout must be more than 0"),
    ],
)
def test_bad_arguments_are_one_line_errors(args, message):
    r = subprocess.run(
        [sys.executable, "-m", "cli.server", "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 1 and message in r.stderr
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_a_port_in_use_is_a_one_line_error(onnx_voice):
    p, url, _ = start("--model", str(onnx_voice))
    try:
        port = url.rsplit(":", 1)[1]
        r = subprocess.run(
            [sys.executable, "-m", "cli.server", "--model", str(onnx_voice), "--port", port],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert r.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in r.stderr
        assert "Traceback" not in r.stderr
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(60)


def test_demo_page_speaks_and_offers_the_download(live, chromium):
    playwright = pytest.importorskip("playwright.sync_api")
    server = live()
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(server.url + "/")
        page.wait_for_function("!document.getElementById('speak').disabled", timeout=15000)
        speakers = page.eval_on_selector_all("#speaker option", "o => o.map(x => x.value)")
        vocoders = page.eval_on_selector_all("#vocoder option", "o => o.map(x => x.value)")
        assert speakers == ["spk0", "spk3"] and vocoders == ["griffin-lim", "waveglow"]
        page.fill("#text", "你好。今天天气很好。")
        page.select_option("#speaker", "spk3")
        page.select_option("#vocoder", "griffin-lim")
        page.fill("#pitch", "2")
        page.click("#speak")
        loaded = "(p => p.readyState >= 1 && p.duration > 0)(document.getElementById('player'))"
        page.wait_for_function(loaded, timeout=60000)
        duration = page.evaluate("document.getElementById('player').duration")
        assert duration > 0.3
        assert page.is_visible("#download") and page.get_attribute("#download", "href").startswith("blob:")
        assert "KB in" in page.inner_text("#status")
        with page.expect_download() as download:
            page.click("#download")
        audio, rate = sf.read(download.value.path())
        assert rate == 22050 and abs(len(audio) / rate - duration) < 0.05
        page.fill("#text", "。。。")  # nothing to read: the server's reason, shown
        page.click("#speak")
        page.wait_for_selector("#error:not([hidden])", timeout=30000)
        assert "no pronounceable" in page.inner_text("#error")
        browser.close()
    info = json.loads(post(server.url + "/api/tts", {"text": "。"})[2])
    assert "error" in info
