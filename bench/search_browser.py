"""Search in headless Chromium: bytes loaded and time until the first result, and Chinese recall.

Three engines on a built site:

* ``ours``: the plugin's engine behind Material's search box (``assets/sop/search-worker.js``, the
  manifest ``search/search_index.json`` and the pieces under ``search/pieces/``), from ``file://``
  and over http;
* ``material``: Material's default search (lunr, ``search_index.json``) on plain Material's site;
* ``pagefind``: Pagefind's own JavaScript API (``pagefind/pagefind.js``) over http, on an index
  ``python -m pagefind --site <site>`` wrote into the same site.

"Bytes before the first result" counts every response body the page received from opening the
page until the first result was on screen (for Pagefind: until the first result's data was
loaded), minus the page's own HTML, CSS and theme JavaScript (the same for every engine): the
search files only. The query is typed from inside the page right after it opened (a person who
opens the site and types at once; by default the whole query at once, ``TYPING_MS``), and the
time runs from the last character typed to the first result *of the whole query* on screen (a
result of a prefix typed on the way does not count). Typing from inside the page keeps the
browser driver's own time per key out of the figure: on the busy two-core benchmark machine
Playwright's ``keyboard.type`` took 0.3 to 1.5 s for ``metal detector`` alone, which the first
figures of issue 14 counted as search time.

Run alone on a built site: ``python bench/search_browser.py SITE [--query Q] [--delay MS]
[--timeline]`` (see :func:`main`).
"""

from __future__ import annotations

import json
import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from browser import CHROMIUM, QUERY_INPUT, serve

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SEARCH_FILES = re.compile(r"/(search/|pagefind/|assets/sop/search-worker\.js|assets/javascripts/workers/)")
PAGEFIND_PAGE = "pagefind-bench.html"


@dataclass
class Figures:
    engine: str
    mode: str  # http or file
    seconds: float
    search_bytes: int
    requests: int
    #: (seconds since the query was typed, URL tail) of each search file's request, in order
    timeline: list = field(default_factory=list, repr=False)
    #: seconds from the first character typed to the first result (``seconds``: from the last)
    from_first_key: float = 0.0
    #: seconds from the last character typed to the first result with its snippet
    with_text: float = 0.0


def _open(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def _measured(page, clock: list | None = None):
    """The responses of the search files, as they come (read their bodies with :func:`_sizes` after);
    with ``clock`` (a list holding the start time, once set), each request's time goes to ``page.timeline``."""
    seen: list = []
    page.timeline = []
    page.on("response", lambda response: seen.append(response) if SEARCH_FILES.search(response.url) else None)
    if clock is not None:

        def on_request(request):
            if SEARCH_FILES.search(request.url):
                at = time.perf_counter() - clock[0] if clock else 0.0
                page.timeline.append(
                    (round(at, 3), request.url.rsplit("/", 3)[-2] + "/" + request.url.rsplit("/", 1)[-1])
                )

        page.on("request", on_request)
    return seen


def _sizes(responses) -> list[tuple[str, int]]:
    out = []
    for response in responses:
        try:
            out.append((response.url, len(response.body())))
        except Exception:  # file:// and aborted loads have no body in the protocol: the file's size
            out.append((response.url, _file_size(response.url)))
    return out


FILE_PAGE = "index-file-bench.html"
SHIM = "assets/sop/vendor/iframe-worker/shim.js"


def prepare_file_copy(site: Path) -> str:
    """What Material's ``offline`` plugin adds for search from ``file://``, added to a site built
    without it (the same build then serves both measurements): ``search/search_index.js`` and the
    iframe-worker shim (the plugin's vendored copy) on a copy of the home page. Returns that page."""
    from sop_plugin.adapter.offline import VENDORED

    index = site / "search" / "search_index.json"
    (site / "search" / "search_index.js").write_text(
        "var __index = " + index.read_text(encoding="utf-8"), encoding="utf-8"
    )
    (site / SHIM).parent.mkdir(parents=True, exist_ok=True)
    (site / SHIM).write_bytes(Path(VENDORED[SHIM]).read_bytes())
    home = (site / "index.html").read_text(encoding="utf-8")
    (site / FILE_PAGE).write_text(
        home.replace("</head>", f'<script src="{SHIM}"></script></head>', 1), encoding="utf-8"
    )
    return FILE_PAGE


#: Types ``query`` into Material's search box from inside the page, one character every ``delay``
#: ms (what Material listens to: the value, an ``input`` and a ``keyup`` event), and resolves when
#: the first result of the *whole* query is on screen: a ``<mark>`` of its last word (a result of a
#: shorter prefix typed on the way does not count), and when one with its text (a snippet) is.
#: Typing from the page keeps the browser
#: driver's own time per key (tens of milliseconds on a busy machine) out of the figures.
TYPIST = """
async ([query, last, delay, timeout]) => {
  const box = document.querySelector("input[data-md-component=search-query]");
  const list = document.querySelector(".md-search-result__list");
  let done = 0, full = 0;
  const check = () => {
    if (last === null && list.querySelector(".md-search-result__item")) done = full = done || performance.now();
    for (const m of list.querySelectorAll(".md-search-result__item mark")) {
      if (m.textContent.toLowerCase() !== last) continue;
      if (!done) done = performance.now();
      if (!full && m.closest("p")) full = performance.now();
    }
  };
  new MutationObserver(check).observe(list, {childList: true, subtree: true, characterData: true});
  const typed = [];
  for (const c of query) {
    box.value += c;
    typed.push(performance.now());
    box.dispatchEvent(new InputEvent("input", {data: c, inputType: "insertText"}));
    box.dispatchEvent(new KeyboardEvent("keyup", {key: c}));
    if (delay) await new Promise(ok => setTimeout(ok, delay));
  }
  const give_up = performance.now() + timeout;
  while (!full && performance.now() < give_up) await new Promise(ok => setTimeout(ok, 5));
  return {first: typed[0], last: typed[typed.length - 1], done, full};
}
"""
#: Milliseconds between keys: 0 is a paste, the whole query at once right after the page opened (the
#: search not ready yet: the worst wait); 60 a fast typist (each key reaches the search as pieces load).
TYPING_MS = 0


def last_word(query: str) -> str:
    return query.lower().split()[-1]


def material_box(
    site: Path, query: str, mode: str, engine: str, timeout_s: float = 120, delay_ms: float = TYPING_MS
) -> Figures:
    """Ours or Material's default behind Material's search box (``mode`` file: see :func:`prepare_file_copy`).

    The query is typed right after the page opened (before the search is ready), one character
    every ``delay_ms``. ``seconds`` is from the last character typed to the first result of the
    whole query on screen (what a person waits); ``from_first_key`` from the first character;
    ``with_text`` from the last character to the first result with its snippet."""
    from playwright.sync_api import sync_playwright

    with serve(site) as url, sync_playwright() as p:
        browser = _open(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            clock: list = []
            seen = _measured(page, clock)
            start_url = url + "index.html" if mode == "http" else (site / prepare_file_copy(site)).resolve().as_uri()
            page.goto(start_url, wait_until="domcontentloaded")
            page.click(QUERY_INPUT)
            clock.append(time.perf_counter())
            # Material's own engine marks the words it split Chinese into (杀菌 釜): any result of it
            # counts (it answers once its index is built, long after the query was typed)
            last = last_word(query) if engine == "ours" else None
            times = page.evaluate(TYPIST, [query, last, delay_ms, timeout_s * 1000])
            if not times["done"]:
                raise TimeoutError(f"no result for {query!r} ({engine}, {mode}) in {timeout_s} s")
            page.wait_for_timeout(50)
            sizes = _sizes(list(seen))
            return Figures(
                engine,
                mode,
                max(0.0, times["done"] - times["last"]) / 1000,
                sum(n for _, n in sizes),
                len(sizes),
                list(page.timeline),
                (times["done"] - times["first"]) / 1000,
                max(0.0, (times["full"] or times["done"]) - times["last"]) / 1000,
            )
        finally:
            browser.close()


def _file_size(url: str) -> int:
    from urllib.parse import urlparse

    path = Path(unquote(urlparse(url).path))
    return path.stat().st_size if path.is_file() else 0


def write_pagefind_page(site: Path) -> None:
    (site / PAGEFIND_PAGE).write_text(
        "<!doctype html><meta charset=utf-8><title>pagefind bench</title>"
        '<script type=module>window.pf = await import("./pagefind/pagefind.js");'
        "await window.pf.options({});window.pfReady = true;</script>",
        encoding="utf-8",
    )


def pagefind(site: Path, query: str, timeout_s: float = 120) -> Figures:
    """Pagefind's API over http: seconds from the query to the first result's data."""
    from playwright.sync_api import sync_playwright

    write_pagefind_page(site)
    with serve(site) as url, sync_playwright() as p:
        browser = _open(p)
        try:
            page = browser.new_page()
            seen = _measured(page)
            page.goto(url + PAGEFIND_PAGE, wait_until="domcontentloaded")
            page.wait_for_function("window.pf !== undefined", timeout=timeout_s * 1000)
            start = time.perf_counter()
            page.evaluate(
                "async q => { const r = await window.pf.search(q); if (r.results.length) await r.results[0].data(); }",
                query,
            )
            seconds = time.perf_counter() - start
            page.wait_for_timeout(50)
            sizes = _sizes(list(seen))
            return Figures("pagefind", "http", seconds, sum(n for _, n in sizes), len(sizes))
        finally:
            browser.close()


# --------------------------------------------------------------------------- recall


def chinese_terms(site: Path, sources: list[tuple[str, str]], count: int = 30, seed: int = 1) -> list[tuple[str, str]]:
    """``count`` (term, page URL) pairs: a 2 to 4 character Chinese run taken from the body of a
    random Chinese SOP page (``sources``: (page URL, Markdown body))."""
    rng = random.Random(seed)
    chinese = [(url, body) for url, body in sources if re.search(r"[\u4e00-\u9fff]{6}", body)]
    out = []
    while chinese and len(out) < count:
        url, body = rng.choice(chinese)
        runs = re.findall(r"[\u4e00-\u9fff]{4,}", body)
        if not runs:
            continue
        run = rng.choice(runs)
        size = rng.choice((2, 3, 4))
        start = rng.randrange(0, len(run) - size + 1)
        out.append((run[start : start + size], url))
    return out


ENGINE_HARNESS = """
async ([worker, index, queries]) => {
  const data = await (await fetch(index)).json();
  const w = new Worker(worker);
  const ask = m => new Promise(ok => { w.onmessage = e => ok(e.data); w.postMessage(m); });
  await ask({type: 0, data: {config: data.config, docs: data.docs, options: {}}});
  const out = [];
  for (const q of queries) {
    const r = await ask({type: 2, data: q});
    out.push(r.data.items.map(list => list[0].location.split("#")[0]));
  }
  w.terminate();
  return out;
}
"""


def recall_ours(site: Path, pairs: list[tuple[str, str]], worker: str = "assets/sop/search-worker.js") -> float:
    """Share of (term, page) pairs whose page is among our engine's results for the term."""
    from playwright.sync_api import sync_playwright

    with serve(site) as url, sync_playwright() as p:
        browser = _open(p)
        try:
            page = browser.new_page()
            page.goto(url + "404.html" if (site / "404.html").exists() else url)
            found = page.evaluate(
                ENGINE_HARNESS, [url + worker, url + "search/search_index.json", [t for t, _ in pairs]]
            )
        finally:
            browser.close()
    return sum(1 for (_, want), got in zip(pairs, found) if want in {unquote(g) for g in got}) / max(1, len(pairs))


def recall_pagefind(site: Path, pairs: list[tuple[str, str]]) -> float:
    """Share of (term, page) pairs whose page is among Pagefind's results for the term."""
    from playwright.sync_api import sync_playwright

    write_pagefind_page(site)
    with serve(site) as url, sync_playwright() as p:
        browser = _open(p)
        try:
            page = browser.new_page()
            page.goto(url + PAGEFIND_PAGE)
            page.wait_for_function("window.pfReady === true")
            found = page.evaluate(
                """async qs => { const out = [];
                for (const q of qs) { const r = await window.pf.search(q);
                  const d = await Promise.all(r.results.map(x => x.data()));
                  out.push(d.map(x => x.url)); }
                return out; }""",
                [t for t, _ in pairs],
            )
        finally:
            browser.close()
    return sum(1 for (_, want), got in zip(pairs, found) if "/" + want in {unquote(g) for g in got}) / max(
        1, len(pairs)
    )


def figures_json(items: list[Figures]) -> str:
    return json.dumps([f.__dict__ for f in items], ensure_ascii=False)


# --------------------------------------------------------------------------- command line


def main(argv=None) -> int:
    """The search part of the benchmark alone, on a site built already (``bench/run.py --keep-sites``
    keeps them under its work folder): ``python bench/search_browser.py SITE [--query Q] [--repeat N]``."""
    import argparse
    import statistics

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("site", type=Path, help="a site built with the plugin (or plain Material: --engine material)")
    parser.add_argument("--query", action="append", help="repeatable (default: 杀菌釜 and metal detector)")
    parser.add_argument("--mode", action="append", choices=("http", "file"), help="repeatable (default: both)")
    parser.add_argument("--engine", default="ours", choices=("ours", "material"))
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (the median is printed)")
    parser.add_argument(
        "--delay", type=float, default=TYPING_MS, help="milliseconds between keys (0: a paste; 60: a fast typist)"
    )
    parser.add_argument("--timeline", action="store_true", help="print each search request of the last run")
    args = parser.parse_args(argv)
    for query in args.query or ["杀菌釜", "metal detector"]:
        for mode in args.mode or ["http", "file"]:
            runs = [material_box(args.site, query, mode, args.engine, delay_ms=args.delay) for _ in range(args.repeat)]
            seconds = statistics.median(f.seconds for f in runs)
            first = statistics.median(f.from_first_key for f in runs)
            text = statistics.median(f.with_text for f in runs)
            print(
                f"{args.engine} {mode:4} {query!r}: first result {seconds:.2f} s after the last key "
                f"({first:.2f} s from the first, {text:.2f} s with its snippet; runs: "
                + ", ".join(f"{f.seconds:.2f}/{f.from_first_key:.2f}/{f.with_text:.2f}" for f in runs)
                + f"), {runs[-1].search_bytes / 1e6:.2f} MB in {runs[-1].requests} requests"
            )
            if args.timeline:
                for at, name in runs[-1].timeline:
                    print(f"    {at:7.3f} s  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
