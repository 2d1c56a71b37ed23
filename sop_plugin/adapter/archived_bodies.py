"""Archived bodies converted as MkDocs converts a page, or taken from the cache of earlier builds.

The MkDocs side of :mod:`sop_plugin.revisions.rendered`: :func:`open_store` keys the store by what
every conversion of this build depends on (the site's Markdown extensions and settings, link
validation, the plugin's options and strings, library versions, the plugin's code);
:class:`BodyConverter` converts one archived body with the site's extensions, recording every
lookup its conversion makes (``[[SOP-ID]]``, files and page URLs) and every message it logs, or
takes a stored conversion whose lookups still find the same. Plugin options ``archive_cache`` and
``cache_dir``; figures in docs/guide/versions-and-reviews.md.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from sop_plugin.markdown.extension import SopMarkdown
from sop_plugin.markdown.relink import Relink
from sop_plugin.model.cache import digest
from sop_plugin.revisions.rendered import Converted, MessageRecorder, Recorder, RenderedStore, settings_key

#: The libraries whose version changes what a body converts to.
LIBRARIES = ("markdown", "pymdown-extensions", "mkdocs", "mkdocs-material", "pygments")
PACKAGE = Path(__file__).resolve().parent.parent
#: Plugin options that no body's conversion depends on (every other option is in the key: a new
#: option invalidates the cache until it is listed here).
NOT_IN_BODIES = frozenset(
    {"preview", "archive_process", "archive_cache", "cache_dir", "archive_versions", "build_date", "time_zone"}
)


def open_store(
    config: MkDocsConfig, options: dict, strings, folder: Path, say: Callable[[str], None]
) -> RenderedStore | None:
    """The store for this build's settings in ``folder`` (None: a setting cannot be keyed, or
    the store cannot be opened: ``say`` tells why)."""
    extensions = [  # an extension given as an object: by its type and settings
        e if isinstance(e, str) else {"type": f"{type(e).__module__}.{type(e).__qualname__}", "configs": e.getConfigs()}
        for e in config.markdown_extensions
    ]
    settings = {
        "markdown_extensions": extensions,
        "mdx_configs": config.mdx_configs,
        "use_directory_urls": config.use_directory_urls,
        "validation": config.validation,
        "plugin": {k: v for k, v in options.items() if k not in NOT_IN_BODIES},
        "strings": strings.table,
        "language": strings.language,
        "libraries": {name: _version(name) for name in LIBRARIES},
        "python": sys.version,
    }
    key = settings_key(settings, PACKAGE.rglob("*.py"))
    if key is None:
        say(
            "archived versions: no cache: a Markdown setting is an object without a name (a lambda?), "
            "so a change to it could not be seen; every body is converted"
        )
        return None
    return RenderedStore.open(folder, key, say)


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


class BodyConverter:
    """Converts archived bodies for one build (``store`` None: every body, nothing kept)."""

    def __init__(
        self, config: MkDocsConfig, files: Files, markdown: SopMarkdown, relink: Relink, store: RenderedStore | None
    ) -> None:
        self.config, self.files, self.markdown, self.relink, self.store = config, files, markdown, relink, store
        self._exists, self._page_url = relink.exists, relink.page_url

    def look_up(self, kind: str, argument: str):
        """What a conversion finds for ``argument`` now, as JSON data (see ``Converted.lookups``)."""
        if kind == "sop":
            return self.markdown.ref(argument)
        if kind == "exists":
            return self._exists(argument)
        if kind == "page_url":
            return self._page_url(argument)
        if kind == "file":
            found = self.files.get_file_from_path(argument)
            return None if found is None else [found.url, found.inclusion.is_excluded()]
        return object()  # a kind this build does not know: never the same

    def convert(self, view, page: Page) -> list | None:
        """``page.content``: the body of ``view`` converted; returns the steps its conversion read."""
        snapshot = view.snapshot
        key = None
        if self.store is not None and snapshot.commit is not None and snapshot.text is not None:
            key = digest(snapshot.text, view.src_uri, view.base_path or "")
            stored = self.store.body(key, self.look_up)
            if stored is not None:
                snapshot.sop(steps=False, front=stored.front)  # its steps are the stored ones
                stored.say_messages()
                page.content = stored.html
                return stored.steps
        sop = snapshot.sop(steps=False)  # its steps come from the conversion
        recorder, messages = Recorder(self.look_up), MessageRecorder()
        loggers = [logging.getLogger("mkdocs"), logging.getLogger()]
        self.markdown.begin_page(view.src_uri, sop, read_steps=True)
        self.relink.begin_page(view.base_path, view.src_uri)
        self.markdown.lookup_ref = lambda sop_id: recorder("sop", sop_id)
        self.relink.exists = lambda path: recorder("exists", path)
        self.relink.page_url = lambda path: recorder("page_url", path)
        for logger in loggers:
            logger.addHandler(messages)
        page.markdown = snapshot.body
        try:
            page.render(self.config, _RecordingFiles(self.files, recorder))
        finally:
            for logger in loggers:
                logger.removeHandler(messages)
            self.markdown.lookup_ref = self.markdown.ref
            self.relink.exists, self.relink.page_url = self._exists, self._page_url
            self.markdown.read_steps = False
        steps = self.markdown.steps
        if key is not None and recorder.complete:
            converted = Converted(page.content, steps, recorder.lookups, messages.messages, snapshot.front)
            self.store.keep_body(key, converted)
        return steps


class _RecordingFiles:
    """The build's files as MkDocs' link resolution sees them, each lookup recorded; any other
    use marks the conversion as not fully recorded (it is then not stored)."""

    def __init__(self, files: Files, recorder: Recorder) -> None:
        self._files, self._recorder = files, recorder

    def get_file_from_path(self, path: str):
        self._recorder("file", path)
        return self._files.get_file_from_path(path)

    def __getattr__(self, name: str):
        self._recorder.complete = False
        return getattr(self._files, name)
