"""``changes/``: what changed in the last 90 days, for everyone and per role, and an Atom feed.

One line per revision, newest first: from git, every commit that touched an SOP (a commit that
starts a new version carries the ``changes`` summary and reason of that version, and a new MAJOR
version is marked "retrain"); for an SOP without git history, its ``changes`` entries. The window
ends at the build date (``site.today``), so a nightly rebuild moves it.

``changes/<role-id>`` lists the changes of the SOPs where that role has a RACI entry or is trained:
what a supervisor reads to know who needs retraining. ``changes/feed.xml`` is an Atom feed of the
same lines (a static file, no server): dates are the commits' own, ``updated`` is the newest entry,
so the same commit builds the same bytes. Links are absolute when ``site_url`` is set, else
relative to the feed. No MkDocs import.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from urllib.parse import urljoin

from sop_plugin.model import Sop, localized
from sop_plugin.pages import GeneratedFile
from sop_plugin.pages.context import SiteContext
from sop_plugin.pages.html import render_document, render_page, xml_environment
from sop_plugin.pages.urls import CHANGES_DIR, changes_src, page_src, relative_url
from sop_plugin.revisions.versions import major, version_key

FEED = page_src(CHANGES_DIR, "feed", suffix=".xml")
WINDOW_DAYS = 90
#: At most this many lines on a page and entries in the feed (newest first): the window is about
#: activity, not about the number of SOPs, but a mass edit must not make a 10 MB page.
MAX_LINES = 1000
MAX_FEED_ENTRIES = 200


@dataclass
class Change:
    """One revision of one SOP."""

    sop: Sop
    when: dt.datetime  # aware; a changes entry's date is taken at 00:00 UTC
    version: str | None
    authors: list[str]
    summary: str
    reason: str | None
    commit: str | None  # full sha; None for an entry of the changes log
    new_version: bool
    retrain: bool  # a new MAJOR version

    @property
    def day(self) -> dt.date:
        return self.when.date()


def recent_changes(site: SiteContext, days: int = WINDOW_DAYS) -> list[Change]:
    """Revisions of SOPs in this build dated within ``days`` days up to the build date, newest first."""
    start = site.today - dt.timedelta(days=days)
    found: list[Change] = []
    for sop in site.catalog.by_id.values():
        if site.url_of_path(sop.path) is None:
            continue
        versions = site.versions.of(sop) if site.versions is not None else None
        items = _git_changes(sop, versions) if versions is not None and versions.revisions else _log_changes(sop)
        found += [item for item in items if start <= item.day <= site.today]
    found.sort(key=lambda c: (c.when.astimezone(dt.timezone.utc), c.sop.id, c.commit or ""), reverse=True)
    return found


def _git_changes(sop: Sop, versions) -> list[Change]:
    logged = {}
    for change in sop.meta.changes:
        logged.setdefault(change.version, change)
    first_commits = {entry.first_commit: entry.version for entry in versions.entries}
    older = sorted((e.version for e in versions.entries if e.version), key=version_key)
    items = []
    for revision in versions.revisions:
        started = first_commits.get(revision.commit)
        entry = logged.get(revision.version) if started else None
        below = [v for v in older if version_key(v) < version_key(revision.version)]
        retrain = bool(started and below and major(below[-1]) != major(revision.version))
        items.append(
            Change(
                sop,
                revision.date,
                revision.version,
                [revision.author],
                entry.summary if entry else revision.subject,
                entry.reason if entry else None,
                revision.commit,
                bool(started),
                retrain,
            )
        )
    return items


def _log_changes(sop: Sop) -> list[Change]:
    versions = sorted({c.version for c in sop.meta.changes}, key=version_key)
    items = []
    for change in sop.meta.changes:
        below = [v for v in versions if version_key(v) < version_key(change.version)]
        when = dt.datetime.combine(change.date, dt.time(), dt.timezone.utc)
        items.append(
            Change(
                sop,
                when,
                change.version,
                [change.author] if change.author else [],
                change.summary,
                change.reason,
                None,
                True,
                bool(below) and major(below[-1]) != major(change.version),
            )
        )
    return items


def concerns(sop: Sop, role_id: str) -> bool:
    """True when ``role_id`` has a RACI entry in ``sop`` or is trained on it."""
    meta = sop.meta
    return any(r.role == role_id for r in meta.roles) or bool(meta.training and role_id in meta.training.roles)


def changes_pages(site: SiteContext) -> list[GeneratedFile]:
    """``changes/index.md``, one ``changes/<role-id>.md`` per role (out of nav), ``changes/feed.xml``."""
    t, lang = site.t, site.t.language
    changes = recent_changes(site)
    index_src = page_src(CHANGES_DIR)
    index_url = site.url_for_src(index_src)
    roles = sorted(site.catalog.roles.values(), key=lambda r: (r.department or "", r.id))
    shown = {"changes": changes[:MAX_LINES], "total": len(changes), "days": WINDOW_DAYS}
    files = [
        render_page(
            site,
            index_src,
            t("changes"),
            "pages/changes.html",
            feed=relative_url(FEED, index_url),
            roles=[(role, relative_url(site.url_for_src(changes_src(role.id)), index_url)) for role in roles],
            **shown,
        )
    ]
    for role in roles:
        src = changes_src(role.id)
        mine = [change for change in changes if concerns(change.sop, role.id)]
        name = localized(role.name, lang)
        files.append(
            render_page(
                site,
                src,
                t("changes.role_title", role=name),
                "pages/changes-role.html",
                in_nav=False,
                meta={"search": {"exclude": True}},
                role=role,
                name=name,
                index=relative_url(index_url, site.url_for_src(src)),
                retrain=sorted({change.sop.id for change in mine if change.retrain}),
                changes=mine[:MAX_LINES],
                total=len(mine),
                days=WINDOW_DAYS,
            )
        )
    files.append(GeneratedFile(FEED, atom_feed(site, changes)))
    return files


FEED_TEMPLATE = "pages/feed.xml.html"  # .html: MkDocs publishes any other file of a theme folder


def _timestamp(when: dt.datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def atom_feed(site: SiteContext, changes: list[Change]) -> str:
    """The Atom (RFC 4287) feed of ``changes`` (template ``pages/feed.xml.html``, XML-autoescaped);
    every id a stable URN or the feed's own URL."""
    t = site.t
    base = site.site_url.rstrip("/") + "/" if site.site_url else None

    def link(url: str) -> str:  # url: relative to the site root
        return urljoin(base, url) if base else relative_url(url, FEED)

    name = site.site_name or "SOP"
    entries = []
    for change in changes[:MAX_FEED_ENTRIES]:
        sop = change.sop
        key = f"{sop.id}:{change.commit or 'v' + (change.version or '')}"
        title = f"{sop.id} {sop.title}" + (f" — {change.version}" if change.version else "") + f": {change.summary}"
        summary = change.summary + (f" ({t('history.reason')}: {change.reason})" if change.reason else "")
        if change.retrain:
            summary = f"[{t('changes.retrain')}] {summary}"
        roles = sorted({r.role for r in sop.meta.roles} | set(sop.meta.training.roles if sop.meta.training else []))
        known = site.catalog.roles
        entries.append(
            {
                "title": title,
                "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'sop-change:' + key)}",
                "updated": _timestamp(change.when),
                "authors": change.authors,
                "href": link(site.url_of_path(sop.path)),
                "sop_id": sop.id,
                "categories": [(r, localized(known[r].name, t.language) if r in known else None) for r in roles],
                "summary": summary,
            }
        )
    feed = render_document(
        site,
        FEED_TEMPLATE,
        environment=xml_environment,
        title=f"{name} — {t('changes')}",
        subtitle=t("changes.intro", days=WINDOW_DAYS, date=site.today),
        id=urljoin(base, FEED) if base else "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"sop-feed:{name}")),
        updated=_timestamp(changes[0].when) if changes else f"{site.today.isoformat()}T00:00:00Z",
        self_href=link(FEED),
        page_href=link(site.url_for_src(CHANGES_DIR + "/index.md")),
        author=name,
        entries=entries,
    )
    return feed + "\n"
