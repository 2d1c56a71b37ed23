"""The search index's input straight from a corpus's Markdown, without a build (an approximation).

A 10,000-SOP build takes 15-25 minutes of CPU; the index format can be tried on the same pages in
seconds. ``python bench/search_synth.py DOCS OUT.pickle`` writes what the plugin would give
:func:`sop_plugin.pages.search_index.build_pieces` for the SOPs under DOCS (one section per
Markdown heading, markup stripped; generated pages and the sections the plugin adds to an SOP
page, such as its control point table, are left out, so the figures are a little low: compare
with ``bench/search_rebuild.py build`` on a smaller corpus). ``bench/search_rebuild.py rebuild
SITE --input OUT.pickle`` then writes those search files into a built site (its pages do not need
to match: the search box and the engine only need the home page and the assets).

``python bench/search_synth.py --scale INPUT.pickle FACTOR OUT.pickle`` makes a real build's saved
input (``search_rebuild.py build``) FACTOR times as large instead (see :func:`scaled`).
"""

from __future__ import annotations

import pickle
import re
import sys
from pathlib import Path
from urllib.parse import quote

import yaml

from sop_plugin.model.source import split_front_matter
from sop_plugin.pages.search_index import PageFacts

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MARKUP = re.compile(r"\[\[([^\]]+)\]\]|[*_`]+|^\s*(?:\d+\.|[-*+])\s+|^\s*>\s?|\|", re.M)
_SPACE = re.compile(r"\s+")
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _slug(text: str) -> str:
    return re.sub(r"[^\w\u4e00-\u9fff]+", "-", text.lower()).strip("-") or "_"


def _plain(text: str) -> str:
    return _SPACE.sub(" ", _MARKUP.sub(lambda m: m.group(1) or " ", text)).strip()


def page_entries(path: Path, docs: Path) -> tuple[str, list[dict], PageFacts] | None:
    source = split_front_matter(path.read_text(encoding="utf-8"))
    if source.front_matter is None:
        return None
    body, meta = source.body, yaml.load(source.front_matter, Loader=Loader) or {}
    if not isinstance(meta, dict) or "id" not in meta or meta.get("status") == "obsolete":
        return None
    sop_id, title = str(meta["id"]), str(meta.get("title", ""))
    location = quote(path.relative_to(docs).with_suffix("").as_posix() + "/")
    sections = [{"location": location, "title": f"{sop_id} {title}", "text": "", "tags": meta.get("tags") or []}]
    text: list[str] = []
    for line in body.splitlines():
        heading = _HEADING.match(line)
        if heading:
            sections[-1]["text"] = _plain("\n".join(text))
            text = []
            name = _plain(heading.group(2))
            sections.append({"location": f"{location}#{_slug(name)}", "title": name, "text": ""})
        else:
            text.append(line)
    sections[-1]["text"] = _plain("\n".join(text))
    if not sections[0]["tags"]:
        del sections[0]["tags"]
    owner = meta.get("owner")
    facts = PageFacts(
        sop_id=sop_id,
        group=str(meta.get("translation_of") or sop_id),
        lang=str(meta.get("lang") or ""),
        aliases=tuple(str(a) for a in meta.get("aliases") or ()),
        owner=str(owner.get("name") or "") if isinstance(owner, dict) else "",
    )
    return location, sections, facts


def main(argv: list[str]) -> int:
    if len(argv) == 4 and argv[0] == "--scale":
        with Path(argv[1]).open("rb") as f:
            entries, facts, synonyms = pickle.load(f)
        entries, facts = scaled(entries, facts, float(argv[2]))
        with Path(argv[3]).open("wb") as f:
            pickle.dump((entries, facts, synonyms), f, protocol=5)
        print(f"{len(facts)} SOP pages, {len(entries)} sections -> {argv[3]}")
        return 0
    if len(argv) != 2:
        print(__doc__)
        return 2
    docs, out = Path(argv[0]), Path(argv[1])
    entries, facts = [], {}
    for path in sorted(docs.rglob("*.md")):
        page = page_entries(path, docs)
        if page is not None:
            entries += page[1]
            facts[page[0]] = page[2]
    with out.open("wb") as f:
        pickle.dump((entries, facts, []), f, protocol=5)
    print(f"{len(facts)} pages, {len(entries)} sections -> {out}")
    return 0


def scaled(entries: list[dict], facts: dict, copies: float) -> tuple[list[dict], dict]:
    """A real build's index input (``search_rebuild.py build``) made ``copies`` times as large: the
    pages copied with new ids (``SOP-QC-0001`` -> ``SOP-QC-10001`` in copy 1) and addresses, the
    way the first 10,000-SOP estimate of issue 14 was made from the 3,000-SOP site."""
    pages: dict[str, list[dict]] = {}
    for entry in entries:
        pages.setdefault(entry["location"].split("#", 1)[0], []).append(entry)
    out_entries, out_facts, total = [], {}, round(len(pages) * copies)
    for n in range(total):
        copy, location = divmod(n, len(pages))
        location = list(pages)[location]
        f = facts.get(location)

        def renamed(value: str, old: str, new: str) -> str:
            return value.replace(old, new) if old else value

        old_id = f.sop_id or f.group if f else ""
        new_id = f"{old_id[:-4]}{copy}{old_id[-4:]}" if old_id and copy else old_id
        new_location = renamed(location, old_id.lower(), new_id.lower())
        if new_location == location and copy:
            new_location = f"c{copy}/{location}"
        for entry in pages[location]:
            out_entries.append(
                {
                    **entry,
                    "location": new_location + entry["location"][len(location) :],
                    "title": renamed(entry["title"], old_id, new_id),
                }
            )
        if f:
            out_facts[new_location] = PageFacts(
                sop_id=renamed(f.sop_id, old_id, new_id),
                group=renamed(f.group, old_id, new_id),
                lang=f.lang,
                aliases=f.aliases,
                owner=f.owner,
            )
    return out_entries, out_facts


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
