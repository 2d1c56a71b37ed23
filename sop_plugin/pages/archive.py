"""Archived and upcoming versions of SOPs as pages: ``id/<SOP-ID>/v<version>/``.

``id/<SOP-ID>/v<version>/`` (CONTRACT.md section 4) shows that version's own body, read from git
at the newest commit of that version, with the header card, banner and "what changed" every SOP
page has (:mod:`.sop_page`). These pages are out of the navigation and out of search: a search
must never land on an obsolete version.

They take the **light path**: they are not pages of the site generator (no navigation, no
search entry, no theme page template per page, nothing held until the end of the build). The
adapter converts each body once with the site's Markdown extensions and hands the HTML to
:func:`archive_page`, which wraps it in the light template ``archive/page.html`` (the site's
stylesheets, a header with the site name, the build stamp; no navigation, no scripts besides the
print date), and writes it at once: 5 to 8 ms of CPU per archived page, and memory that stays
flat however many there are. With ``archive_process: true`` the adapter does all of this on a
second process while the build goes on (``adapter/second_process.py``); figures in
docs/guide/versions-and-reviews.md.

While the working-tree version is *upcoming*, the SOP's own page shows the version in force (the
adapter converts that version's body instead of the file's) with a notice, and the upcoming version
gets its page at ``id/<SOP-ID>/v<version>/``. See :mod:`sop_plugin.revisions.versions` for which is which.
No MkDocs import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from markupsafe import Markup

from sop_plugin.model.cache import digest
from sop_plugin.pages import BODY_MARKER
from sop_plugin.pages.context import SiteContext
from sop_plugin.pages.diff import TooLong, body_diff
from sop_plugin.pages.html import environment
from sop_plugin.pages.render import SopRenderer
from sop_plugin.pages.sop_page import page_parts
from sop_plugin.pages.urls import relative_url, root_of
from sop_plugin.revisions.rendered import RenderedStore
from sop_plugin.revisions.versions import PageView

#: The light page template of an archived or upcoming version (overridable from ``custom_dir``).
PAGE_TEMPLATE = "archive/page.html"


@dataclass(frozen=True)
class Theme:
    """What the light template takes from the theme, once per build.

    ``stylesheets``: site paths of every stylesheet the theme's pages link (the theme's own, then
    ``extra_css``); ``palette``: ``{"scheme", "primary", "accent"}`` of the first palette, or empty;
    ``language`` and ``direction``: of the ``<html>`` and ``<body>`` elements."""

    site_name: str = ""
    stylesheets: tuple[str, ...] = ()
    palette: dict = field(default_factory=dict)
    language: str = "en"
    direction: str = "ltr"


def archived_views(site: SiteContext) -> list[PageView]:
    """Every version with a page of its own (archived, or upcoming shown apart), by SOP path."""
    if site.versions is None:
        return []
    return [
        view
        for path in sorted(site.versions.by_path)
        for view in site.versions.by_path[path].views
        if view.kind != "in-force"
    ]


def archive_title(site: SiteContext, view: PageView) -> str:
    """The page title of a version: "巴氏杀菌 (版本 1.0)"."""
    return site.t("archive.title", title=view.snapshot.title or view.versions.sop.title, version=view.snapshot.version)


def archive_page(
    site: SiteContext, renderer: SopRenderer, view: PageView, body: str, page_url: str, theme: Theme, stamp: dict
) -> str:
    """The whole HTML page of ``view``: header card and banner, ``body`` (the version's Markdown,
    converted by the adapter with the site's extensions), "what changed", in the light template.

    ``stamp`` is the build stamp of every footer (``{"commit", "time", "copy_name", "text"}``)."""
    before, after = page_parts(renderer, site, view.src_uri, page_url) or ("", "")
    root = root_of(page_url)
    shell = (
        environment(site)
        .get_template(PAGE_TEMPLATE)
        .render(
            title=archive_title(site, view),
            heading="<h1" not in body,  # the body has no H1 of its own: the page title is the H1
            theme=theme,
            stylesheets=[_link(path, page_url) for path in theme.stylesheets],
            home=root or "./",
            sop_build=stamp,
        )
    )
    # The page's HTML goes where the template put the marker (as in every generated page: HTML is
    # never handed to the template as a string to mark safe).
    return shell.replace(BODY_MARKER, before + body + after, 1)


def _link(path: str, page_url: str) -> str:
    """A stylesheet's link from the page: a site path made relative; a URL as written."""
    return path if "://" in path or path.startswith(("/", "data:")) else relative_url(path, page_url)


def remembered_diff(store: RenderedStore) -> Callable[[str, str], Markup | None]:
    """:func:`~sop_plugin.pages.diff.body_diff` that takes what an earlier build found for the
    same two texts from ``store`` and keeps what it finds (TooLong included)."""

    def compare(old: str, new: str) -> Markup | None:
        key = digest(old, new)
        kept = store.diff(key)
        if kept is not None:
            html, too_long = kept
            if too_long is not None:
                raise TooLong(*too_long)
            return None if html is None else Markup(html)
        try:
            found = body_diff(old, new)
        except TooLong as too_long:
            store.keep_diff(key, None, (too_long.old_lines, too_long.new_lines))
            raise
        store.keep_diff(key, None if found is None else str(found))
        return found

    return compare
