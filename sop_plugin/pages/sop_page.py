"""The parts of every SOP page around its body: header card and banners before it; control points,
exceptions, records, relations, the revision history and (on an archived or upcoming version)
"what changed" after it. Templates: ``templates/sop/`` (rendered by :class:`.render.SopRenderer`).
No MkDocs import.
"""

from __future__ import annotations

from markupsafe import Markup

from sop_plugin.model import Sop
from sop_plugin.pages.context import SiteContext
from sop_plugin.pages.diff import diff_section
from sop_plugin.pages.html import ui
from sop_plugin.pages.render import SopRenderer
from sop_plugin.pages.urls import relative_url
from sop_plugin.revisions.versions import SopVersions

MAX_COMMITS_SHOWN = 6


def sop_of_page(site: SiteContext, src_uri: str) -> Sop | None:
    """The SOP (or the version of it) a page shows, by the page's ``src_uri``; None: not an SOP page."""
    view = site.versions.view(src_uri) if site.versions is not None else None
    return view.sop if view is not None else site.catalog.by_path.get(src_uri)


def page_parts(renderer: SopRenderer, site: SiteContext, src_uri: str, page_url: str) -> tuple[str, str] | None:
    """``(before the body, after the body)`` of an SOP page as plain ``str`` (never Markup: adding
    a Markup to the page's HTML would escape it), or None when the page is not an SOP page."""
    view = site.versions.view(src_uri) if site.versions is not None else None
    sop = view.sop if view is not None else site.catalog.by_path.get(src_uri)
    if sop is None:
        return None
    if view is not None:
        versions = view.versions
    else:
        versions = site.versions.of(sop) if site.versions is not None else None
    if view is None or view.kind == "in-force":
        extra = {"notice": _next_notice(site, versions, page_url)} if view is not None else {}
        before = renderer.header(sop, page_url, **extra)
        after = renderer.sections(sop, page_url) + history_section(renderer, site, versions, sop, page_url)
        return before, after
    t, shown = site.t, versions.shown
    current = Markup('<a href="{}" data-sop-current="{}">{} {}</a>').format(
        relative_url(site.url_of_path(versions.sop.path) or "", page_url), shown.id, shown.id, shown.title
    )
    if view.kind == "archive":
        notice = {"kind": "archive", "html": ui(site, "archive.banner", version=shown.version, link=current)}
        before = renderer.header(
            sop,
            page_url,
            state="superseded",
            overdue=False,
            problems=[],
            notice=notice,
            edit_url=None,
            report_href=None,
        )  # an archived text is not edited or reported
        after = renderer.sections(sop, page_url, superseded_by=[], referenced_by=[])
        newer = view.newer.sop() if view.newer is not None else None
        if newer is not None:
            after += str(
                diff_section(
                    sop,
                    newer,
                    t,
                    heading=t("diff.heading", old=sop.version, new=newer.version),
                    new_link=_version_link(site, versions, newer.version, page_url),
                    compare=site.compare_bodies,
                )
            )
        return before, after
    # The upcoming version, shown apart while an earlier version is in force.
    older = view.older.sop()
    notice = {
        "kind": "upcoming",
        "html": ui(
            site,
            "upcoming.banner",
            version=sop.version,
            date=sop.meta.effective_date,
            current=shown.version,
            link=current,
        ),
    }
    before = renderer.header(sop, page_url, overdue=False, notice=notice)
    after = renderer.sections(sop, page_url)
    if older is not None:
        heading = t("diff.heading", old=older.version, new=sop.version)
        after += str(diff_section(older, sop, t, heading=heading, compare=site.compare_bodies))
    return before, after


def _version_link(site: SiteContext, versions: SopVersions, version: str, page_url: str) -> Markup:
    """ "Version X: <link>" to the page showing ``version`` (its own page, or the SOP's page)."""
    view = versions.view_of(version)
    if view is not None and view.kind != "in-force":
        url = site.url_for_src(view.src_uri)
    else:
        url = site.url_of_path(versions.sop.path) or ""
    return Markup('<a href="{}">{}</a>').format(
        relative_url(url, page_url), site.t("diff.see_version", version=version)
    )


def _next_notice(site: SiteContext, versions: SopVersions, page_url: str) -> dict | None:
    upcoming = versions.upcoming_view
    if upcoming is None:
        return None
    sop = versions.sop
    link = Markup('<a href="{}" data-sop-upcoming="{}">{}</a>').format(
        relative_url(site.url_for_src(upcoming.src_uri), page_url),
        sop.version,
        site.t("diff.see_version", version=sop.version),
    )
    return {
        "kind": "next",
        "html": ui(site, "upcoming.notice", version=sop.version, date=sop.meta.effective_date, link=link),
    }


def history_section(
    renderer: SopRenderer, site: SiteContext, versions: SopVersions | None, sop: Sop, page_url: str
) -> str:
    """The revision history table of an SOP page (``sop/history.html``)."""
    if versions is None or not versions.rows:
        return ""
    rows, diff_target = [], {}
    for view in versions.views:
        if view.kind == "archive" and view.newer is not None:
            diff_target[view.newer.version] = view  # the page that shows what changed *to* this version
        if view.kind == "upcoming" and view.older is not None:
            diff_target[view.snapshot.version] = view
    for row in versions.rows:
        href = relative_url(site.url_for_src(row.src_uri), page_url) if row.src_uri else None
        target = diff_target.get(row.version)
        diff_href = relative_url(site.url_for_src(target.src_uri), page_url) + "#changes" if target else None
        rows.append(
            {
                "row": row,
                "href": href,
                "diff_href": diff_href,
                "commits": row.commits[:MAX_COMMITS_SHOWN],
                "more": max(0, len(row.commits) - MAX_COMMITS_SHOWN),
            }
        )
    history = site.versions.history if site.versions is not None else None
    if history is not None and history.available and versions.revisions:
        source = "history.source_shallow" if history.shallow else "history.source_git"
    else:
        source = "history.source_changes"
    return renderer.render("sop/history.html", sop, page_url, rows=rows, source=source)
