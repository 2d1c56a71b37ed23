"""Shared test helpers: real MkDocs builds into tmp_path, a local http server, real Chromium.

In the spirit of MkDocs' own ``tests/base.py``: a real build is a three-line test.

    site = build_site(tmp_path, {"docs/qc/a.md": SOP_TEXT}, "--strict")
    html = (site / "qc/a/index.html").read_text()

Builds run in this process (:func:`run_build`, as ``mkdocs build`` runs them: ``load_config``,
``on_startup``, ``build``, ``on_shutdown``), about a second faster each than a subprocess. Each
build loads its own config, so it gets new plugin instances, a new theme and new Jinja
environments; the environment variables it is given are set for the build only; its log is
captured as the CLI prints it. What the package keeps between builds in one process is keyed so
it cannot leak: git history by work tree and HEAD commit, and the parse caches by the text they
parsed. :func:`mkdocs_build` runs the real command line in a subprocess, for the tests where the
command itself (its exit code, its output) is the point.

Compiling Jinja templates was half of a small build (MkDocs makes a new environment per build,
Material has some 70 templates): :class:`SharedTemplateCode` keeps each template's compiled code
for the session, keyed by everything the compiled code depends on (the template's source, name
and file, and the environment's compile-time settings and filters), so a build still renders
every template itself and a changed template or an override from ``custom_dir`` is compiled anew.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import http.server
import io
import logging
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
import pytest
import yaml
from jinja2.bccache import Bucket
from mkdocs import config as mkdocs_config
from mkdocs.commands import build as mkdocs_commands_build
from mkdocs.exceptions import MkDocsException

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # test_quiz_browser.py opens the quiz on a made-up intranet host (a non-secure context)
    "--host-resolver-rules=MAP quiz.plant.internal 127.0.0.1",
]

ROLES_YML = """\
departments:
  - {id: QC, name: {zh: 质量控制, en: Quality Control}}
  - {id: QA, name: {zh: 质量保证, en: Quality Assurance}}
roles:
  - {id: qc-inspector, name: {zh: QC检验员, en: QC Inspector}, department: QC}
  - {id: qa-manager, name: {zh: QA经理, en: QA Manager}, department: QA}
"""


def sop_text(
    sop_id: str = "SOP-QC-001",
    title: str = "Incoming inspection",
    version: str = "1.0",
    extra: str = "",
    body: str | None = None,
    status: str = "effective",
    effective_date: str = "2026-01-01",
    department: str = "QC",
) -> str:
    """A valid SOP Markdown file; ``extra`` is appended to the front-matter as YAML lines."""
    changes = "" if version == "1.0" else f'changes:\n  - {{version: "{version}", date: 2026-01-01, summary: update}}\n'
    date = f"effective_date: {effective_date}\n" if effective_date else ""
    body = body if body is not None else "## Procedure\n\n1. Check the delivery.\n2. Check the COA.\n3. Release.\n"
    return (
        f'---\nid: {sop_id}\ntitle: {title!r}\nversion: "{version}"\nstatus: {status}\n{date}'
        f"owner: {{name: Wang Fang, role: qa-manager}}\ndepartment: {department}\n{changes}"
        f"{textwrap.dedent(extra)}---\n\n{body}"
    )


def pytest_collection_modifyitems(config, items):
    """Files with the most browser tests first, the others after them, each file's tests together
    and in their order. ``make test`` runs ``-n auto --dist loadfile``: a worker takes whole files
    in this order, so the longest files start first and none is left running alone at the end."""
    browser_tests: dict[Path, int] = {}
    for item in items:
        browser_tests[item.path] = browser_tests.get(item.path, 0) + bool(item.get_closest_marker("browser"))
    first_seen = {path: index for index, path in enumerate(dict.fromkeys(item.path for item in items))}
    items.sort(key=lambda item: (-browser_tests[item.path], first_seen[item.path]))


class SharedTemplateCode(jinja2.BytecodeCache):
    """Jinja's own bytecode-cache seam, in memory, shared by every environment of this process.

    A template's compiled code depends on its source and on the environment it was compiled for:
    delimiters, whitespace options, extensions, autoescape, ``finalize`` and the filters and tests
    (their calling convention, and their values when Jinja folds constants), so all of those are in
    the key.
    A filter enters the key as itself (its calling convention alone where it takes the context and
    so is never folded): a module's function is the same object in every build, while a filter
    made for one build (a lambda, a closure) makes that build's code its own."""

    def __init__(self) -> None:
        self.code: dict[tuple, tuple[str, object]] = {}

    @staticmethod
    def _function(func) -> tuple:
        passed = getattr(getattr(func, "jinja_pass_arg", None), "name", None)  # @pass_context ...
        if passed == "context":  # never folded: the code only calls it
            return ("context",)
        return (passed, func)  # the object itself: a module's function is the same in every build

    def _functions(self, table: dict) -> tuple:
        return tuple((name, *self._function(func)) for name, func in sorted(table.items()))

    def _environment_key(self, env: jinja2.Environment, name: str) -> tuple:
        autoescape = env.autoescape(name) if callable(env.autoescape) else env.autoescape
        settings = (
            "block_start_string block_end_string variable_start_string variable_end_string "
            "comment_start_string comment_end_string line_statement_prefix line_comment_prefix "
            "trim_blocks lstrip_blocks newline_sequence keep_trailing_newline optimized is_async "
            "newstyle_gettext"
        ).split()
        return (
            type(env),
            autoescape,
            tuple(sorted(env.extensions)),
            tuple(getattr(env, setting, None) for setting in settings),
            repr(sorted(env.policies.items())),
            self._function(env.finalize),  # applied to constant output when compiling
            self._functions(env.filters),
            self._functions(env.tests),
        )

    def get_bucket(self, environment, name, filename, source):
        bucket = Bucket(environment, "", self.get_source_checksum(source))
        bucket.key = (self._environment_key(environment, name), name, filename)  # a tuple: a dict key
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket) -> None:
        checksum, code = self.code.get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = (bucket.checksum, bucket.code)


TEMPLATE_CODE = SharedTemplateCode()
_environment_init = jinja2.Environment.__init__


@functools.wraps(_environment_init)
def _environment_with_shared_code(self, *args, **kwargs):
    _environment_init(self, *args, **kwargs)
    if self.bytecode_cache is None:
        self.bytecode_cache = TEMPLATE_CODE


jinja2.Environment.__init__ = _environment_with_shared_code


def write_files(root: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


def write_project(root: Path, files: dict[str, str], roles: str | None = ROLES_YML, **config) -> Path:
    """A project folder with ``mkdocs.yml``, ``docs/`` and the given files; returns the config path."""
    settings = {
        "site_name": "Test KB",
        "theme": {"name": "material", "font": False},
        "plugins": ["search", "sop"],
        **config,
    }
    if roles is not None:
        files = {"docs/roles.yml": roles, **files}
    files.setdefault("docs/index.md", "# Home\n")
    write_files(root, files)
    (root / "mkdocs.yml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return root / "mkdocs.yml"


class BuildResult(subprocess.CompletedProcess):
    """What :func:`run_build` returns: ``returncode`` 0 or 1 as ``mkdocs build`` exits, the log in
    ``stderr`` as the CLI prints it (``WARNING -  ...``), ``stdout`` empty."""


@contextlib.contextmanager
def environment(env: dict | None):
    """Set ``env`` in ``os.environ`` for the block only (``None`` removes a variable)."""
    saved = {name: os.environ.get(name) for name in env or {}}
    try:
        for name, value in (env or {}).items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def captured_log():
    """The ``mkdocs`` logger's records (INFO and up) as the CLI formats them, in a ``StringIO``."""
    logger, text = logging.getLogger("mkdocs"), io.StringIO()
    handler = logging.StreamHandler(text)
    handler.setFormatter(logging.Formatter("%(levelname)-8s-  %(message)s"))
    handler.setLevel(logging.INFO)
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # pytest's own capture need not format every INFO line again
    try:
        yield text
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def run_build(project: Path, *args: str, env: dict | None = None) -> BuildResult:
    """``mkdocs build [--strict] [-d DIR]`` of ``project/mkdocs.yml``, in this process.

    A configuration or plugin error, or warnings under ``--strict``, give ``returncode`` 1 and the
    message in ``stderr``, as the CLI does; any other exception propagates (a traceback is a bug).
    """
    options, rest = {"strict": False}, list(args)
    while rest:
        arg = rest.pop(0)
        if arg in ("-s", "--strict"):
            options["strict"] = True
        elif arg in ("-d", "--site-dir"):
            options["site_dir"] = str(Path(project, rest.pop(0)))
        else:
            raise ValueError(f"run_build: unsupported argument {arg!r} (use mkdocs_build for the CLI)")
    returncode = 0
    with environment(env), captured_log() as log:
        try:
            cfg = mkdocs_config.load_config(config_file=str(Path(project) / "mkdocs.yml"), **options)
            cfg.plugins.on_startup(command="build", dirty=False)
            try:
                mkdocs_commands_build.build(cfg)
            finally:
                cfg.plugins.on_shutdown()
        except MkDocsException as exc:  # Abort, PluginError, ConfigurationError: the CLI exits 1
            log.write(f"Error: {exc}\n")
            returncode = 1
    return BuildResult(["mkdocs", "build", *args], returncode, "", log.getvalue())


def mkdocs_build(project: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real ``mkdocs build`` command in ``project`` in a subprocess (the CLI is the point)."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
    )


def build_site(
    root: Path, files: dict[str, str], *args: str, roles: str | None = ROLES_YML, check: bool = True, **config
) -> Path:
    """Write a project into ``root``, build it in this process (:func:`run_build`), return the site folder."""
    write_project(root, files, roles=roles, **config)
    result = run_build(root, *args)
    if check and result.returncode != 0:
        raise AssertionError(f"mkdocs build failed:\n{result.stderr}")
    return root / "site"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def http_server(folder: Path, handler: type = QuietHandler):
    """``with http_server(folder) as base:`` an http server of ``folder`` on 127.0.0.1, in a thread
    (``handler``: a SimpleHTTPRequestHandler subclass, e.g. one that delays some files). It polls
    for shutdown every 20 ms, not every 500 ms: a test's teardown need not wait half a second."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def serve():
    """``serve(folder, handler=QuietHandler) -> base URL``: :func:`http_server` for the test's duration."""
    with contextlib.ExitStack() as servers:
        yield lambda folder, handler=QuietHandler: servers.enter_context(http_server(folder, handler))


@pytest.fixture(scope="session")
def playwright_driver():
    """The session's one Playwright driver: the sync API allows only one at a time, so a test module
    that needs its own Chromium flags launches it from here (``playwright_driver.chromium.launch``)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        if os.environ.get("CI"):
            pytest.fail("/usr/bin/chromium is missing: `make test` installs it")
        pytest.skip("Debian chromium not installed (make test installs it)")
    with playwright_api.sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def chromium(playwright_driver):
    """A real headless Chromium (Debian's), shared by the whole session."""
    browser = playwright_driver.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
    yield browser
    browser.close()


KEEPER_HTML = "<!doctype html><title>keeper</title><p>Holds this site's renderer process between tests.</p>"


def origin_of(url: str) -> str | None:
    """The storage origin of ``url`` (``file://`` for every local file, as Chromium keys it), or None."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        return "file://"
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else None


class SharedContext:
    """One browser context that the tests of a worker take turns on (:meth:`turn`), kept warm.

    A new context per test costs Chromium about 1.3 CPU-seconds before the test does anything: a new
    renderer process, and a Material page loaded with cold caches (compiled scripts, fonts). Here each
    test still gets new pages of its own, in one context, and when its turn ends everything it could
    leave behind is removed: its pages (with them their session storage, listeners, routes, media and
    viewport settings), the local storage, IndexedDB, Cache Storage and service workers of every origin
    it requested anything from (and of ``file://``), cookies, permissions and the HTTP cache. Two keeper
    pages (static, no script) hold one renderer process for http://127.0.0.1 and one for file://, so
    the next test's pages start in a warm process. Tests that need other context options (JavaScript
    off, a touch screen) make their own contexts; an init script goes on the test's page."""

    def __init__(self, browser, folder: Path, **options) -> None:
        self.browser, self.folder, self.options = browser, folder, options
        self.busy = False
        self.open()

    def open(self) -> None:
        """A new context with its keeper pages."""
        self.context = self.browser.new_context(**self.options)
        folder = self.folder
        http_keeper = self.context.new_page()
        http_keeper.route(
            "http://127.0.0.1/keeper.html", lambda route: route.fulfill(content_type="text/html", body=KEEPER_HTML)
        )
        http_keeper.goto("http://127.0.0.1/keeper.html")
        (folder / "keeper.html").write_text(KEEPER_HTML, encoding="utf-8")
        file_keeper = self.context.new_page()
        file_keeper.goto((folder / "keeper.html").as_uri())
        self.keepers = [http_keeper, file_keeper]
        self.cdp = self.context.new_cdp_session(http_keeper)

    @contextlib.contextmanager
    def turn(self):
        """``with shared.turn() as context:`` the context for one test, left clean afterwards."""
        assert not self.busy, "one turn at a time: the shared context is one test's only"
        self.busy, origins = True, {"file://"}

        def seen(request):
            origins.add(origin_of(request.url))

        self.context.on("request", seen)
        try:
            yield self.context
        finally:
            try:
                self.context.remove_listener("request", seen)
                for pg in self.context.pages:
                    if pg not in self.keepers:
                        pg.close()
                for origin in sorted(filter(None, origins)):
                    self.cdp.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})
                self.context.clear_cookies()
                self.context.clear_permissions()
                self.cdp.send("Network.clearBrowserCache")
            except Exception:
                self.context.close()  # what could not be cleaned is thrown away: the next test starts afresh
                self.open()
                raise
            finally:
                self.busy = False  # a failed clean-up fails this test, not every later one as well

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="session")
def shared_context(chromium, tmp_path_factory):
    """The session's :class:`SharedContext` on :func:`chromium` (downloads accepted)."""
    shared = SharedContext(chromium, tmp_path_factory.mktemp("keeper"), accept_downloads=True)
    yield shared
    shared.close()


class ExternalRequests(list):
    """Requests a page made outside the site under test (anything not file:// or the test host)."""


def recording_external(pg):
    """``pg`` with ``pg.external``: every request it makes outside the site under test, from now on."""
    pg.external = ExternalRequests()

    def check(request):
        url = request.url
        if not url.startswith(("file://", "http://127.0.0.1", "data:", "blob:", "about:")):
            pg.external.append(url)

    pg.on("request", check)
    return pg


@pytest.fixture
def page(shared_context):
    """A fresh browser page (in a clean :class:`SharedContext` turn) that records every request
    leaving the site in ``page.external``."""
    with shared_context.turn() as context:
        yield recording_external(context.new_page())


@pytest.fixture
def new_page(shared_context):
    """``new_page(viewport=None)``: as ``chromium.new_page``, pages of the test's own clean
    :class:`SharedContext` turn (closed with it)."""
    with shared_context.turn() as context:

        def make(viewport: dict | None = None):
            pg = context.new_page()
            if viewport:
                pg.set_viewport_size(viewport)
            return pg

        yield make


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build) -> Path:
    """``build(folder)`` once per test run, shared read-only by every test that asks for ``name``.

    Alone, the folder is this session's own; under pytest-xdist (``make test`` runs ``-n auto``)
    the workers share one: the first to ask builds it under a lock, the others wait and read it.
    A build that fails leaves no mark, so every worker that asks reports the failure itself."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        folder = tmp_path_factory.mktemp(name) / "site"
        build(folder)
        return folder
    shared = tmp_path_factory.getbasetemp().parent / f"built-once-{name}"  # the run's folder, above each worker's
    shared.mkdir(exist_ok=True)
    folder, done = shared / "site", shared / "done"
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a failed build left
            build(folder)
            done.touch()
    return folder


def build_example(folder: Path) -> None:
    """The repository's own example knowledge base built into ``folder`` with --strict (in this process)."""
    result = run_build(ROOT, "--strict", "-d", str(folder))
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="session")
def example_site(tmp_path_factory) -> Path:
    """The repository's own example knowledge base, built once per run with --strict (in this process);
    read it, never write into it (:func:`copy_site` first)."""
    return built_once(tmp_path_factory, "example", build_example)


def copy_site(site: Path, dest: Path) -> Path:
    shutil.copytree(site, dest)
    return dest
