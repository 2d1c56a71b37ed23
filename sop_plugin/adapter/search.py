"""Search tuned for SOPs, on top of Material's search plugin.

Material's ``search`` plugin keeps doing what it does well: it cuts every page into sections at
its headings, honours ``search: {exclude: true, boost: N}`` in front-matter, and its user interface
(search box, result list, keyboard navigation, ``search.highlight`` on the target page) is
unchanged. Two parts are exchanged, both through the seams Material offers for it:

* **the index** (:class:`SopSearchIndex`, put in place of the plugin's ``search_index`` object):
  what is marked ``data-search-exclude`` (header-card labels, table heads, banners, the columns a
  found SOP's page shows anyway) and quiz containers (``data-quiz``) stay out, whole subtrees
  (Material's own parser ends an exclusion at the first nested closing tag of the same name);
  obsolete SOPs stay out; table cells stay separate words; the text is raw (no ``<p>``/``<li>``
  markup, no entities); an SOP's first entry carries its id in its title and an ``sop`` field;
  generated pages (role, register, training pages) keep only their title and introduction, at
  half weight, since their tables repeat the SOPs; tags appear once per page instead of once per
  section; and the file is UTF-8 instead of ``\\uXXXX`` escapes. Chinese is not segmented with
  jieba at build time: the engine below matches substrings, which needs no word boundaries.
* **the engine in the browser** (``assets/sop/search-worker.js``, set as ``__config.search``, the
  worker URL Material documents for custom search): it starts from the manifest that takes the
  place of ``search_index.json`` and loads, per query, only the pieces of the index it needs
  (``pages/search_index.py``: key shards by the first letters of a word, the text of the best
  pages), instead of a lunr index built in the browser from the whole index on every page load
  (5 s for 3,000 SOPs, over half a minute before the exclusions above). It speaks Material's
  worker protocol (SETUP -> READY, QUERY -> RESULT), so the UI is unchanged.

No post-build rewrite of ``search_index.json`` is needed, and none would be safe without care:
Material's ``offline`` plugin copies the file into ``search_index.js`` in its own ``on_post_build``
at priority -100, so a rewrite would have to run after ``search`` (0) and before ``offline``
(-100). Producing the right bytes in the first place avoids the ordering problem altogether.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from pathlib import Path

from sop_plugin.pages.search_index import PIECES_DIR, PageFacts, build_pieces, load_synonyms, manifest_text

try:  # Material is a dependency; the guard keeps the model and page layers importable without it
    from material.plugins.search.plugin import SearchIndex, SearchPlugin
except ImportError:  # pragma: no cover
    SearchIndex, SearchPlugin = object, None  # type: ignore[assignment,misc]

#: Site path of the browser engine (copied from ``sop_plugin/assets/search-worker.js``).
WORKER_URI = "assets/sop/search-worker.js"

# An element whose whole subtree stays out of the index.
_EXCLUDED_START = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*?\sdata-(?:search-exclude|quiz)(?=[\s=/>])[^>]*>")
# Closing tags after which text must not run into the next cell or term.
_CELL_END = re.compile(r"</(td|th|dt|dd|caption|summary)>", re.I)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
#: Score factor of a generated page (times its own ``search.boost``): an SOP comes before a page about it.
GENERATED_BOOST = 0.5
#: How much of a generated page's text is indexed: its introduction, not the table that follows.
INTRO_CHARS = 160
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


#: The site's synonyms file, in the docs folder (see ``docs/guide/search.md``).
SYNONYMS_FILE = "search-synonyms.yml"


@dataclass(frozen=True)
class PageInfo:
    """What the index needs to know about a page that is an SOP."""

    sop_id: str
    primary: bool  # the SOP itself, not a translation: gets the id in its title
    exclude: bool  # obsolete: stays out of the index
    lang: str = ""
    aliases: tuple[str, ...] = ()
    owner: str = ""
    group: str = ""  # the id an SOP shares with its translations (``translation_of``)

    @classmethod
    def of(cls, sop, exclude: bool) -> PageInfo:
        """The facts of an SOP (a :class:`sop_plugin.model.Sop`) that search uses."""
        meta = sop.meta
        return cls(
            sop.id,
            primary=not sop.is_translation,
            exclude=exclude,
            lang=meta.lang or "",
            aliases=tuple(meta.aliases),
            owner=meta.owner.name or "",  # a role-only owner has no name
            group=meta.translation_of or sop.id,
        )


def without_excluded(html: str) -> str:
    """``html`` without elements marked ``data-search-exclude`` or ``data-quiz`` (whole subtrees)."""
    out, pos = [], 0
    while True:
        match = _EXCLUDED_START.search(html, pos)
        if match is None:
            out.append(html[pos:])
            return "".join(out)
        out.append(html[pos : match.start()])
        tag = match.group(1).lower()
        if tag in _VOID or match.group(0).endswith("/>"):
            pos = match.end()
            continue
        tags = re.compile(rf"<(/?){re.escape(tag)}\b[^>]*>", re.I)
        depth, pos = 1, match.end()
        while depth:
            inner = tags.search(html, pos)
            if inner is None:  # unbalanced: drop the rest rather than index a quiz
                return "".join(out)
            depth += -1 if inner.group(1) else (0 if inner.group(0).endswith("/>") else 1)
            pos = inner.end()


def plain_text(html: str) -> str:
    """Index text: raw text, markup removed and whitespace collapsed (the engine escapes its output)."""
    return unescape(_SPACE.sub(" ", _TAG.sub(" ", html)).strip())


def _intro(text: str) -> str:
    """The first :data:`INTRO_CHARS` characters of a generated page's text, cut at a space when possible."""
    if len(text) <= INTRO_CHARS:
        return text
    cut = text.rfind(" ", INTRO_CHARS // 2, INTRO_CHARS)
    return text[: cut if cut > 0 else INTRO_CHARS] + " …"


class SopSearchIndex(SearchIndex):  # type: ignore[misc,valid-type]
    """Material's search index, tuned for SOPs (see the module docstring)."""

    def __init__(self, page_info: Callable[[object], PageInfo | None], **config):
        super().__init__(**config)
        self.page_info = page_info
        self.facts: dict[str, PageFacts] = {}
        self.site_dir: Path | None = None  # where the pieces go (set by :func:`install`)
        self.synonyms: list[list[str]] = []

    def add_entry_from_context(self, page) -> None:
        info = self.page_info(page)
        if info is not None and info.exclude:
            return
        original, start = page.content, len(self.entries)
        page.content = _CELL_END.sub(r"</\1> ", without_excluded(original or ""))
        try:
            super().add_entry_from_context(page)
        finally:
            page.content = original
        generated = info is None and getattr(page.file, "generated_by", None) is not None
        if generated:
            # A generated page (role, department, register, training page) is found by its title and
            # intro, after the SOPs: its tables repeat what the SOPs say, and would outrank them and
            # double the index.
            del self.entries[start + 1 :]
        entries = self.entries[start:]
        for index, entry in enumerate(entries):
            entry["title"] = plain_text(entry["title"])
            entry["text"] = plain_text(entry["text"])
            if index and "tags" in entry:  # tags once per page, on its first entry
                del entry["tags"]
        if entries and generated:
            entries[0]["text"] = _intro(entries[0]["text"])
            entries[0]["boost"] = entries[0].get("boost", 1) * GENERATED_BOOST
        if info is not None:
            self.facts[page.url] = PageFacts(
                sop_id=info.sop_id if info.primary else "",
                group=info.group or info.sop_id,
                lang=info.lang,
                aliases=info.aliases,
                owner=info.owner,
            )
        if entries and info is not None and info.primary:
            first = entries[0]
            first["sop"] = info.sop_id
            if not first["title"].startswith(info.sop_id):
                first["title"] = f"{info.sop_id} {first['title']}"

    def _segment_chinese(self, data: str) -> str:
        return data  # the substring engine needs no word boundaries (see the module docstring)

    def generate_search_index(self, prev) -> str:
        """The manifest (``search_index.json``); the pieces are written beside it (``search/pieces/``)."""
        data = json.loads(super().generate_search_index(prev))
        pieces = build_pieces(data["docs"], self.facts, self.synonyms)
        if self.site_dir is not None:
            folder = self.site_dir / PIECES_DIR
            shutil.rmtree(folder, ignore_errors=True)
            for name, content in pieces.files.items():
                path = self.site_dir / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(content, encoding="utf-8")
        return manifest_text(data["config"], pieces)


def search_plugin(config):
    """The enabled instance of Material's search plugin, if the site uses it."""
    if SearchPlugin is None:
        return None
    for plugin in config.plugins.values():
        if isinstance(plugin, SearchPlugin) and plugin.config.enabled:
            return plugin
    return None


def install(config, page_info: Callable[[object], PageInfo | None], warn: Callable[[str], None] = print) -> bool:
    """Put :class:`SopSearchIndex` in place of Material's index; False when there is no search.

    Called after every plugin's ``on_config`` (Material creates its index object there). Reads the
    synonyms file (``docs/search-synonyms.yml``); each problem in it goes to ``warn``.
    """
    plugin = search_plugin(config)
    if plugin is None or not isinstance(getattr(plugin, "search_index", None), SearchIndex):
        return False
    if not isinstance(plugin.search_index, SopSearchIndex):
        plugin.search_index = SopSearchIndex(page_info, **plugin.search_index.config)
    index = plugin.search_index
    index.page_info = page_info
    index.facts = {}
    index.site_dir = Path(config.site_dir)
    synonyms = load_synonyms(Path(config.docs_dir) / SYNONYMS_FILE)
    for problem in synonyms.problems:
        warn(problem)
    index.synonyms = synonyms.groups
    return True


__all__ = [
    "SYNONYMS_FILE",
    "PageInfo",
    "SopSearchIndex",
    "WORKER_URI",
    "install",
    "plain_text",
    "search_plugin",
    "without_excluded",
]
