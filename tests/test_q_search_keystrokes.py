"""Search in pieces as a person types (issue 14, item 1): a query typed key by key asks for each
piece once, a growing word stays in the key shard of its first three letters, requests of
earlier keystrokes are cancelled, and a slow text piece does not hold back the first result.

The site is real (MkDocs, Material, the plugin; from ``file://`` and over http) and has enough
distinct words for 128 key shards, so that the shards a query asks for can be told apart
(the example site has a handful, where any query finds its keys in a few of them).
"""

from __future__ import annotations

import json
import random
import re
import time

import pytest
from conftest import QuietHandler, build_site, sop_text
from test_search_browser import search

from sop_plugin.pages.search_index import manifest_rows, shard_of

PIECE = re.compile(r"/search/pieces/([kp])/(\d+)\.js")
QUERY = "metal detector"
METAL = "/pkg/metal-detector.html"
TYPED_MS = 80  # between keys: each key reaches the search (Material searches on keyup); 0: the driver's pace


def filler(seed: int, words: int = 2500) -> str:
    """A page of made-up words (none starts with m or d: they stay out of the query's shards)."""
    rng = random.Random(seed)
    syllables = [c + v for c in "bkprstvz" for v in "aeiou"]
    text = " ".join("".join(rng.choice(syllables) for _ in range(4)) for _ in range(words))
    return f"# Filler {seed}\n\n{text}\n"


@pytest.fixture(scope="module")
def many_shards(tmp_path_factory):
    root = tmp_path_factory.mktemp("shards")
    metal = "## Procedure\n\n1. Test the metal detector with the test pieces.\n2. Record the metal detector check.\n"
    files = {
        "docs/pkg/metal-detector.md": sop_text("SOP-PKG-001", "Metal detector check", body=metal, department="QA"),
        "docs/pkg/metal-recovery.md": sop_text(
            "SOP-PKG-002", "Metal contamination recovery", body="## Procedure\n\n1. Hold the lot.\n", department="QA"
        ),
        **{f"docs/filler/f{n}.md": filler(n) for n in range(24)},
    }
    site = build_site(
        root,
        files,
        "--strict",
        plugins=["search", "offline", "sop"],
        theme={"name": "material", "font": False},
        use_directory_urls=False,  # as the offline plugin needs from file://
    )
    shards = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))["config"]["sop_pieces"]
    assert shards["shards"] >= 128  # else the counts below say little
    return site


def shards_of(site, *keys: str) -> set[str]:
    total = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))["config"]["sop_pieces"]
    return {f"k{shard_of(key, total['shards'])}" for key in keys}


def watch(page):
    """Every piece request of ``page`` in ``page.pieces`` (k<n>, p<n>), the cancelled ones in ``page.dropped``."""
    page.pieces, page.dropped = [], []

    def name(url):
        match = PIECE.search(url)
        return match and match.group(1) + match.group(2)

    page.on("request", lambda r: name(r.url) and page.pieces.append(name(r.url)))
    page.on("requestfailed", lambda r: name(r.url) and page.dropped.append(name(r.url)))


def type_query(page, query: str, delay: float = TYPED_MS) -> list[str]:
    """Type ``query`` key by key into Material's search box; the result paths once its results show."""
    box = page.locator("input.md-search__input")
    box.click()
    page.keyboard.type(query, delay=delay)
    page.keyboard.press("End")
    last = query.split()[-1].lower()
    page.wait_for_function(
        "last => [...document.querySelectorAll('.md-search-result__item mark')]"
        ".some(m => m.textContent.toLowerCase() === last)",
        arg=last,
        timeout=15000,
    )
    return page.eval_on_selector_all(
        ".md-search-result__item > a:first-child", "els => els.map(e => new URL(e.href).pathname)"
    )


def ready(page, base: str) -> None:
    """Open the home page and wait for the search (from file:// it starts when the box is focused)."""
    page.goto(base + "index.html")
    page.locator("input.md-search__input").click()
    page.wait_for_function("!/初始化|Initializing/.test(document.querySelector('.md-search-result__meta').textContent)")


@pytest.fixture(params=["file", "http"])
def typed(request, page, many_shards, serve):
    base = many_shards.as_uri() + "/" if request.param == "file" else serve(many_shards)
    watch(page)
    ready(page, base)
    yield page
    assert page.external == [], page.external


@pytest.mark.browser
@pytest.mark.parametrize("delay", [0, TYPED_MS], ids=["fast", "typist"])
def test_a_latin_query_typed_key_by_key_asks_for_each_piece_once(typed, many_shards, delay):
    results = type_query(typed, QUERY, delay)
    assert results[0].endswith(METAL)
    keys = [p for p in typed.pieces if p.startswith("k")]
    texts = [p for p in typed.pieces if p.startswith("p")]
    # m, me (whole words of one or two letters), met (metal, metal...), d, de, det: six shards at
    # most for fourteen keystrokes; metal and detector are in the shards of met and det
    assert set(keys) <= shards_of(many_shards, "m", "me", "met", "d", "de", "det"), keys
    assert shards_of(many_shards, "metal", "detector") <= set(keys)
    assert len(keys) == len(set(keys)), keys  # a shard on its way is shared by the keystrokes that need it
    assert len(texts) == len(set(texts)) and len(texts) <= 4, texts  # the text of the pages found, once
    before = len(typed.pieces)
    assert search(typed, QUERY)[0].endswith(METAL)  # the same query again: all in memory
    assert len(typed.pieces) == before


@pytest.mark.browser
def test_a_query_pasted_at_once_asks_for_the_shards_of_its_words_only(typed, many_shards):
    typed.locator("input.md-search__input").fill(QUERY)  # one value, as a paste or an input method gives it
    typed.locator("input.md-search__input").press("End")
    typed.wait_for_function("document.querySelectorAll('.md-search-result__item').length > 0")
    typed.wait_for_timeout(200)
    keys = {p for p in typed.pieces if p.startswith("k")}
    assert keys == shards_of(many_shards, "metal", "detector"), keys


class SlowHandler(QuietHandler):
    """Serves a site; the pieces named in ``slow`` (k<n>, p<n>) after ``delay`` seconds."""

    slow: frozenset = frozenset()
    delay = 3.0

    def do_GET(self):
        match = PIECE.search(self.path)
        if match and match.group(1) + match.group(2) in self.slow:
            time.sleep(self.delay)
        try:
            super().do_GET()
        except (BrokenPipeError, ConnectionResetError):  # the browser cancelled it: as it should
            pass


@pytest.fixture
def slow_serve(serve):
    def start(folder, slow, delay=3.0):
        return serve(folder, type("Slow", (SlowHandler,), {"slow": frozenset(slow), "delay": delay}))

    return start


@pytest.mark.browser
def test_the_shards_of_earlier_keystrokes_are_cancelled_and_do_not_hold_up_the_last(page, many_shards, slow_serve):
    stale = shards_of(many_shards, "m", "me", "d", "de") - shards_of(many_shards, "metal", "detector")
    base = slow_serve(many_shards, stale, delay=4.0)
    watch(page)
    ready(page, base)
    start = time.perf_counter()
    assert type_query(page, QUERY)[0].endswith(METAL)
    assert time.perf_counter() - start < 3.5  # not waiting for the four-second shards of m, me, d, de
    page.wait_for_timeout(300)
    assert stale & set(page.dropped), (stale, page.dropped)  # cancelled by the engine, not left to hang


@pytest.mark.browser
def test_a_slow_text_piece_does_not_hold_back_the_first_result(page, many_shards, slow_serve):
    index = json.loads((many_shards / "search/search_index.json").read_text(encoding="utf-8"))
    metal = next(i for i, row in enumerate(manifest_rows(index)) if row[2].startswith("SOP-PKG-001"))
    ready(page, slow_serve(many_shards, {f"p{metal}"}, delay=2.5))
    box = page.locator("input.md-search__input")
    start = time.perf_counter()
    box.fill(QUERY)
    box.press("End")
    page.wait_for_function("document.querySelectorAll('.md-search-result__item mark').length > 0")
    assert time.perf_counter() - start < 2.0  # the title, marked, before the page's text is in
    first = page.locator(".md-search-result__item").first
    assert "<mark>" in first.locator("h1").inner_html().lower()
    # then the sections and snippets, once the text piece is in
    page.wait_for_function("document.querySelector('.md-search-result__item p mark') !== null", timeout=10000)
    texts = page.eval_on_selector_all(".md-search-result__item p", "els => els.map(e => e.textContent)")
    assert any("test the metal detector" in t.lower() for t in texts), texts  # its step, as a section
