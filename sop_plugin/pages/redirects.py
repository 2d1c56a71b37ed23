"""``id/<SOP-ID>/``: a stable address that always opens the current version of an SOP.

A static HTML redirect (meta refresh, a script for file:// and a visible link), written with a
relative target so it works from a copied folder as well as from any host (``pages/redirect.html``).
"""

from __future__ import annotations

from sop_plugin.pages import GeneratedFile
from sop_plugin.pages.context import SiteContext
from sop_plugin.pages.html import render_document, script_json
from sop_plugin.pages.urls import redirect_src, relative_url


def redirect_uri(sop_id: str) -> str:
    """The site path of the redirect page for ``sop_id`` (the same with or without directory URLs)."""
    return redirect_src(sop_id)


def redirect_files(site: SiteContext) -> list[GeneratedFile]:
    """One redirect page per SOP id that has a page in this build."""
    files = []
    for sop_id in sorted(site.catalog.by_id):
        url = site.url_of(sop_id)
        if url is None:
            continue
        href = relative_url(url, redirect_uri(sop_id))
        if href.endswith("/") and not site.directory_urls:
            href += "index.html"
        html = render_document(site, "pages/redirect.html", sop_id=sop_id, href=href, href_js=script_json(href))
        files.append(GeneratedFile(redirect_uri(sop_id), html + "\n"))
    return files
