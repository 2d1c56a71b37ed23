"""Time to the first search result in headless Chromium (issue 6), over plain http.

The site is served from a local thread; the page is opened and the query typed as soon as the
DOM is ready, so the time includes fetching and loading the search index, as it does for a
person who opens the site and types at once. Debian's chromium is used (``/usr/bin/chromium``).
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
#: Debian's Chromium on a machine with no internet: no background requests, no first-run work.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
QUERY_INPUT = "input[data-md-component=search-query]"
RESULT_ITEM = ".md-search-result__item"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # no access log on the benchmark's output
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:  # a request the browser cancelled: no traceback
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve(site: Path):
    """Serve ``site`` on a free local port; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def first_result_seconds(site: Path, query: str, timeout_s: float = 120) -> float:
    """Seconds from typing ``query`` on the home page to the first search result shown."""
    from playwright.sync_api import sync_playwright

    with serve(site) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(url, wait_until="domcontentloaded")
            page.click(QUERY_INPUT)
            start = time.perf_counter()
            page.keyboard.type(query)
            page.keyboard.press("End")  # a keyup, whichever event the search listens to
            page.wait_for_selector(RESULT_ITEM, timeout=timeout_s * 1000)
            return time.perf_counter() - start
        finally:
            browser.close()


if __name__ == "__main__":
    import sys

    print(f"{first_result_seconds(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else '杀菌釜'):.2f} s")
