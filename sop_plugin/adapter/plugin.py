"""The MkDocs adapter: the ``sop`` plugin's events, and nothing else.

The work is done below, in ``model/`` (load + validate), ``revisions/`` (git history, versions,
build stamp), ``markdown/`` (the Python-Markdown extensions) and ``pages/`` (generated pages); this
module only hands MkDocs' objects to them and their results back. Each event is a
:class:`~mkdocs.plugins.CombinedEvent` of named handlers (as in mkdocstrings), run in the order
listed; a handler's priority, where it has one, is explained where it is declared. A new hook is
a new ``_on_<event>_<what>`` method added to its event's list.

Which hook does what, in the order MkDocs runs them:

- ``on_config``   ``_on_config_theme``: the package templates go under the site's own
                  ``custom_dir`` (which may override them) and before Material's; the UI strings
                  (``i18n/``: the language's catalog file, the site's ``i18n_dir``, ``strings``).
                  ``_on_config_markdown``: register the Markdown extensions (``markdown/``) and
                  heading ids stay the site's own unless ``readable_heading_ids`` (``pymdownx.slugs``).
                  ``_on_config_assets``: the stylesheets; offline defaults (vendored iframe-worker
                  shim for Material's ``offline`` plugin, warnings for external assets:
                  ``adapter/offline.py``). ``_on_config_settings`` (first): "today" in its time zone,
                  ``report_url``, ``edit_uri``, the plant-copy filter from options or environment,
                  each checked (``model/settings.py``): a mistake is one-line ``PluginError``.
- ``on_files``    ``_on_files_catalog``: load and validate the whole catalog (every SOP, role,
                  quiz) once, while git history is read in a thread (``revisions/history.py``);
                  report every problem through the plugin logger (so ``--strict`` fails); a plant
                  copy (``site_filter``/``access_level``) restricts the catalog right after
                  validation (``model/filters.py``) and excludes the left-out SOP files; SOP pages
                  stay out of the navigation. ``_on_files_site``: the site context every page is
                  built from: build stamp and versions (``revisions/``: which version is in force,
                  which are archived at ``id/<ID>/v<ver>/``, out of nav and search).
                  ``_on_files_generated``: the generated pages, catalog JSON, ``id/`` redirects,
                  assets and ``sop-build.json``. ``_on_files_archive`` (last): archived and
                  upcoming versions written through the light path (``pages/archive.py``), their
                  texts released; with ``archive_process: true``, on a second process while
                  the build goes on (``adapter/second_process.py``).
                  ``_on_files_search``: the SOP search index takes the place of Material's
                  (``adapter/search.py``). ``_on_files_guard``: no file whose output would fall
                  outside ``site_dir`` is written.
- ``on_serve``    ``mkdocs serve`` also watches the quiz folder and the roles file.
- ``on_nav``      a folder of generated pages shows as its overview page, under its own title.
- ``on_page_read_source``  an SOP's source is the body the catalog already parsed, not a second
                  read of the file.
- ``on_page_markdown``  the parsed front-matter back into ``page.meta`` (titles escaped); tell the
                  Markdown extensions which SOP (or which version of it) is being converted; the
                  version in force replaces an upcoming body (``pages/archive.py``).
- ``on_page_content``   links to SOPs left out of a plant copy are unlinked; a generated page gets
                  its HTML body (then released by the plugin: the page holds it).
- ``on_env``      (after every page's Markdown is converted, before any is rendered) the build
                  stamp for every footer and the search worker URL for the templates.
- ``on_page_context``   ``_on_page_context_parts`` (before search indexes the page): an SOP body is
                  wrapped in its header card, sections and revision history, only now, so that
                  MkDocs does not hold them for every page at once. ``_on_page_context_training``
                  (``pages/training.py``): the quiz section of an SOP page; any page
                  with a quiz or a training list gets ``page.meta["sop_quiz"]`` (the template then
                  links ``assets/sop/quiz.js``/``quiz.css``, no other page does) and the UI strings.
                  A page with a Mermaid diagram gets ``page.meta["sop_mermaid"]`` (``adapter/station.py``).
- ``on_post_page``  the offline check of the built page's content (``adapter/offline_content.py``);
                  an SOP page's content goes back to its Markdown's HTML (the rest is written).
- ``on_post_build`` ``_on_post_build_join`` (first of all plugins'): the second process joined (its
                  messages said, its offline findings counted; if it failed, the archived pages
                  written now). ``_on_post_build_report``: the vendored Mermaid copied when a page
                  used it; the offline findings reported under the ``offline`` option
                  (``adapter/station.py``).

QR codes and record templates are prepared in ``_on_files_station`` (``adapter/station.py``,
``pages/qr.py``, ``pages/forms.py``); the workstation cards (``pages/cards.py``) come from
``generate_site`` with the other generated pages.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
import gc
import itertools
import os
import posixpath
import re
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urljoin

from markupsafe import Markup, escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from pymdownx.slugs import slugify

from sop_plugin.adapter import nav as kb_nav
from sop_plugin.adapter import offline, preview, second_process
from sop_plugin.adapter import search as sop_search
from sop_plugin.adapter import toc as sop_toc
from sop_plugin.adapter.archived_bodies import BodyConverter, open_store
from sop_plugin.adapter.config import SopConfig
from sop_plugin.adapter.offline_content import ContentCheck
from sop_plugin.adapter.spool import Spool
from sop_plugin.adapter.station import Station
from sop_plugin.i18n import strings_for
from sop_plugin.markdown.extension import SopMarkdown
from sop_plugin.markdown.relink import Relink
from sop_plugin.model import Catalog, load_catalog, settings
from sop_plugin.model.filters import COPY_ENV, SITE_ENV, CopyFilter, restrict
from sop_plugin.model.ids import is_inside
from sop_plugin.model.steps import StepReader
from sop_plugin.pages import BODY_MARKER, GeneratedFile, archive, training
from sop_plugin.pages.assets import STYLESHEETS, site_assets
from sop_plugin.pages.context import SiteContext
from sop_plugin.pages.core import iter_site
from sop_plugin.pages.plantcopy import unlink_left_out
from sop_plugin.pages.render import SopRenderer
from sop_plugin.pages.sop_page import page_parts, sop_of_page
from sop_plugin.revisions.history import History, read_history
from sop_plugin.revisions.stamp import build_stamp
from sop_plugin.revisions.versions import build_versions

log = get_plugin_logger(__name__)
_ID = re.compile(r'\sid="([^"]+)"')
#: A generated file larger than this (characters) waits on disk until MkDocs copies it, not in memory.
_SPOOL_FROM = 256 * 1024
PACKAGE = Path(__file__).resolve().parents[1]
#: The adapter's own file (the package's others: pages.core.generate_site, from pages/assets.py).
STATIC = {sop_search.WORKER_URI: PACKAGE / "assets" / "search-worker.js"}  # search.py


__all__ = ["SopConfig", "SopPlugin"]


class SopPlugin(BasePlugin[SopConfig]):
    """Validate SOPs and build the knowledge base around them."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.catalog = Catalog()
        self.site: SiteContext | None = None
        self.renderer: SopRenderer | None = None
        self.markdown: SopMarkdown | None = None
        self._front_matter: dict[str, dict] = {}  # src_uri -> parsed front-matter (on_page_read_source)
        self.relink = Relink()  # relative links of a body shown away from where it was written
        self.copy = CopyFilter()
        self._left_out_urls: dict[str, str] = {}  # site URL of a left-out SOP page -> its id
        self._file_of: dict[str, File] = {}  # src_uri -> File of every page built (SOPs kept in this copy)
        self._history: Future = Future()  # git history, read in a thread while the catalog loads
        self.search_tuned = False
        #: src_uri -> a generated page (its HTML body waits in ``self.spool`` until it is rendered)
        self.bodies: dict[str, GeneratedFile] = {}
        self.spool = Spool()
        self.station = Station()  # QR codes, cards, record forms, Mermaid, offline content (station.py)
        self.overview_uris: list[str] = []  # generated pages that belong in the navigation
        self.preview: preview.Session | None = None  # set by `sop serve`: kept between its rebuilds
        self._bare: dict[str, str] = {}  # src_uri -> an SOP page's Markdown HTML while it is rendered
        self._archive_child: second_process.Child | None = None  # archived pages written beside the build
        self._archive_redo = lambda: None  # writes them in this process (the child failed)

    # -- on_config ------------------------------------------------------------------------------

    def _on_config_theme(self, config: MkDocsConfig) -> None:
        templates = str(PACKAGE / "templates")
        if templates not in config.theme.dirs:  # after the site's custom_dir, before Material's
            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, templates)
        site_dir = Path(config.config_file_path or ".").parent
        i18n_dirs = [site_dir / self.config.i18n_dir] if self.config.i18n_dir else []
        self.t = strings_for(config.theme.get("language"), self.config.strings, i18n_dirs)
        for problem in self.t.problems:
            log.warning(f"strings: {problem}")

    def _on_config_markdown(self, config: MkDocsConfig) -> None:
        self.markdown = SopMarkdown(self.catalog, self.t)
        config.markdown_extensions.append(self.markdown)  # type: ignore[arg-type]
        config.markdown_extensions.append(self.relink)  # type: ignore[arg-type]
        toc = config.mdx_configs.setdefault("toc", {})
        if self.config.readable_heading_ids and "slugify" not in toc:  # "## 程序" -> id="程序", not "_1"
            toc["slugify"] = slugify(case="lower")

    def _on_config_assets(self, config: MkDocsConfig) -> None:
        for uri in STYLESHEETS:
            if uri not in config.extra_css:
                config.extra_css.append(uri)
        self.station = Station(self.config.offline)
        self.station.configure(config)  # offline defaults; external requests reported per `offline`

    def _on_config_settings(self, config: MkDocsConfig) -> None:
        try:  # every setting mistake is one line (model/settings.py), never a traceback
            self.today = settings.build_today(self.config.build_date, self.config.time_zone)
            settings.check_report_url(self.config.report_url)
            settings.check_environment()
            settings.check_link(config.edit_uri, "edit_uri")
            settings.check_site(self.config.site_filter or os.environ.get(SITE_ENV), "site_filter / " + SITE_ENV)
            self.copy = CopyFilter.resolve(self.config.site_filter, self.config.access_level)
        except ValueError as exc:
            raise PluginError(f"sop plugin: {exc}") from exc

    # Default priority (0), like the one on_config these handlers replace: after the plugins listed
    # before ``sop`` in mkdocs.yml, before those listed after it, in the order written here.
    def _on_config_search(self, config: MkDocsConfig) -> None:
        warning = kb_nav.missing_search(config)  # `plugins: [sop]` alone drops MkDocs' search
        if warning:
            log.warning(warning)

    on_config = CombinedEvent(
        _on_config_settings, _on_config_theme, _on_config_markdown, _on_config_assets, _on_config_search
    )

    # -- on_files -------------------------------------------------------------------------------

    def _on_files_catalog(self, files: Files, config: MkDocsConfig) -> None:
        docs_dir = Path(config.docs_dir)
        quizzes_dir = Path(config.config_file_path or ".").parent / self.config.quizzes_dir
        sources = [
            (f.src_uri, lambda f=f: f.content_string) for f in files.documentation_pages()
        ]  # read by the catalog
        self._history = self._start_history(docs_dir)  # git runs while the catalog loads
        own = (self.markdown, self.relink)  # the site's Markdown, so validation sees the steps pages show
        step_reader = StepReader(
            [e for e in config.markdown_extensions if e not in own], config.mdx_configs, self.config.steps_from
        )
        self.markdown.steps_from = self.config.steps_from
        cache = self.preview.cache if self.preview else None  # sop serve: unchanged files are not parsed again
        full = load_catalog(
            docs_dir, sources, quizzes_dir if quizzes_dir.is_dir() else None, self.config.roles_file, step_reader, cache
        )
        self._report(full)  # the whole catalog is validated, before any plant-copy filter
        self.catalog = catalog = restrict(full, self.copy)
        self.markdown.catalog = catalog
        roles_file = files.get_file_from_path(self.config.roles_file)
        if roles_file is not None:  # an input, not part of the site
            files.remove(roles_file)
        kept, self._file_of, self._left_out_urls = set(catalog.by_path), {}, {}
        for f in [f for f in files if f.src_dir == config.docs_dir and full.is_unreadable(f.src_uri)]:
            files.remove(f)  # not UTF-8, or a link leading outside docs_dir: reported, never read
        for f in files.documentation_pages():
            if f.src_uri in full.by_path and f.src_uri not in kept:
                f.inclusion = InclusionLevel.EXCLUDED  # left out of this plant copy: never built
                self._left_out_urls[f.url] = full.by_path[f.src_uri].id
            else:
                self._file_of[f.src_uri] = f
        inclusion = kb_nav.sop_inclusion(config, len(catalog.sops), self.config.nav_sops)  # adapter/nav.py
        for sop in catalog.sops:
            self._file_of[sop.path].inclusion = inclusion
        note = kb_nav.sops_left_out_note(config, len(catalog.sops), self.config.nav_sops)
        if note:
            log.info(note)

    def _on_files_site(self, files: Files, config: MkDocsConfig) -> None:
        file_of, history = self._file_of, self._history.result()
        self.site = SiteContext(
            catalog=self.catalog,
            t=self.t,
            today=self._today(),
            url_of_path=lambda path: file_of[path].url if path in file_of else None,
            url_for_src=lambda src_uri: File(src_uri, "", "", config.use_directory_urls).url,
            directory_urls=config.use_directory_urls,
            stamp=build_stamp(Path(config.docs_dir), history=history),
            site_url=config.site_url,
            site_name=config.site_name,
            ask_employee=self.config.ask_employee_number,
            edit_url_of=lambda path: _edit_url(config, file_of.get(path)),
            report_url=self.config.report_url,
            loader=config.theme.get_env().loader,  # custom_dir overrides any template
        )
        self.site.versions = self._versions(self.catalog, history)
        self.relink.exists = lambda path: files.get_file_from_path(path) is not None
        self.relink.page_url = self.site.url_for_src
        self.renderer = SopRenderer(config.theme.get_env().loader, self.site)

    def _on_files_station(self, files: Files, config: MkDocsConfig) -> None:
        self.site.copy_site = self.copy.site
        exists = lambda path: files.get_file_from_path(path) is not None  # noqa: E731
        for problem in self.station.prepare(self.site, self.catalog, config, self.config.qr_base_url, exists):
            self.catalog.problems.items.append(problem)  # on the SOP page's problem banner too

    def _on_files_generated(self, files: Files, config: MkDocsConfig) -> None:
        self.bodies, self.overview_uris = {}, []
        self.spool.close()
        pages_on = self.config.generated_pages and not self.config.preview  # a preview shows none
        if self.config.preview:  # sop serve: the pages that show the edited SOPs, not the whole catalog's
            output = preview.generated(self.site, self.config.preview, self.preview)
            items, assets = output.all_files(), output.assets
        else:  # one page at a time, its body spooled as it comes: never every generated page at once
            items = iter_site(self.site, generated_pages=pages_on, copy=self.copy, copy_name=self._copy_name())
            assets = site_assets(pages_on)
        for item in items:  # cards/ included (pages/cards.py, called by iter_site)
            inclusion = kb_nav.generated_inclusion(config, item.in_nav)
            if item.in_nav:
                self.overview_uris.append(item.src_uri)
            files.append(File.generated(config, item.src_uri, inclusion=inclusion, **self._source_of(item)))
            if item.body is not None:  # generated pages' HTML bodies (see pages.BODY_MARKER), on disk
                self.spool.put(item.src_uri, item.body)
                self.bodies[item.src_uri] = dataclasses.replace(item, body="")
        static = dict(STATIC, **(offline.VENDORED if offline.offline_plugin_enabled(config) else {}))
        for uri, path in {**assets, **static}.items():
            files.append(File.generated(config, uri, abs_src_path=str(path)))
        if self.config.preview:  # sop serve FILE...: only those pages are rendered
            preview.keep_only(files, self.config.preview)

    def _on_files_search(self, files: Files, config: MkDocsConfig) -> None:
        self.search_tuned = self.config.tune_search and sop_search.install(config, self._search_info, log.warning)
        synonyms = files.get_file_from_path(sop_search.SYNONYMS_FILE)
        if synonyms is not None:  # an input of search, not part of the site
            files.remove(synonyms)

    def _on_files_guard(self, files: Files, config: MkDocsConfig) -> None:
        # The second line of defence behind the id checks of model/ids.py: nothing outside site_dir.
        for f in [f for f in files if not is_inside(config.site_dir, f.dest_uri)]:
            log.error(f"{f.src_uri}: not written: its output {f.dest_uri} would be outside the site folder")
            files.remove(f)

    # Default priority (0), like the one on_files these handlers replace: Material's search and
    # offline plugins (listed before ``sop``) have run theirs; the order written here is the order
    # of the work (catalog, then the site built from it, then the files generated from the site).
    def _on_files_archive(self, files: Files, config: MkDocsConfig) -> None:
        """Archived and upcoming versions through the light path (``pages/archive.py``): each body
        converted once with the site's Markdown, wrapped in the light template and written now
        (with ``archive_process: true``, on a second process while the build goes on: joined in
        ``on_post_build``); then that SOP's earlier texts are released. They never become MkDocs
        pages (no navigation, no search, no theme template, nothing held until the end of the build)."""
        if self.config.preview or self.site is None:  # a preview shows no archived version
            return
        views = archive.archived_views(self.site)
        if not views:
            return
        write = self._archive_redo = lambda: self._write_all_archived(views, files, config)
        why_not = second_process.why_not() if self.config.archive_process else "archive_process: false"
        if why_not is None:
            try:
                self._archive_child = second_process.start(lambda: self._archive_on_second_process(write))
                log.debug(f"archived versions: {len(views)} page(s) on a second process")
                return
            except OSError as error:  # no process to spare (a limit on processes or memory)
                why_not = f"no second process: {error}"
        log.debug(f"archived versions: {len(views)} page(s) in this process ({why_not})")
        write()

    def _write_all_archived(self, views: list, files: Files, config: MkDocsConfig) -> None:
        theme, stamp = _archive_theme(files, config), self._stamp()
        by_path = {path: list(group) for path, group in itertools.groupby(views, key=lambda v: v.versions.sop.path)}
        store = None
        if self.config.archive_cache:  # bodies and diffs of earlier builds (adapter/archived_bodies.py)
            folder = (Path(config.config_file_path or ".").parent / self.config.cache_dir).resolve()
            published = [name for name in ("docs_dir", "site_dir") if is_inside(Path(config[name]).resolve(), folder)]
            if published:  # its file would be published, or deleted by the next build's clean
                log.warning(f"cache_dir: {self.config.cache_dir} is inside {published[0]}: no archive cache")
            else:
                store = open_store(config, dict(self.config), self.t, folder, log.info)
        converter = BodyConverter(config, files, self.markdown, self.relink, store)
        self.site.compare_bodies = archive.remembered_diff(store) if store is not None else None
        # One SOP at a time: its earlier texts are read, its pages written, its texts released.
        # The build's objects so far (the catalog, the site) live on: frozen, the garbage
        # collections that thousands of page conversions set off do not go through them each time.
        gc.freeze()
        try:
            for versions in self.site.versions.with_texts(by_path):
                for view in by_path[versions.sop.path]:
                    self._write_archived(view, files, config, theme, stamp, converter)
        finally:
            gc.unfreeze()
            self.site.compare_bodies = None
            if store is not None:
                store.close()
                log.debug(f"archived versions: {store.hits} taken from the cache, {store.misses} not in it")

    def _archive_on_second_process(self, write) -> ContentCheck:
        """In the child: the pages written, and the offline findings of those pages alone returned."""
        self.station.content = self.station.content.emptied()
        write()
        return self.station.content.portable()

    def _join_archive(self) -> None:
        """The second process's archived pages: its messages said here, its offline findings
        counted first (as if written in this process); if it failed, the pages are written now."""
        child, self._archive_child = self._archive_child, None
        if child is None:
            return
        outcome = child.join()
        if outcome.error is None:
            second_process.replay(outcome.records)
            self.station.content.take_earlier(outcome.value)
            log.debug(
                f"archived versions: written on the second process in {outcome.seconds:.1f} s (CPU "
                f"{outcome.cpu_seconds:.1f} s, peak {outcome.peak_mb:.0f} MB); the build waited {outcome.waited:.1f} s"
            )
            return
        # Its messages are not said: writing the pages again here says them (or fails as one process would).
        log.info(f"archived versions: {outcome.error.strip().splitlines()[-1]}; written again in this process")
        self._archive_redo()

    def _write_archived(
        self, view, files: Files, config: MkDocsConfig, theme: archive.Theme, stamp: dict, converter: BodyConverter
    ) -> None:
        file = File.generated(config, view.src_uri, content="", inclusion=InclusionLevel.NOT_IN_NAV)
        if not is_inside(config.site_dir, file.dest_uri):  # as _on_files_guard: nothing outside site_dir
            log.error(f"{file.src_uri}: not written: its output {file.dest_uri} would be outside the site folder")
            return
        page = Page(None, file, config)  # converted as MkDocs converts a page: the site's extensions, links
        # The version's steps are read from this conversion (the swimlane shows them), not from a
        # parse of the body of their own.
        view.snapshot.give_steps(converter.convert(view, page))
        body = page.content
        if self._left_out_urls:
            body = unlink_left_out(body, page.url, self._left_out_urls, self.t)
        output = archive.archive_page(self.site, self.renderer, view, body, page.url, theme, stamp)
        page.content = body
        self.station.post_page(output, page)  # the offline check, as for every page
        target = Path(file.abs_dest_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(output.encode("utf-8", errors="xmlcharrefreplace"))
        file.page = None

    on_files = CombinedEvent(
        _on_files_catalog,
        _on_files_site,
        _on_files_station,
        _on_files_generated,
        _on_files_search,
        _on_files_guard,
        _on_files_archive,
    )

    # -- on_serve -------------------------------------------------------------------------------

    def on_serve(self, server, config: MkDocsConfig, builder):
        """``mkdocs serve`` rebuilds on an edit of a quiz bank or the roles file too (the catalog
        reads them; MkDocs watches only docs_dir's pages and the config)."""
        quizzes_dir = Path(config.config_file_path or ".").parent / self.config.quizzes_dir
        for path in (quizzes_dir, Path(config.docs_dir) / self.config.roles_file):
            if path.exists():
                server.watch(str(path))
        return server

    # -- on_nav ---------------------------------------------------------------------------------

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        """A folder of generated pages shows as its overview page, under its own localized title.

        Its other pages are ``NOT_IN_NAV``, so its section would be titled by the English folder
        name ("Departments"): the page takes the section's place. A site with its own ``nav:``
        keeps it as written, plus one section of our overview pages (``adapter/nav.py``).
        """
        if kb_nav.has_own_nav(config):
            return kb_nav.site_nav(nav, files, self.overview_uris, self.config.nav_section)
        nav.items = [item.children[0] if _lone_generated_page(item) else item for item in nav.items]
        for item in nav.items:
            item.parent = None
        return nav

    # -- on_env ---------------------------------------------------------------------------------

    def _on_env_stamp(self, env, config: MkDocsConfig, files: Files) -> None:
        env.globals["sop_build"] = self._stamp()

    def _on_env_search(self, env, config: MkDocsConfig, files: Files) -> None:
        env.globals["sop_search_worker"] = sop_search.WORKER_URI if self.search_tuned else None

    # Default priority (0): template globals only, no order to keep with other plugins.
    on_env = CombinedEvent(_on_env_stamp, _on_env_search)

    # -- pages ----------------------------------------------------------------------------------

    def on_page_read_source(self, page: Page, config: MkDocsConfig) -> str | None:
        """An SOP's body with an empty front-matter; the parsed one goes back in on_page_markdown.

        The front-matter was parsed (with line numbers) when the catalog loaded: MkDocs need not
        read and parse the file a second time (about a tenth of a build at 1,000 SOPs). MkDocs
        allows one ``on_page_read_source`` handler per site, so this stays a single method.
        """
        sop = self.catalog.by_path.get(page.file.src_uri)
        if sop is None:
            return None
        # A front-matter the catalog could not read (over the YAML limits) is not read again by MkDocs.
        self._front_matter[page.file.src_uri] = sop.located.data if isinstance(sop.located.data, dict) else {}
        return "---\n{}\n---\n" + sop.body

    # Priority 50 (early): the front-matter must be back in page.meta before other plugins'
    # on_page_markdown (default priority 0) read it.
    @event_priority(50)
    def _on_page_markdown_meta(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> None:
        front_matter = self._front_matter.pop(page.file.src_uri, None)
        if front_matter is not None:
            page.meta = kb_nav.sop_page_meta(front_matter)  # `status` is ours, not Material's page status
        if isinstance(page.meta.get("title"), str) and not isinstance(page.meta["title"], Markup):
            # Front-matter titles are text, but Material prints page.title unescaped (<title>, h1, nav).
            page.meta["title"] = escape(page.meta["title"])

    # Priority 50 (early), after _on_page_markdown_meta: other plugins' on_page_markdown see the body
    # of the version in force and ``page.meta["sop_page"]``.
    @event_priority(50)
    def _on_page_markdown_sop(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        src = page.file.src_uri
        view = self.site.versions.view(src) if self.site and self.site.versions else None
        sop = sop_of_page(self.site, src) if self.site else None
        self.markdown.begin_page(src, sop)
        self.relink.begin_page(view.base_path if view else None, src)
        if view is not None and view.markdown is not None:  # the version in force, not the upcoming one
            markdown, page.meta["title"] = view.markdown, escape(sop.title)
        elif sop is not None and markdown == sop.body:
            markdown = sop.body  # the catalog's own string: MkDocs keeps page.markdown, not a second copy
        if sop is not None:
            page.meta["sop_page"] = True
        return markdown

    on_page_markdown = CombinedEvent(_on_page_markdown_meta, _on_page_markdown_sop)

    def _on_page_content_unlink(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if not self._left_out_urls:
            return None
        return unlink_left_out(html, page.url, self._left_out_urls, self.t)  # left out of this copy

    def _on_page_content_body(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        generated = self.bodies.pop(page.file.src_uri, None)
        if generated is not None and generated.anchor:  # a generated page whose H1 is in its body: list
            page.toc = get_toc(  # it as the page's heading (skip link, search)
                [{"level": 1, "id": generated.anchor, "name": escape(generated.title), "children": []}]
            )
        # A generated page's body (it skips Markdown: pages.BODY_MARKER) and an SOP page's header
        # card and sections are added just before the page is rendered (_on_page_context_parts).
        return html

    # Default priority (0): the unlinking sees only the Markdown's HTML (not the generated body nor
    # the SOP card added in on_page_context).
    on_page_content = CombinedEvent(_on_page_content_unlink, _on_page_content_body)

    # Priority 50: before Material's search (0) reads page.content, so the search sees the header
    # card and sections as it always has. They are added here rather than in on_page_content so
    # that each page holds them only while it is rendered (on_post_page gives the page back its
    # Markdown's HTML): at 10,000 SOPs that is hundreds of MB MkDocs would otherwise hold.
    @event_priority(50)
    def _on_page_context_parts(self, context, page: Page, config: MkDocsConfig, nav):
        src = page.file.src_uri
        if src in self.spool and page.content is not None:  # a generated page: its body from disk
            self._bare[src] = page.content
            page.content = page.content.replace(BODY_MARKER, self.spool.take(src), 1)
            return context
        parts = page_parts(self.renderer, self.site, src, page.url) if self.site else None
        if parts is None or page.content is None:
            return context
        header, sections = parts
        if page.present_anchor_ids is not None:  # so MkDocs' anchor validation knows our ids
            page.present_anchor_ids.update(_ID.findall(header + sections))
        sop_toc.add_sections(page.toc, sections)  # control points, exceptions, history in the TOC
        self._bare[page.file.src_uri] = page.content
        page.content = header + page.content + sections
        return context

    def _on_page_context_training(self, context, page: Page, config: MkDocsConfig, nav):
        """Training: the quiz section of an SOP page, and the quiz assets flag and UI strings.

        After Material's search has read the page (quiz answers stay out of it), before the
        template reads ``page.meta``.
        """
        if self.site is None or page.content is None:
            return context
        sop = self.catalog.by_path.get(page.file.src_uri)  # the SOP as written (not an archived version)
        if sop is not None:
            section = training.sop_section(self.site, sop, page.url)
            sop_toc.add_sections(page.toc, section)
            page.content += section
        self.station.page_context(page)  # a Mermaid diagram: the vendored Mermaid, nothing from unpkg
        if page.meta.get(training.META_FLAG) or training.needs_quiz_assets(page.content):
            page.meta[training.META_FLAG] = True
            page.content += training.page_strings(self.site, page.content)
        return context

    on_page_context = CombinedEvent(_on_page_context_parts, _on_page_context_training)

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        """The offline check of the built page; an SOP page's content is its Markdown's HTML again
        (the header card and sections are in the written page, not held for the rest of the build)."""
        self.station.post_page(output, page)  # external resources of the built page
        bare = self._bare.pop(page.file.src_uri, None)
        if bare is not None:
            page.content = bare
        return output

    # First of every plugin's (100): a plugin that reads the written site in its own
    # ``on_post_build`` (a link checker, a minifier) finds the archived pages there.
    @event_priority(100)
    def _on_post_build_join(self, config: MkDocsConfig) -> None:
        self._join_archive()

    def _on_post_build_report(self, config: MkDocsConfig) -> None:
        self.spool.close()  # bodies of pages this build did not render (a preview, --dirty)
        self.station.post_build(config)  # Mermaid copied if used; offline findings reported

    on_post_build = CombinedEvent(_on_post_build_join, _on_post_build_report)

    def on_build_error(self, error: Exception) -> None:
        """The spooled bodies go with a failed build too, and a second process still writing."""
        self.spool.close()
        if self._archive_child is not None:
            self._archive_child.stop()
            self._archive_child = None

    # -- helpers --------------------------------------------------------------------------------

    def _stamp(self) -> dict:
        """The build stamp of every footer: commit, time, copy name and its line of text."""
        stamp, t = self.site.stamp if self.site else {"commit": None, "time": None}, self.t
        commit, name = stamp.get("commit"), self._copy_name()
        text = t(
            "stamp.build", commit=commit[:7] if commit else t("stamp.no_commit"), date=(stamp.get("time") or "")[:10]
        )
        if name:
            text += " · " + t("stamp.copy", name=name)
        if self.copy.active:
            text += " · " + t("stamp.filter", site=self.copy.site or "*", access=self.copy.access)
        return {"commit": commit, "time": stamp.get("time"), "copy_name": name, "text": text}

    def _copy_name(self) -> str | None:
        return self.config.copy_name or os.environ.get(COPY_ENV) or None

    def _source_of(self, item: GeneratedFile) -> dict:
        """Where MkDocs takes a generated file from: its text, or, for a large file that is not a
        page (``sop-catalog.json``, the CSV), a copy on disk (the spool), not held in memory."""
        if isinstance(item.content, str) and not item.src_uri.endswith(".md") and len(item.content) > _SPOOL_FROM:
            return {"abs_src_path": str(self.spool.file(item.content))}
        return {"content": item.content}

    def _search_info(self, page) -> sop_search.PageInfo | None:
        search = page.meta.get("search")
        if isinstance(search, dict) and search.get("exclude"):  # e.g. archived versions: no work at all
            return sop_search.PageInfo("", primary=False, exclude=True)
        sop = self.catalog.by_path.get(page.file.src_uri)
        if sop is None:
            return None
        return sop_search.PageInfo.of(sop, exclude=sop.state(self.site.today) == "obsolete")

    def _start_history(self, docs_dir: Path) -> Future:
        """Read git in a thread (its processes run beside the catalog parse); ``.result()`` joins."""
        if self.config.history is False:
            off: Future = Future()
            off.set_result(None)
            return off
        pool = ThreadPoolExecutor(max_workers=1)
        future = pool.submit(read_history, docs_dir)
        pool.shutdown(wait=False)  # the thread ends with its one task
        return future

    def _versions(self, catalog: Catalog, history: History | None):
        """The versions of every SOP; says once why history comes from the ``changes`` logs alone."""
        if history is None:
            log.info(
                "history: false: revision history comes from the `changes` log of each SOP "
                "(no archived versions, no upcoming swap)"
            )
        elif not history.available:
            (log.warning if self.config.history or history.failed else log.info)(f"history: {history.warning}")
        elif history.shallow:
            log.warning(f"history: {history.warning}")
        keep = self.config.archive_versions
        versions = (self.preview.versions if self.preview else build_versions)(  # sop serve: changed SOPs only
            catalog, history, self.site.today, archive_versions=None if keep is None else max(0, keep)
        )
        for problem in versions.problems:
            catalog.problems.items.append(problem)
            log.warning(str(problem))
        return versions

    def _today(self) -> dt.date:
        return self.today  # decided in on_config (model/settings.py)

    @staticmethod
    def _report(catalog: Catalog) -> None:
        for problem in catalog.problems:
            (log.error if problem.severity == "error" else log.warning)(str(problem))


def _edit_url(config: MkDocsConfig, file: File | None) -> str | None:
    """The "Edit this SOP" link, computed as MkDocs computes ``page.edit_url``."""
    if file is None or file.edit_uri is None or not (config.edit_uri or config.edit_uri_template):
        return None
    if config.edit_uri_template:
        path = config.edit_uri_template.format(path=file.edit_uri, path_noext=posixpath.splitext(file.edit_uri)[0])
    else:
        path = config.edit_uri + file.edit_uri
    repo = config.repo_url or ""
    return urljoin(repo if not repo or repo.endswith("/") else repo + "/", path)


def _archive_theme(files: Files, config: MkDocsConfig) -> archive.Theme:
    """What the light template of archived versions takes from the theme: Material's stylesheets
    (found among the theme's files: their names carry a hash), ``extra_css``, palette, language."""
    theme = config.theme
    own = sorted(f.src_uri for f in files if fnmatch.fnmatch(f.src_uri, "assets/stylesheets/main.*.min.css"))
    palette = theme.get("palette")
    if palette:
        own += sorted(f.src_uri for f in files if fnmatch.fnmatch(f.src_uri, "assets/stylesheets/palette.*.min.css"))
        first = palette if isinstance(palette, dict) else (palette[0] if palette else {})
        colours = {
            key: str(first.get(key) or default).replace(" ", "-")
            for key, default in (("scheme", "default"), ("primary", "indigo"), ("accent", "indigo"))
        }
    else:
        colours = {}
    return archive.Theme(
        site_name=config.site_name or "",
        stylesheets=tuple(own + [str(path) for path in config.extra_css]),
        palette=colours,
        language=theme.get("language") or "en",
        direction=theme.get("direction") or "ltr",
    )


def _lone_generated_page(item) -> bool:
    """A nav section holding nothing but one generated page (e.g. ``departments/index.md``)."""
    children = getattr(item, "children", None) or []
    return (
        getattr(item, "is_section", False)
        and len(children) == 1
        and children[0].is_page
        and children[0].file.generated_by is not None
    )
