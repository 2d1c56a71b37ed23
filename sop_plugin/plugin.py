"""The MkDocs adapter: events only, thin. Everything else lives in model/, pages/ and render.py.

Which hook does what:

- ``on_config``   put the package templates under the site's own ``custom_dir``, register the
                  Markdown extension and the stylesheet.
- ``on_files``    load and validate the whole catalog (every SOP, role, quiz) once, report every
                  problem through the plugin logger (so ``--strict`` fails), keep SOP pages out of
                  the navigation, and add generated files (catalog JSON, ``id/`` redirects, pages).
- ``on_page_markdown``  tell the Markdown extension which SOP is being converted.
- ``on_page_content``   wrap an SOP body in its header card and sections.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from markupsafe import Markup, escape
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from .buildinfo import build_stamp
from .markdown_ext import SopMarkdown
from .model import Catalog, load_catalog
from .pages import generate_all
from .render import SiteContext, SopRenderer
from .strings import strings_for

log = get_plugin_logger(__name__)
_ID = re.compile(r'\sid="([^"]+)"')
PACKAGE = Path(__file__).parent
ASSETS = {"assets/sop/sop.css": PACKAGE / "assets" / "sop.css"}


class SopConfig(Config):
    """Options of the ``sop`` plugin (``plugins: [search, sop: {...}]``)."""

    roles_file = c.Type(str, default="roles.yml")
    """The roles and departments catalog, relative to ``docs_dir``."""

    quizzes_dir = c.Type(str, default="quizzes")
    """The quiz bank folder, relative to the folder of ``mkdocs.yml``; ignored when absent."""

    build_date = c.Optional(c.Type(str))
    """The day that decides "upcoming" and "review overdue" (``YYYY-MM-DD``). Default: the
    ``SOP_BUILD_DATE`` environment variable, else today. A nightly rebuild switches versions."""

    strings = c.Type(dict, default={})
    """Overrides of user-interface strings by key (see ``sop_plugin/strings.py``)."""


class SopPlugin(BasePlugin[SopConfig]):
    """Validate SOPs and build the knowledge base around them."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.catalog = Catalog()
        self.site: SiteContext | None = None
        self.renderer: SopRenderer | None = None
        self.markdown: SopMarkdown | None = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # Ours go after the site's custom_dir (which may override them) and before Material's.
        templates = str(PACKAGE / "templates")
        if templates not in config.theme.dirs:
            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, templates)
        self.t = strings_for(config.theme.get("language"), self.config.strings)
        self.markdown = SopMarkdown(self.catalog, self.t)
        config.markdown_extensions.append(self.markdown)  # type: ignore[arg-type]
        for uri in ASSETS:
            if uri not in config.extra_css:
                config.extra_css.append(uri)
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        docs_dir = Path(config.docs_dir)
        quizzes_dir = Path(config.config_file_path or ".").parent / self.config.quizzes_dir
        sources = [(f.src_uri, f.content_string) for f in files.documentation_pages()]
        self.catalog = catalog = load_catalog(docs_dir, sources, quizzes_dir if quizzes_dir.is_dir() else None,
                                              self.config.roles_file)
        self._report(catalog)
        roles_file = files.get_file_from_path(self.config.roles_file)
        if roles_file is not None:  # an input, not part of the site
            files.remove(roles_file)
        file_of = {f.src_uri: f for f in files.documentation_pages()}
        for sop in catalog.sops:
            file_of[sop.path].inclusion = InclusionLevel.NOT_IN_NAV

        def url_for_src(src_uri: str) -> str:
            return File(src_uri, "", "", config.use_directory_urls).url

        self.site = SiteContext(
            catalog=catalog, t=self.t, today=self._today(),
            url_of_path=lambda path: file_of[path].url if path in file_of else None,
            url_for_src=url_for_src, directory_urls=config.use_directory_urls, stamp=build_stamp(docs_dir))
        self.markdown.catalog = catalog
        self.renderer = SopRenderer(config.theme.get_env().loader, self.site)
        for item in generate_all(self.site):
            files.append(File.generated(config, item.src_uri, content=item.content))
        for uri, path in ASSETS.items():
            files.append(File.generated(config, uri, abs_src_path=str(path)))
        return files

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        if isinstance(page.meta.get("title"), str) and not isinstance(page.meta["title"], Markup):
            # Front-matter titles are text, but Material prints page.title unescaped (<title>, h1, nav).
            page.meta["title"] = escape(page.meta["title"])
        sop = self.catalog.by_path.get(page.file.src_uri)
        self.markdown.begin_page(page.file.src_uri, sop)
        if sop is not None:
            page.meta["sop_page"] = True
        return markdown

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        sop = self.catalog.by_path.get(page.file.src_uri)
        if sop is None:
            return html
        header, sections = self.renderer.header(sop, page.url), self.renderer.sections(sop, page.url)
        if page.present_anchor_ids is not None:  # so MkDocs' anchor validation knows our ids
            page.present_anchor_ids.update(_ID.findall(header + sections))
        return header + html + sections

    def _today(self) -> dt.date:
        value = self.config.build_date or os.environ.get("SOP_BUILD_DATE")
        return dt.date.fromisoformat(value) if value else dt.date.today()

    @staticmethod
    def _report(catalog: Catalog) -> None:
        for problem in catalog.problems:
            (log.error if problem.severity == "error" else log.warning)(str(problem))
