"""The rating page driven in a real headless Chromium (Debian's), as a rater would."""

import json
import sqlite3

import pytest

playwright = pytest.importorskip("playwright.sync_api")

ARGS = ["--autoplay-policy=no-user-gesture-required", "--no-sandbox"]


def _rate_everything(page, rater, scores):
    """Enter the rater id, then for each item: the rating is locked until the sample has
    played to its end; play it, pick a score, submit."""
    page.fill("#rater", rater)
    page.click("#start")
    n = 0
    while page.is_visible("#trial"):
        assert page.is_disabled("#scale input[value='3']") and page.is_disabled("#next")
        page.evaluate("document.getElementById('player').play()")
        page.wait_for_function("!document.getElementById('scale').disabled", timeout=15000)
        page.check(f"#scale input[value='{scores[n % len(scores)]}']")
        page.click("#next")
        n += 1
        page.wait_for_function(
            f"document.getElementById('done').hidden === false || "
            f"document.getElementById('progress').value === {n}",
            timeout=15000,
        )
    assert page.is_visible("#done")
    return n


def test_a_rater_rates_every_item_through_the_server(server, test_dir, chromium):
    items = json.loads((test_dir / "test.json").read_text(encoding="utf-8"))["items"]
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
        page = browser.new_page()
        page.goto(server.url)
        assert "语音" in page.inner_text("#intro")  # Mandarin by default
        page.click("#lang")
        assert "Listen to each sample" in page.inner_text("#intro")
        page.click("#start")  # no rater id yet
        assert "rater ID" in page.inner_text("#intro_error")
        rated = _rate_everything(page, "chromium1", [5, 4, 3, 2, 1])
        browser.close()
    assert rated == len(items)
    with sqlite3.connect(test_dir / "ratings.sqlite") as db:
        rows = db.execute("SELECT item, score, plays FROM ratings WHERE rater = 'chromium1'").fetchall()
    assert {r[0] for r in rows} == {it["id"] for it in items}
    assert all(1 <= score <= 5 and plays >= 1 for _, score, plays in rows)


def test_the_same_rater_gets_the_same_order_and_another_a_different_one(server, chromium):
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
        orders = []
        for rater in ("amy", "amy", "bob"):
            page = browser.new_page()
            page.goto(server.url)
            page.fill("#rater", rater)
            page.click("#start")
            orders.append(page.evaluate("order.map((it) => it.id)"))
            page.close()
        browser.close()
    assert orders[0] == orders[1] and orders[0] != orders[2] and sorted(orders[0]) == sorted(orders[2])


def test_offline_page_rates_and_downloads_the_ratings(test_dir, chromium, tmp_path):
    items = json.loads((test_dir / "test.json").read_text(encoding="utf-8"))["items"]
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
        page = browser.new_page(accept_downloads=True)
        page.goto((test_dir / "index.html").as_uri())
        _rate_everything(page, "mail1", [4])
        assert page.is_visible("#offline_note")
        with page.expect_download() as info:
            page.click("#download")
        path = tmp_path / "ratings_mail1.json"
        info.value.save_as(path)
        browser.close()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["rater"] == "mail1" and len(data["ratings"]) == len(items)
    assert {r["item"] for r in data["ratings"]} == {it["id"] for it in items}
    assert all(r["score"] == 4 and r["plays"] >= 1 for r in data["ratings"])
    assert not (test_dir / "ratings.sqlite").exists()  # nothing was sent anywhere
