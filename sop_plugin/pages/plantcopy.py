"""Plant copies in the HTML: ordinary Markdown links to an SOP left out of the copy.

``[[SOP-ID]]`` links and the lists of the header card already say "not part of this copy" (the
catalog is restricted in :mod:`sop_plugin.model.filters`). A hand-written ``[text](../qa/x.md)``
link to a left-out SOP's page would point at a page that is not there, and its text may be that
SOP's title: it becomes the same marker, with the id only. No MkDocs import.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

from sop_plugin.pages.html import missing_ref

_LINK = re.compile(r'<a\b[^>]*?\bhref="([^"]*)"[^>]*>.*?</a>', re.S)


def _site_path(url: str) -> str:
    path = url.split("#", 1)[0].split("?", 1)[0]
    path = posixpath.normpath(path) if path else "."
    if path.endswith("/index.html"):
        path = path[: -len("/index.html")]
    return path.strip("/")


def unlink_left_out(html: str, page_url: str, left_out: dict[str, str], t: Callable[..., str]) -> str:
    """``html`` with every link to a left-out SOP page replaced by "<id> (not part of this copy)"
    (``t``: the site's UI strings, :class:`sop_plugin.i18n.Strings`).

    ``left_out`` maps the site URL of each left-out SOP page to its id; ``page_url`` is the URL of
    the page being rendered (both site-root relative, as MkDocs gives them).
    """
    if not left_out or "<a" not in html:
        return html
    targets = {_site_path(url): sop_id for url, sop_id in left_out.items()}
    base = page_url if page_url.endswith("/") else posixpath.dirname(page_url)

    def replace(match: re.Match) -> str:
        href = match.group(1)
        if not href or "://" in href or href.startswith(("#", "mailto:", "/")):
            return match.group(0)
        sop_id = targets.get(_site_path(posixpath.join(base, href)))
        if sop_id is None:
            return match.group(0)
        return str(missing_ref(sop_id, t("ref_missing", id=sop_id, reason=t("not_in_copy"))))

    return _LINK.sub(replace, html)
