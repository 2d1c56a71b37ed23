"""Preview builds: the whole catalog is validated, only the SOPs being edited are rendered.

``sop serve FILE...`` (:mod:`sop_plugin.cli.preview`) builds with the plugin's ``preview`` option
set to the edited files, again on every save, in one process. A :class:`Session` lives as long as
that process and keeps what does not change between saves:

- the parse of every Markdown file and quiz bank (``model/cache.py``): a rebuild re-reads only
  the files whose stat or content changed; the checks across files (ids, roles, links, quizzes)
  run on every build, so a mistake in any SOP is reported on the next save;
- git history, read once per ``HEAD`` (``revisions/history.py`` keeps it by commit);
- the versions of every SOP (history rows, the ``changes`` log checked against git): worked out
  again only for the SOPs that changed and the ones being previewed.

What is built: the edited SOPs, the home page, the department page of each edited SOP and the
quiz page of its quiz (:func:`generated`). Every other page (other SOPs, guides, role, register,
review and change pages, archived versions, ``sop-catalog.json``, ``id/`` redirects) is left out
(``InclusionLevel.EXCLUDED``, or never made): MkDocs neither renders nor writes it, and links to
it are not checked. What the edited SOPs show (their history, the titles of the SOPs they link
to, their quiz) comes from the whole catalog as in a full build.

:func:`serve` is the edit-save-see loop: MkDocs' own live-reload server watches the docs folder,
the quiz folder, the roles file and ``mkdocs.yml`` (through the file system's change events, not
by polling), rebuilds on a change and reloads the browser.
"""

from __future__ import annotations

import gc
import logging
import os
import socket
import time
from collections.abc import Callable
from os.path import isfile, join
from pathlib import Path

import jinja2
import jinja2.bccache
import watchdog.events
import watchdog.observers
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files, InclusionLevel

from sop_plugin.model import Catalog
from sop_plugin.model.cache import ParseCache
from sop_plugin.pages.assets import site_assets
from sop_plugin.pages.context import SiteContext
from sop_plugin.pages.core import SiteOutput
from sop_plugin.pages.departments import department_page
from sop_plugin.pages.duties import page_versions
from sop_plugin.pages.html import environment
from sop_plugin.pages.training import quiz_page
from sop_plugin.revisions.versions import Versions, build_versions

#: Pages kept in a preview besides the edited ones: the home page (the site's entry point).
ALWAYS = frozenset({"index.md", "README.md"})


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled Jinja templates kept in memory between builds (each build makes new environments;
    Jinja checks each template's source checksum, so an edited template is compiled again)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


class _SessionPlugin(BasePlugin):
    """Registered by :func:`preview_build` beside ``sop``: the theme's templates compile once a session."""

    def __init__(self, templates: _CompiledTemplates) -> None:
        super().__init__()
        self.templates = templates

    def on_env(self, env: jinja2.Environment, config, files) -> jinja2.Environment:
        env.bytecode_cache = self.templates
        return env


class Session:
    """What a preview keeps from one build to the next in one process (see the module docstring)."""

    def __init__(self) -> None:
        self.cache = ParseCache()
        self.templates = _CompiledTemplates()
        self.theme_files: dict[tuple, list[str]] = {}  # theme folders -> their files (_list_theme_once)
        self.sources: frozenset[str] = frozenset()  # the files being previewed
        self._versions: Versions | None = None
        self._versions_key: tuple | None = None
        self._versions_of: dict[str, tuple] = {}  # path -> what its versions were worked out from
        self.reworked = 0  # SOPs whose versions the last build worked out (for tests and timing)
        self.builds = 0  # builds started in this session

    def versions(self, catalog: Catalog, history, today, *, archive_versions: int | None = None) -> Versions:
        """:func:`~sop_plugin.revisions.versions.build_versions` of ``catalog``, worked out again only
        for SOPs whose file changed (and the ones being previewed) since the last build of this
        session with the same history, date and setting."""
        key = (id(history), getattr(history, "head", None), today, archive_versions)
        state = {sop.path: self._version_state(catalog, sop) for sop in catalog.sops}
        if self._versions is None or key != self._versions_key:
            changed = catalog.sops
        else:
            changed = [
                s for s in catalog.sops if s.path in self.sources or state[s.path] != self._versions_of.get(s.path)
            ]
        part = Catalog(sops=list(changed))
        part.index()
        part.by_id = catalog.by_id  # which file of an id owns its archived pages is the whole catalog's
        fresh = build_versions(part, history, today, archive_versions=archive_versions)
        self.reworked = len(changed)
        if changed is catalog.sops:
            merged = fresh
        else:
            merged, paths = self._versions, {s.path for s in changed}
            keep = set(state)
            merged.by_path = {p: v for p, v in merged.by_path.items() if p in keep and p not in paths}
            merged.by_path.update(fresh.by_path)
            merged.views = {view.src_uri: view for versions in merged.by_path.values() for view in versions.views}
            merged.problems = [p for p in merged.problems if p.file in keep and p.file not in paths] + fresh.problems
            merged.today = today
        self._versions, self._versions_key, self._versions_of = merged, key, state
        return merged

    def _version_state(self, catalog: Catalog, sop) -> tuple:
        """What an SOP's versions depend on besides history: its text and whether it owns its id."""
        return (self.cache.digest_of(sop.path), sop.valid, catalog.by_id.get(sop.id) is sop)


def generated(site: SiteContext, sources: list[str], session: Session | None = None) -> SiteOutput:
    """The generated part of a preview: the assets, and the department page and quiz page of each
    SOP being previewed (what an author follows from the SOP's header and quiz section)."""
    catalog, wanted = site.catalog, set(sources)
    if session is not None:
        environment(site).bytecode_cache = session.templates  # the SOP page's parts too
    edited = [sop for sop in catalog.sops if sop.path in wanted]
    output = SiteOutput(assets=site_assets(False))
    shown = page_versions(site)
    for department_id in sorted({sop.meta.department for sop in edited}):
        department = catalog.departments.get(department_id)
        if department is not None:
            sops = [sop for sop in shown if sop.meta.department == department_id]
            output.pages.append(department_page(site, department, sops, False))
    ids = {sop.id for sop in edited} | {sop.meta.translation_of for sop in edited if sop.is_translation}
    for quiz_id in sorted(catalog.quizzes):
        quiz = catalog.quizzes[quiz_id]
        if quiz.sop_id in ids:
            output.pages.append(quiz_page(site, quiz))
    return output


def keep_only(files: Files, sources: list[str]) -> int:
    """Exclude every documentation page of ``files`` except ``sources`` (paths relative to
    ``docs_dir``), :data:`ALWAYS` and generated pages; returns how many pages stay."""
    keep = {s.replace("\\", "/").lstrip("./") for s in sources} | ALWAYS
    kept = 0
    for f in files.documentation_pages():
        if f.src_uri in keep or f.generated_by is not None:
            kept += 1
        else:
            f.inclusion = InclusionLevel.EXCLUDED
    return kept


def preview_build(config_file: Path, sources: list[str], site_dir: Path, session: Session | None = None) -> float:
    """Build the preview of ``sources`` (paths relative to ``docs_dir``) into ``site_dir``; seconds taken.

    ``session`` (kept by the caller between builds) makes a rebuild cost only what changed.
    Raises :class:`mkdocs.exceptions.MkDocsException` when the site cannot be built."""
    start = time.perf_counter()
    config = load_config(str(config_file), site_dir=str(site_dir))
    sop = config.plugins.get("sop")
    if sop is None:
        raise MkDocsException(f"{config_file}: the sop plugin is not in plugins")
    sop.config["preview"] = list(sources)
    session = session or Session()
    session.sources = frozenset(sources)
    session.builds += 1
    sop.preview = session
    config.plugins["sop-preview"] = _SessionPlugin(session.templates)
    _list_theme_once(config.theme, session.theme_files)
    links = config.validation.links  # links to pages a preview leaves out are not mistakes
    links.not_found = links.absolute_links = links.unrecognized_links = links.anchors = logging.DEBUG
    config.validation.nav.not_found = config.validation.nav.omitted_files = logging.DEBUG
    build(config)
    return time.perf_counter() - start


def _list_theme_once(theme, listings: dict) -> None:
    """The files of the theme's folders are listed once a session, not at every build (MkDocs lists
    them to copy the theme's assets: Material's folders hold thousands of icons). A file added to
    or removed from a theme folder shows after a restart of ``sop serve``."""
    make_env = theme.get_env

    def get_env() -> jinja2.Environment:
        env = make_env()
        folders = tuple(getattr(env.loader, "searchpath", ()))
        if not folders:
            return env
        list_templates = env.list_templates

        def listed(extensions=None, filter_func=None) -> list[str]:
            # MkDocs' filter depends only on the theme's static templates (and constants).
            key = (folders, tuple(extensions or ()), tuple(theme.static_templates), filter_func is not None)
            if key not in listings:
                listings[key] = list_templates(extensions, filter_func)
            return list(listings[key])

        env.list_templates = listed
        return env

    theme.get_env = get_env


def docs_dir_of(config_file: Path) -> Path:
    """The docs folder of a site's ``mkdocs.yml``."""
    return Path(load_config(str(config_file)).docs_dir).resolve()


def watched_inputs(config_file: Path) -> list[Path]:
    """What a preview rebuilds on: ``mkdocs.yml``, the docs folder (SOPs, pages, the roles file)
    and the quiz folder of the ``sop`` plugin, where they exist."""
    config = load_config(str(config_file))
    sop = config.plugins.get("sop")
    quizzes = Path(config_file).parent / (sop.config.quizzes_dir if sop is not None else "quizzes")
    return [p for p in (Path(config_file), Path(config.docs_dir), quizzes) if p.exists()]


def serve(
    config_file: Path,
    sources: list[str],
    site_dir: Path,
    port: int,
    report: Callable[[str], None] = print,
) -> None:
    """Build the preview, serve ``site_dir`` on 127.0.0.1:``port`` with MkDocs' live-reload server,
    rebuild on any change of the inputs and reload the browser, until interrupted."""
    session = Session()

    def builder() -> None:
        first, cpu = session.builds == 0, time.process_time()
        try:
            seconds = preview_build(config_file, sources, site_dir, session)
        except MkDocsException as exc:
            report(f"build failed: {exc}")
            return
        if first:  # what the first build keeps lives as long as the session: out of every later collection
            gc.collect()
            gc.freeze()
        cache, cpu = session.cache, time.process_time() - cpu
        report(
            f"{'built' if first else 'rebuilt'} in {seconds:.1f} s (CPU {cpu:.1f} s; {cache.parsed} files parsed, "
            f"{cache.hits + cache.rehashed} unchanged, {session.reworked} SOPs' versions worked out)"
        )

    if port == 0:  # any free port (the live-reload server needs its number before it binds)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    server = LiveReloadServer(builder=builder, host="127.0.0.1", port=port, root=str(site_dir))
    server.error_handler = lambda code: _error_page(site_dir, code)
    server.observer = _ChangeObserver()
    for path in watched_inputs(config_file):
        server.watch(str(path))
    builder()
    pages = [src.rsplit(".", 1)[0] + "/" for src in sources]
    report(f"serving on {server.url}{pages[0]}  (Ctrl+C to stop)")
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()


class _OnlyChanges(watchdog.events.FileSystemEventHandler):
    """Passes on the events of a file that changed, not of one that was only read: the build
    itself opens every input (``opened``, ``closed_no_write``), and a read can update a file's
    access time (a ``modified`` event with the same modification time and size)."""

    def __init__(self, handler: watchdog.events.FileSystemEventHandler, since_ns: int) -> None:
        super().__init__()
        self.handler, self.since_ns = handler, since_ns
        self.seen: dict[str, tuple[int, int]] = {}  # path -> (mtime_ns, size) at its last event

    def dispatch(self, event: watchdog.events.FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.event_type == "modified" and not event.is_directory and not self._changed(event.src_path):
            return
        self.handler.dispatch(event)

    def _changed(self, path) -> bool:
        try:
            st = os.stat(path)
        except OSError:
            return True  # gone: a change
        key, before = (st.st_mtime_ns, st.st_size), self.seen.get(path)
        self.seen[path] = key
        return key != before if before is not None else key[0] >= self.since_ns


class _ChangeObserver(watchdog.observers.Observer):
    """The file system's own change events (inotify, FSEvents, ...), as MkDocs' polling would see
    them (a change of a file's content), without a stat of every file twice a second."""

    def schedule(self, event_handler, path, *, recursive: bool = False, **options):
        handler = _OnlyChanges(event_handler, time.time_ns())
        return super().schedule(handler, path, recursive=recursive, **options)


def _error_page(site_dir: Path, code: int) -> bytes | None:
    """Material's 404 page for a page the preview leaves out (as ``mkdocs serve`` does)."""
    page = join(str(site_dir), f"{code}.html")
    if code in (404, 500) and isfile(page):
        with open(page, "rb") as f:
            return f.read()
    return None


__all__ = [
    "MkDocsException",
    "Session",
    "docs_dir_of",
    "generated",
    "keep_only",
    "preview_build",
    "serve",
    "watched_inputs",
]
