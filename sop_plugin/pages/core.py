"""The core without MkDocs: authored inputs in, the whole generated part of the site out.

:func:`generate_site` is what an adapter calls (the MkDocs plugin today, a ProperDocs or Zensical
adapter tomorrow): it takes the loaded :class:`~sop_plugin.model.Catalog` inside a
:class:`~sop_plugin.pages.context.SiteContext` and returns a :class:`SiteOutput`. The adapter's
only jobs are to write those files, to put each page's HTML body in its theme, and to render the
SOP pages themselves (``pages/sop_page.py``). Nothing here imports MkDocs or Material.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sop_plugin.pages import GeneratedFile
from sop_plugin.pages.assets import site_assets
from sop_plugin.pages.build_info import build_info_file
from sop_plugin.pages.cards import CHANGES_INDEX, card_pages
from sop_plugin.pages.catalog_json import catalog_file
from sop_plugin.pages.changes_feed import changes_pages
from sop_plugin.pages.context import SiteContext
from sop_plugin.pages.departments import department_pages
from sop_plugin.pages.directory import directory_page
from sop_plugin.pages.owners import owner_pages
from sop_plugin.pages.places import place_pages
from sop_plugin.pages.redirects import redirect_files
from sop_plugin.pages.registers import register_files
from sop_plugin.pages.reviews import review_pages
from sop_plugin.pages.roles import role_pages
from sop_plugin.pages.training import training_pages


@dataclass
class SiteOutput:
    """Everything :func:`generate_site` makes."""

    #: Pages (``.md``): a generated page has ``title``, ``body`` (its whole HTML, H1 included) and
    #: ``meta`` (front-matter); an archived version's page has Markdown ``content`` and no body.
    pages: list[GeneratedFile] = field(default_factory=list)
    #: Machine-readable outputs and other files written as they are: ``sop-catalog.json``,
    #: ``sop-build.json``, ``id/<SOP-ID>/index.html`` redirects, ``changes/feed.xml``, the CSV.
    files: list[GeneratedFile] = field(default_factory=list)
    #: Package files to copy: ``{site path: file}`` (stylesheets, scripts).
    assets: dict[str, Path] = field(default_factory=dict)

    def all_files(self) -> list[GeneratedFile]:
        """Pages, then files."""
        return self.pages + self.files

    def page(self, src_uri: str) -> GeneratedFile | None:
        """The generated page or file at ``src_uri``, or None."""
        return next((item for item in self.all_files() if item.src_uri == src_uri), None)


def generate_site(
    site: SiteContext, *, generated_pages: bool = True, copy=None, copy_name: str | None = None
) -> SiteOutput:
    """Every generated page, file and asset of the site, from the authored inputs in ``site``.

    ``site`` holds the validated, plant-copy-restricted catalog (``site.catalog``), the UI strings
    (``site.t``), the build date (``site.today``), the URL rule of pages (``site.url_of_path``,
    ``site.url_for_src``; :meth:`SiteContext.standalone` gives MkDocs' rule without MkDocs), the
    versions from git if any (``site.versions``), and the templates' loader (``site.loader``;
    None: the package's templates). ``generated_pages=False`` (the plugin option of that name)
    leaves out the role, register, site, owner and workstation card pages. ``copy`` (a
    :class:`~sop_plugin.model.filters.CopyFilter`) and ``copy_name`` describe a plant copy in
    ``sop-build.json``; without ``copy`` that file is not made.

    To add a page family: write a module in ``pages/`` with a function ``(site) ->
    list[GeneratedFile]`` and call it in :func:`iter_site`; the adapter needs no change.
    Deterministic: the same inputs give the same bytes. An adapter that writes each file as it
    comes uses :func:`iter_site` (the same files in the same order, never all held at once).
    """
    output = SiteOutput(assets=site_assets(generated_pages))
    for item in iter_site(site, generated_pages=generated_pages, copy=copy, copy_name=copy_name):
        (output.pages if item.src_uri.endswith(".md") else output.files).append(item)
    return output


def iter_site(
    site: SiteContext, *, generated_pages: bool = True, copy=None, copy_name: str | None = None
) -> Iterator[GeneratedFile]:
    """The files of :func:`generate_site` (its arguments), one at a time: its pages, then its
    files, in the order of :meth:`SiteOutput.all_files`.

    Each page is handed on as soon as its family has made it, so a caller that writes it away
    (the MkDocs adapter spools its body to disk) never holds every page at once: at 10,000 SOPs
    they are about 200 MB of text. The files (``sop-catalog.json``, redirects, the feed, the
    CSV) come last, as in ``SiteOutput.files`` (the adapter keeps the large ones on disk).
    """
    generators = [
        lambda site: [catalog_file(site, site.stamp, history_of=_history_of(site))],
        redirect_files,  # id/<SOP-ID>/: the stable address of each SOP
        # id/<SOP-ID>/v<version>/ (archived and upcoming versions) are not here: the adapter writes
        # them through the light path of pages/archive.py.
        review_pages,  # reviews/: overdue and due reviews by department and owner
        changes_pages,  # changes/: revisions of the last 90 days, per role, and the Atom feed
        directory_page,  # directory/: every SOP, filtered in the browser
        lambda site: department_pages(site, extended=generated_pages),
        lambda site: training_pages(site, role_links=generated_pages),  # training/: quiz pages, my training
    ]
    if generated_pages:
        generators += [
            role_pages,  # roles/
            register_files,  # registers/: control points, records, exceptions, training matrix (+ CSV)
            place_pages,  # sites/
            owner_pages,  # owners/
        ]
    files: list[GeneratedFile] = []
    cards: list[GeneratedFile] | None = None if generated_pages else []
    replaced: set[str] = set()
    for generator in generators:
        pages = []
        for item in generator(site):
            (pages if item.src_uri.endswith(".md") else files).append(item)
        if cards is None and any(item.src_uri == CHANGES_INDEX for item in pages):
            # cards/: a card per workstation, line and site. "What changed" names those to reprint:
            # card_pages returns that page again, with the cards named, to go after the cards.
            cards = card_pages(site, pages)
            replaced = {item.src_uri for item in cards}
        yield from (item for item in pages if item.src_uri not in replaced)
        del pages
    yield from card_pages(site) if cards is None else cards
    del cards
    yield from files
    if copy is not None:
        uri, content = build_info_file(site.stamp, copy, copy_name, len(site.catalog.by_id))
        yield GeneratedFile(uri, content)


def _history_of(site: SiteContext):
    """The ``history`` of each SOP in ``sop-catalog.json`` (empty without git)."""
    return lambda sop: site.versions.catalog_history(sop) if site.versions is not None else []
