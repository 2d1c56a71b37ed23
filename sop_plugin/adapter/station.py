"""At the workstation, and offline content: the plugin's hooks for QR codes, cards, record forms,
Mermaid and the post-build offline checks, kept out of ``plugin.py`` (which calls one method per hook).

- ``on_config``  :meth:`Station.configure`: the offline configuration checks
  (:mod:`~sop_plugin.adapter.offline`) reported under the ``offline`` mode.
- ``on_files``   :meth:`Station.prepare`: the QR base URL (``qr_base_url``, else ``site_url``; one
  INFO line when there is none) that the card pages use (:mod:`~sop_plugin.pages.cards`, made by
  ``pages.core.generate_site`` with the other generated pages), the record-template check
  (:mod:`~sop_plugin.pages.forms`).
- ``on_page_context``  :meth:`Station.page_context`: a page with a Mermaid diagram gets
  ``page.meta["sop_mermaid"]``, so the template loads the vendored Mermaid before Material's bundle.
- ``on_post_page``     :meth:`Station.post_page`: the content check of the built page
  (:mod:`~sop_plugin.adapter.offline_content`).
- ``on_post_build``    :meth:`Station.post_build`: copy Mermaid when a page used it; report the
  content findings under the ``offline`` mode (``strict``: errors and the build fails; ``warn``:
  warnings, so ``--strict`` fails; ``off``: one INFO line), and the external links once at INFO.

Every finding is also kept in :attr:`Station.findings` (as text, with its level), which ``sop
check`` reads after its in-process build.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger

from sop_plugin.adapter import offline
from sop_plugin.adapter.offline_content import ContentCheck
from sop_plugin.model import Catalog, Problem
from sop_plugin.pages.forms import template_problems
from sop_plugin.pages.qr import QrLinks, absolute_base

log = get_plugin_logger(__name__)


class Station:
    """State of one build for the hooks above."""

    def __init__(self, mode: str = "warn") -> None:
        self.mode = mode
        self.content = ContentCheck()
        self.mermaid = False
        self.scan_seconds = 0.0
        self.offline_errors = 0  # external requests found under offline: strict (the build fails)
        #: ``(level, message)`` of every offline finding and record-template problem of this build.
        self.findings: list[tuple[str, str]] = []

    def _say(self, messages: list[str], what: str) -> None:
        """Report external requests under the offline mode."""
        if not messages:
            return
        if self.mode == "off":
            log.info(f"offline: off: {len(messages)} {what} allowed: " + "; ".join(messages))
            return
        level = "error" if self.mode == "strict" else "warning"
        if self.mode == "strict":
            self.offline_errors += len(messages)
        for message in messages:
            self.findings.append((level, message))
            getattr(log, level)(message)

    def configure(self, config) -> None:
        """The offline defaults, and the configuration's external requests reported."""
        _, external = offline.configure(config)
        self.content.known = offline.configured_urls(config)
        self._say(external, "external request(s) of the configuration")

    def prepare(self, site, catalog: Catalog, config, qr_base_url: str | None, exists) -> list[Problem]:
        """QR addresses for ``site``; returns the record-template problems (errors, logged here)."""
        given = qr_base_url or config.site_url
        base = absolute_base(given)
        if base is None:
            log.info(
                "qr: no QR codes drawn: set `site_url` (or the sop plugin's `qr_base_url`, e.g. the "
                "intranet address) to an absolute http(s) URL" + (f" ({given!r} is not one)" if given else "")
            )
        site.qr = QrLinks(base, config.use_directory_urls)
        problems = template_problems(catalog, exists)
        for problem in problems:
            self.findings.append(("error", str(problem)))
            log.error(str(problem))
        return problems

    def page_context(self, page) -> None:
        if page.content and offline.MERMAID_MARK in page.content:
            page.meta["sop_mermaid"] = True
            self.mermaid = True

    def post_page(self, output: str, page) -> None:
        started = time.perf_counter()
        file = page.file
        source = f"(generated) {file.src_uri}" if file.generated_by else file.src_uri
        self.content.page(source, output, page.content)
        self.scan_seconds += time.perf_counter() - started

    def post_build(self, config) -> None:
        if self.mermaid:
            for uri, path in offline.MERMAID_FILES.items():
                target = Path(config.site_dir) / uri
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
        self._say(self.content.messages(), "external resource(s) in pages")
        links = self.content.links_line()
        if links:
            log.info(links)
        log.debug(f"offline: content check of {self.content.pages} pages took {self.scan_seconds * 1000:.0f} ms")
        if self.offline_errors:
            raise PluginError(
                f"offline: strict: {self.offline_errors} external request(s), see the errors above "
                "(or set the sop plugin's `offline: warn` or `off` for a site hosted on the internet)"
            )
