"""What every generated page needs to know about the site being built: :class:`SiteContext`.

Leaf module of ``pages/`` (only :mod:`.urls` below it), no MkDocs: the adapter fills it from
``mkdocs.yml`` and its files, a build without MkDocs with :meth:`SiteContext.standalone`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sop_plugin.model import Catalog, Sop
from sop_plugin.pages.forms import fill_report_url, report_values
from sop_plugin.pages.qr import QrLinks
from sop_plugin.pages.urls import page_url


@dataclass
class SiteContext:
    """What the renderer needs to know about the site being built."""

    catalog: Catalog
    t: Callable[..., str]  # UI strings of the site language (sop_plugin.i18n.strings_for); t.language
    today: dt.date
    url_of_path: Callable[[str], str | None]  # docs path -> site URL of its page, None if not built
    url_for_src: Callable[[str], str]  # src_uri of a generated page -> its site URL
    directory_urls: bool = True
    stamp: dict = field(default_factory=lambda: {"commit": None, "time": None})  # see revisions.stamp.build_stamp
    versions: Any = None  # sop_plugin.revisions.versions.Versions: history, archived and in-force versions
    site_url: str | None = None  # mkdocs.yml site_url (absolute links in the Atom feed), if set
    site_name: str = ""
    ask_employee: bool = False  # plugin option ask_employee_number: learner bars ask for it too
    edit_url_of: Callable[[str], str | None] = lambda path: None  # docs path -> "Edit this SOP" URL
    report_url: str | None = None  # plugin option report_url: "Report a problem" URL template
    qr: QrLinks = field(default_factory=lambda: QrLinks(None))  # QR code addresses (pages/qr.py)
    copy_site: str | None = None  # a plant copy's site (site_filter): cards only for its own site
    #: Where the templates are looked up (the theme's loader under MkDocs, so ``custom_dir``
    #: overrides them); None: the package's own ``templates/`` folder.
    loader: Any = None
    #: "What changed" between two bodies (``pages.diff.body_diff`` when None); while archived pages
    #: are written, one that takes earlier builds' results from the cache (``pages.archive.remembered_diff``).
    compare_bodies: Callable[[str, str], Any] | None = None
    #: Per-build caches of the page helpers (the Jinja environment, escaped links): see ``pages/html.py``.
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def standalone(
        cls, catalog: Catalog, t: Callable[..., str], today: dt.date, directory_urls: bool = True, **options
    ):
        """A context for a build without MkDocs: every SOP of ``catalog`` has its page, at the URL
        MkDocs would give it (:func:`.urls.page_url`); ``options`` are the other fields."""

        def url_of_path(path: str) -> str | None:
            return page_url(path, directory_urls) if path in catalog.by_path else None

        return cls(
            catalog=catalog,
            t=t,
            today=today,
            url_of_path=url_of_path,
            url_for_src=lambda src: page_url(src, directory_urls),
            directory_urls=directory_urls,
            **options,
        )

    def report_href(self, sop: Sop, **more) -> str | None:
        """The "Report a problem" link of ``sop``: ``report_url`` with ``{id}``, ``{version}``,
        ``{title}``, ``{url}`` and, for an exception's own link (``more``), ``{exception}`` and
        ``{step}`` filled in (URL-encoded, see :mod:`sop_plugin.pages.forms`); None when unset."""
        if not self.report_url:
            return None
        return fill_report_url(self.report_url, report_values(sop, self.site_url, **more))

    def url_of(self, sop_id: str) -> str | None:
        """The site URL of the current page of ``sop_id``; None when it is not part of this build."""
        sop = self.catalog.get(sop_id)
        return self.url_of_path(sop.path) if sop else None
