"""``cards/``: a printable card for every workstation, line and site named in ``applies_to``.

The site pages (:mod:`sop_plugin.pages.places`) answer "which SOPs apply here?" on screen; a card
is their printed companion, posted at the station: one sheet (A5, or A4 for a long list) with

- the SOPs in force there: id, title, the version in force and its QR code (``id/<SOP-ID>/``,
  which always opens the version in force, so a card stays right until the list itself changes);
- the control points of those SOPs, with their limits, how they are monitored, and what to do
  when a limit is missed (the corrective action);
- "as of": the newest effective date among its SOPs, so a posted card can be checked against the
  site; the cards index lists the cards whose SOPs were revised in the last 90 days (what
  changed, :mod:`sop_plugin.pages.changes_feed`): those are the cards to reprint.

A card lists an SOP when the version *in force* names the place: a working-tree version that
is upcoming is not on it yet (its earlier version is, when one is in force), and a superseded or
obsolete SOP (or one replaced by an SOP in force) is not on it at all. SOPs with an empty
``applies_to`` apply everywhere and are not repeated on every card (the card says how many).
A plant copy's catalog is already restricted, and site cards are made only for its own site.

Out of the navigation (the index is in it) and out of search: a card repeats what the SOP pages
say. Its HTML comes from autoescaped Jinja templates (``templates/station/``). No MkDocs import.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

from sop_plugin.model import Sop, localized
from sop_plugin.model.schema import ControlPoint
from sop_plugin.pages import GeneratedFile
from sop_plugin.pages.changes_feed import CHANGES_DIR, WINDOW_DAYS, recent_changes
from sop_plugin.pages.context import SiteContext
from sop_plugin.pages.duties import is_current
from sop_plugin.pages.html import render_page, template
from sop_plugin.pages.qr import QrCode
from sop_plugin.pages.urls import file_slug, relative_url, site_src

CARDS_DIR = "cards"
KINDS = ("workstations", "lines", "sites")  # applies_to fields, in the index's order
KIND_NAME = {"workstations": "workstation", "lines": "line", "sites": "site"}
TEMPLATE_CARD = "station/card.html"
TEMPLATE_INDEX = "station/cards-index.html"
TEMPLATE_CHANGES_NOTE = "station/changes-cards.html"
CHANGES_INDEX = f"{CHANGES_DIR}/index.md"
REGISTER_SCRIPT = "assets/sop/registers.js"


@dataclass
class CardSop:
    sop: Sop  # the version in force
    href: str
    qr: QrCode | None


@dataclass
class CardPoint:
    sop: Sop
    point: ControlPoint
    href: str
    monitor: str  # the monitoring role's name


@dataclass
class Card:
    kind: str  # workstations | lines | sites
    name: str
    src_uri: str
    sops: list[CardSop] = field(default_factory=list)
    points: list[CardPoint] = field(default_factory=list)
    in_force: list[Sop] = field(default_factory=list)  # the versions in force that name the place, by id
    as_of: object = None  # newest effective date of its SOPs
    changed: list = field(default_factory=list)  # recent revisions of its SOPs (changes_feed.Change)


def card_src(kind: str, name: str, taken: set[str]) -> str:
    """``cards/<kind>-<name>.md``; names that map to the same file name get a short hash."""
    base = f"{CARDS_DIR}/{KIND_NAME[kind]}-{file_slug(name)}"
    src = f"{base}.md"
    if src in taken:
        src = f"{base}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:8]}.md"
    taken.add(src)
    return src


def in_force(site: SiteContext) -> list[Sop]:
    """The version in force of every SOP of this build that has one, by id."""
    found = []
    for sop_id in sorted(site.catalog.by_id):
        sop = site.catalog.by_id[sop_id]
        shown = site.versions.shown(sop) if site.versions is not None else sop
        if shown is not None and site.url_of(sop_id) and is_current(shown, site.catalog, site.today):
            found.append(shown)
    return found


def build_cards(site: SiteContext, sops: list[Sop]) -> list[Card]:
    """Every card of ``sops`` (the versions in force), workstations first, each list sorted by id."""
    places: dict[tuple[str, str], list[Sop]] = {}
    for sop in sops:
        where = sop.meta.applies_to
        for kind in KINDS:
            for name in getattr(where, kind):
                places.setdefault((kind, name), []).append(sop)
    copy_site = getattr(site, "copy_site", None)
    changes: dict[str, list] = {}
    for change in recent_changes(site):
        changes.setdefault(change.sop.id, []).append(change)
    taken: set[str] = set()
    cards = []
    for kind in KINDS:
        for name in sorted(name for k, name in places if k == kind):
            if kind == "sites" and copy_site and name != copy_site:
                continue  # a plant copy: only its own site's card
            chosen = sorted({s.id: s for s in places[(kind, name)]}.values(), key=lambda s: s.id)
            card = Card(kind, name, card_src(kind, name, taken), in_force=chosen)
            card.as_of = max((s.meta.effective_date for s in chosen if s.meta.effective_date), default=None)
            card.changed = sorted(
                (c for s in chosen for c in changes.get(s.id, [])), key=lambda c: c.when, reverse=True
            )
            cards.append(card)
    return cards


def card_pages(site: SiteContext, generated: list[GeneratedFile] = ()) -> list[GeneratedFile]:
    """The card pages and ``cards/index.md`` (called by :func:`~sop_plugin.pages.core.generate_site`).

    ``generated``: the other generated files; when the "what changed" page (``changes/index.md``)
    is among them, it is returned too, with the cards to reprint named under its intro."""
    sops = in_force(site)
    cards = build_cards(site, sops)
    if not cards:
        return []
    everywhere = sum(
        1 for s in sops if not (s.meta.applies_to.sites or s.meta.applies_to.lines or s.meta.applies_to.workstations)
    )
    lang, roles = site.t.language, site.catalog.roles
    files = []
    index_src = f"{CARDS_DIR}/index.md"
    index_url = site.url_for_src(index_src)
    rows = []
    for card in cards:
        url = site.url_for_src(card.src_uri)
        for sop in card.in_force:
            href = relative_url(site.url_of(sop.id), url)
            card.sops.append(CardSop(sop, href, site.qr.current(sop.id)))
            for point in sop.meta.control_points:
                monitor = point.monitoring.who if point.monitoring else None
                name = localized(roles[monitor].name, lang) if monitor in roles else (monitor or "")
                card.points.append(CardPoint(sop, point, f"{href}#cp-{point.id}", name))
        place_href = _place_href(site, card, url)
        files.append(
            render_page(
                site,
                card.src_uri,
                site.t(f"card.title.{KIND_NAME[card.kind]}", name=card.name),
                TEMPLATE_CARD,
                in_nav=False,
                meta={"search": {"exclude": True}},
                card=card,
                kind=KIND_NAME[card.kind],
                place_href=place_href,
                index_href=relative_url(index_url, url),
                everywhere=everywhere,
                window=WINDOW_DAYS,
            )
        )
        rows.append({"card": card, "href": relative_url(url, index_url), "kind": KIND_NAME[card.kind]})
    files.append(
        render_page(
            site,
            index_src,
            site.t("cards"),
            TEMPLATE_INDEX,
            rows=rows,
            reprint=[row for row in rows if row["card"].changed],
            window=WINDOW_DAYS,
            script=relative_url(REGISTER_SCRIPT, index_url),
        )
    )
    reprint = [row for row in rows if row["card"].changed]
    changes = next((f for f in generated if f.src_uri == CHANGES_INDEX and f.body is not None), None)
    if reprint and changes is not None:
        changes_url = site.url_for_src(CHANGES_INDEX)
        note = template(site, TEMPLATE_CHANGES_NOTE).render(
            reprint=[(row, relative_url(site.url_for_src(row["card"].src_uri), changes_url)) for row in reprint],
            href=relative_url(index_url, changes_url),
            window=WINDOW_DAYS,
        )
        marker = '<p class="sop-changes__feed">'
        body = changes.body.replace(marker, note + marker, 1) if marker in changes.body else note + changes.body
        files.append(replace(changes, body=body))
    return files


def _place_href(site: SiteContext, card: Card, url: str) -> str:
    """The card's place on the site pages: the site page, or its line/workstation section."""
    if card.kind == "sites":
        return relative_url(site.url_for_src(site_src(card.name)), url)
    anchor = f"#{KIND_NAME[card.kind]}-{file_slug(card.name)}"
    sites = sorted({s for c in card.sops for s in c.sop.meta.applies_to.sites})
    page = site_src(sites[0]) if sites else "sites/index.md"
    return relative_url(site.url_for_src(page), url) + anchor
