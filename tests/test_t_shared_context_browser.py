"""The warm browser context the browser tests take turns on (conftest.SharedContext): a turn leaves
nothing for the next test to find (storage of every origin, cookies, pages, the HTTP cache)."""

from __future__ import annotations

import os

import pytest
from conftest import http_server


@pytest.mark.browser
def test_a_turn_leaves_no_storage_cookies_or_pages(shared_context, tmp_path):
    (tmp_path / "a.html").write_text("<!doctype html><title>a</title>", encoding="utf-8")
    with http_server(tmp_path) as base, http_server(tmp_path) as other:
        urls = [base + "a.html", other + "a.html", (tmp_path / "a.html").as_uri()]
        with shared_context.turn() as context:
            for url in urls:
                pg = context.new_page()
                pg.goto(url)
                pg.evaluate("localStorage.setItem('left', 'behind'); indexedDB.open('left-behind'); 0")
            context.new_page().goto(base + "a.html")  # never closed by the test
            context.add_cookies([{"name": "left", "value": "behind", "url": base}])
            context.grant_permissions(["clipboard-read"], origin=base.rstrip("/"))
            assert context.new_page().goto(urls[0]) and len(context.pages) == len(shared_context.keepers) + 5
        with shared_context.turn() as context:
            assert context.pages == shared_context.keepers
            assert context.cookies() == []
            for url in urls:
                pg = context.new_page()
                pg.goto(url)
                assert pg.evaluate("localStorage.length") == 0, url
                assert pg.evaluate("indexedDB.databases().then(dbs => dbs.length)") == 0, url
            permission = "navigator.permissions.query({name: 'clipboard-read'}).then(p => p.state)"
            assert context.pages[-3].evaluate(permission) != "granted"


@pytest.mark.browser
def test_a_turn_leaves_no_cached_responses(shared_context, tmp_path):
    script = tmp_path / "data.js"
    script.write_text("window.data = 'first';", encoding="utf-8")
    os.utime(script, (1_600_000_000, 1_600_000_000))  # years old: fresh for weeks by heuristics
    (tmp_path / "a.html").write_text('<!doctype html><script src="data.js"></script>', encoding="utf-8")
    with http_server(tmp_path) as base:
        with shared_context.turn() as context:
            pg = context.new_page()
            pg.goto(base + "a.html")
            assert pg.evaluate("window.data") == "first"
            script.write_text("window.data = 'again';", encoding="utf-8")  # same size, same date
            os.utime(script, (1_600_000_000, 1_600_000_000))
            pg.goto(base + "a.html")
            assert pg.evaluate("window.data") == "first"  # from the cache: what the next turn must not see
        with shared_context.turn() as context:
            pg = context.new_page()
            pg.goto(base + "a.html")
            assert pg.evaluate("window.data") == "again"


@pytest.mark.browser
def test_one_turn_at_a_time(shared_context):
    with shared_context.turn(), pytest.raises(AssertionError, match="one turn at a time"):
        with shared_context.turn():
            pass
    with shared_context.turn() as context:  # the refused turn left the context usable
        assert context.pages == shared_context.keepers
