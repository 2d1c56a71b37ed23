"""The options of the ``sop`` plugin: one attribute per option, each with its docstring.

Declared as an MkDocs :class:`~mkdocs.config.base.Config` schema, as Material's plugins declare
theirs (``material/plugins/tags/config.py``); ``plugin.py`` reads them as ``self.config.<name>``.
"""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config

from sop_plugin.adapter.offline import MODES
from sop_plugin.model.schema import ACCESS_LEVELS
from sop_plugin.model.steps import STEP_SOURCES


class SopConfig(Config):
    """Options of the ``sop`` plugin (``plugins: [search, sop: {...}]``)."""

    roles_file = c.Type(str, default="roles.yml")
    """The roles and departments catalog, relative to ``docs_dir``."""

    quizzes_dir = c.Type(str, default="quizzes")
    """The quiz bank folder, relative to the folder of ``mkdocs.yml``; ignored when absent."""

    build_date = c.Optional(c.Type(str))
    """The day that decides "upcoming" and "review overdue" (``YYYY-MM-DD``). Default: the
    ``SOP_BUILD_DATE`` environment variable, else today in ``time_zone``. A nightly rebuild
    switches versions; set ``SOP_BUILD_DATE`` for a build you must reproduce byte for byte."""

    time_zone = c.Optional(c.Type(str))
    """The time zone of "today" (an IANA name such as ``Asia/Shanghai``). Default: the
    ``SOP_TIME_ZONE`` environment variable, else the machine's zone."""

    strings = c.Type(dict, default={})
    """Overrides of user-interface strings by key, e.g. ``{"action.report": "Raise a deviation"}``:
    any key of ``sop_plugin/i18n/en.yml``, the quiz client's ``quiz.*`` keys included. They win over
    every catalog file (docs/guide/strings.md). An unknown key, a value that is not text or a
    ``{placeholder}`` the code does not fill in is a warning, and the string stays as it was."""

    i18n_dir = c.Optional(c.Type(str))
    """A folder of the site's own string catalogs, relative to the folder of ``mkdocs.yml``: one
    ``<language>.yml`` per language (``de.yml``, ``zh-Hant.yml`` ...) with keys of
    ``sop_plugin/i18n/en.yml``. A file for a language the package lacks adds that language
    (``theme.language: de``); a file for one it has (``zh.yml``) overrides its strings key by key.
    Missing keys fall back to the shorter language tag, then English. Default: none."""

    history = c.Optional(c.Type(bool))
    """Revision history from git (one ``git log`` and one ``git cat-file`` per build): the history
    table, archived versions, the version in force while a new one is upcoming, the changes feed.
    Default (unset): from git when ``docs_dir`` is in a git work tree, else from the ``changes``
    logs with one INFO line. ``true``: git is required, and its absence is a warning (``--strict``
    fails). ``false``: from the ``changes`` logs only. A shallow clone is always a warning: fetch
    the full history (``actions/checkout`` with ``fetch-depth: 0``)."""

    archive_versions = c.Optional(c.Type(int))
    """How many earlier versions of each SOP to publish at ``id/<SOP-ID>/v<version>/`` (newest
    first). Default: all that git has; ``0``: none (the history table still lists them)."""

    archive_process = c.Type(bool, default=False)
    """``true``: write the pages of archived versions on a second process while the build goes
    on (Linux, two CPUs or more, no other thread running: never under ``mkdocs serve``). The
    pages are the same; a build with many archived versions ends sooner, for more memory: the
    two processes share the build's memory only until either writes to it, and together they
    take about 1.5 to 1.7 times the memory of one (the guide, "What archived versions cost", has
    the figures). Default ``false``: one process, one page after another."""

    archive_cache = c.Type(bool, default=True)
    """Keep the converted bodies of archived versions and their "what changed" between builds,
    in ``cache_dir``: the next build takes a body from there when its text, everything it links
    to and the site's Markdown settings are the same (``revisions/rendered.py`` says what is
    checked). A build with 3 archived versions per SOP then takes about a third less. ``false``:
    every body is converted every build, nothing is written to ``cache_dir``."""

    cache_dir = c.Type(str, default=".cache/plugin/sop")
    """Where ``archive_cache`` keeps its file, relative to the folder of ``mkdocs.yml`` (the
    folder Material's own plugins use; keep ``.cache`` out of git). Deleting it is always safe.
    A folder inside ``docs_dir`` or ``site_dir`` is refused with a warning (its file would be
    published with the site): the build then keeps no cache."""

    site_filter = c.Optional(c.Type(str))
    """Plant copy: build only the SOPs whose ``applies_to.sites`` is empty or names this site id.
    Default: the ``SOP_SITE`` environment variable, else every site. Left-out SOPs are absent
    from every output; links to them say "not part of this copy"."""

    access_level = c.Optional(c.Choice(ACCESS_LEVELS))
    """Plant copy: build only the SOPs whose ``access`` is at most this level (``public`` <
    ``internal`` < ``restricted``). Default: ``SOP_ACCESS``, else ``restricted`` (everything).
    A build filter, not security: whoever has the sources has every SOP."""

    copy_name = c.Optional(c.Type(str))
    """The copy's name in every page footer and in ``sop-build.json`` (e.g. "苏州工厂 intranet").
    Default: ``SOP_COPY_NAME``."""

    tune_search = c.Type(bool, default=True)
    """Search tuned for SOPs (``adapter/search.py``): UI strings and quizzes out of the index, ids in
    titles, UTF-8, and an engine that needs no index build in the browser. Off: Material's own."""

    preview = c.Type(list, default=[])
    """Preview build (``sop serve FILE...``, :mod:`sop_plugin.adapter.preview`): render only these
    pages (paths relative to ``docs_dir``) and the home page; the whole catalog is still validated."""

    generated_pages = c.Type(bool, default=True)
    """Role, site, owner and register pages (``roles/``, ``sites/``, ``owners/``, ``registers/``,
    see ``sop_plugin/pages/``). Off: SOP pages, department pages, ``id/`` and the catalog only."""

    ask_employee_number = c.Type(bool, default=False)
    """Training: the learner bar of quizzes, role pages and "my training" asks for an employee number
    as well as a name. Results are then kept per employee number, and the CSV/JSON/xAPI records
    carry it. Default: the name only."""

    steps_from = c.Choice(STEP_SOURCES, default="auto")
    """Where the steps of an SOP are (``model/steps.py``, docs/guide/steps.md): ``auto`` (default)
    the top-level numbered lists, or the numbered headings (``## 1. ...``, ``### 5.1 ...``) of an
    SOP without such a list; ``lists`` or ``headings`` only. An SOP's own ``steps_from`` wins."""

    readable_heading_ids = c.Type(bool, default=False)
    """Heading ids from ``pymdownx.slugs`` (``## 程序`` -> ``id="程序"``, not ``_1``) when the site's
    ``toc`` sets no ``slugify`` of its own. Off (default): heading ids are the site's, as before
    the plugin was added (deep links keep working); ``sop init`` turns it on for new sites."""

    nav_sops = c.Optional(c.Type(int))
    """Without a ``nav:`` in ``mkdocs.yml``: SOP pages stay in the automatic navigation while the
    site has at most this many SOPs. Default: 100, or 1000 with Material's ``navigation.prune``;
    ``0``: never (``adapter/nav.py``)."""

    nav_section = c.Type(str, default="SOP")
    """With a ``nav:`` in ``mkdocs.yml``: the title of the one section, added at its end, holding
    the generated overview pages (directory, departments, roles, registers, ...) it does not list
    itself. ``""``: add none."""

    report_url = c.Optional(c.Type(str))
    """"Report a problem" on every SOP page: a URL template for a new issue, with ``{id}``,
    ``{version}``, ``{title}`` and ``{url}`` (the SOP's ``id/<SOP-ID>/`` address, absolute when
    ``site_url`` is set), e.g. ``https://git.example.com/qa/sops/issues/new?title={id}%20v{version}&body={url}``.
    Hidden when unset. "Edit this SOP" appears when ``repo_url`` and ``edit_uri`` are set. Each
    exception gets its own link, with ``{exception}`` (its trigger) and ``{step}`` filled in too."""

    qr_base_url = c.Optional(c.Type(str))
    """The absolute address QR codes lead to (SOP pages, printed sheets, workstation cards), e.g.
    ``http://sop.plant.local/``: the intranet host, which is often not the public ``site_url``.
    Default: ``site_url``. Without either, no QR code is drawn (one INFO line says why)."""

    offline = c.Choice(MODES, default="warn")
    """What a request outside the site is, in the configuration (``theme.font``, ``repo_url`` on
    GitHub, CDN scripts) and in the built pages (external images, iframes, videos...): ``warn``
    (default) a warning, so ``mkdocs build --strict`` fails; ``strict`` an error, and the build
    fails; ``off`` allowed, listed in one INFO line (a site hosted on the internet)."""
