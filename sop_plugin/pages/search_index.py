"""The search index in pieces: a small manifest, key shards and one text piece per page (no MkDocs).

The browser engine (``assets/search-worker.js``) gets the **manifest** the way Material hands any
index to its worker (``search/search_index.json``, or ``search_index.js`` from ``file://``): for
each page its folder, file name, title, id length, text length, boost, language and translation
group, as one string per column (:func:`manifest_columns`), and the site's synonyms. For a query
it then loads, as ``<script>``-style files that work from ``file://`` as well as over http (``importScripts``; no ``fetch``):

* the **key shards** the query's words fall into (``search/pieces/k/<n>.js``): an inverted index
  from keys to the pages that contain them. A key is a Latin word (letters and digits) or two
  adjacent Chinese/Japanese/Korean characters, so Chinese needs no word segmentation: a term is
  found where all its character pairs are. A page's title, ``aliases``, the pinyin of its Chinese
  title and aliases (full, ``jinshujiance``, and initials, ``jsjc``, of every suffix) are title keys; its
  text, tags and owner names (with the other spelling of the same person: ``赵磊`` and
  ``Zhao Lei``) are text keys. Latin words are sharded by their first three letters so that a
  prefix (``insp``) finds its words in one shard;
* the **text pieces** of the best pages only (``search/pieces/p/<n>.js``), for the sections,
  snippets and highlighting of the first results.

What is not in the entries given here (quiz answers, archived versions, obsolete SOPs) is in no
piece: the pieces are cut from the entries, nothing else.
"""

from __future__ import annotations

import json
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

import yaml
from pypinyin import Style, lazy_pinyin

#: Format version of the manifest and pieces (the engine refuses others).
VERSION = 2
#: Folder of the pieces, relative to the site.
PIECES_DIR = "search/pieces"
#: About how many bytes of postings a key shard holds (the number of shards follows from it).
SHARD_BYTES = 24_000
MAX_SHARDS = 4096
#: Postings value: page delta * 16 + TITLE_FLAG (a title key) + min(count, 7).
TITLE_FLAG = 8
MAX_COUNT = 7
#: How many suffixes of a Chinese run get pinyin keys (``jiance`` for the 检测 of 金属检测).
PINYIN_SUFFIXES = 12

_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
#: The same two patterns are in the engine: a Latin word, or a run of CJK characters.
_TOKEN = re.compile(rf"([a-z0-9\u00c0-\u024f]+)|([{_CJK}]+)")
_CJK_CHAR = re.compile(rf"[{_CJK}]")


def fold(text: str) -> str:
    """Lower case, full-width letters, digits and punctuation as ASCII (as the engine folds a query)."""
    return text.lower().translate(_FULL_WIDTH)


def is_cjk(key: str) -> bool:
    return bool(_CJK_CHAR.match(key))


def keys_of(text: str) -> Counter:
    """The keys of ``text`` with their counts: Latin words, and CJK character pairs (a lone CJK
    character is its own key)."""
    keys: Counter = Counter()
    for latin, cjk in _TOKEN.findall(fold(text)):
        if latin:
            keys[latin] += 1
        elif len(cjk) == 1:
            keys[cjk] += 1
        else:
            keys.update(cjk[i : i + 2] for i in range(len(cjk) - 1))
    return keys


def pinyin_keys(text: str) -> set[str]:
    """Pinyin keys of the Chinese runs of ``text``: full pinyin and initials of each run's suffixes
    (``金属检测``: ``jinshujiance``, ``jsjc``, ``shujiance``, ``sjc``, ...)."""
    out: set[str] = set()
    for _, cjk in _TOKEN.findall(fold(text)):
        if not cjk or not re.match(r"[\u3400-\u9fff\uf900-\ufaff]", cjk):
            continue
        syllables = [s for s in lazy_pinyin(cjk, style=Style.NORMAL, errors="ignore") if s.isascii() and s.isalpha()]
        for start in range(min(len(syllables), PINYIN_SUFFIXES)):
            rest = syllables[start:]
            out.add("".join(rest))
            if len(rest) > 1:
                out.add("".join(s[0] for s in rest))
    return out


def person_key(name: str) -> set[str]:
    """Spellings of a name that are the same person: ``赵磊`` -> {zhaolei, leizhao}; ``Zhao Lei`` likewise."""
    folded = fold(name)
    if _CJK_CHAR.search(folded):
        words = [s for s in lazy_pinyin(folded, style=Style.NORMAL, errors="ignore") if s.isalpha()]
    else:
        words = re.findall(r"[a-z]+", folded)
    if not words:
        return set()
    return {"".join(words), "".join(words[1:] + words[:1])}


def shard_of(key: str, shards: int) -> int:
    """The shard a key lives in (FNV-1a over UTF-16 code units of its first 2 CJK / 3 Latin characters)."""
    head = key[:2] if is_cjk(key) else key[:3]
    h = 0x811C9DC5
    data = head.encode("utf-16-le")
    for i in range(0, len(data), 2):
        h ^= data[i] | (data[i + 1] << 8)
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h % shards


# --------------------------------------------------------------------------- synonyms


@dataclass
class Synonyms:
    """Site-wide synonym groups (``docs/search-synonyms.yml``) and what was wrong in the file."""

    groups: list[list[str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def load_synonyms(path: Path) -> Synonyms:
    """Read a synonyms file: a YAML list whose items are ``a = b = c`` strings or lists of strings.

    Every problem is described in ``problems`` (file and item); a missing file is no synonyms.
    """
    result = Synonyms()
    if not path.is_file():
        return result
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        result.problems.append(f"{path.name}: not readable YAML ({str(exc).splitlines()[0]})")
        return result
    if data is None:
        return result
    if not isinstance(data, list):
        result.problems.append(f"{path.name}: expected a list of 'word = word = ...' lines")
        return result
    for number, item in enumerate(data, 1):
        words = item.split("=") if isinstance(item, str) else item if isinstance(item, list) else None
        if words is None or not all(isinstance(w, (str, int, float)) for w in words):
            result.problems.append(f"{path.name}: item {number}: write 'word = word = ...' or a list of words")
            continue
        group = sorted({" ".join(fold(str(w)).split()) for w in words} - {""})
        if len(group) < 2:
            result.problems.append(f"{path.name}: item {number}: a synonym group needs at least two words")
            continue
        result.groups.append(group)
    return result


# --------------------------------------------------------------------------- the index


@dataclass(frozen=True)
class PageFacts:
    """What search knows of a page beyond its sections (an SOP's front-matter)."""

    sop_id: str = ""  # primary SOP page (not a translation): its id begins its title
    group: str = ""  # the SOP id shared by an SOP and its translations
    lang: str = ""
    aliases: tuple[str, ...] = ()
    owner: str = ""


@dataclass
class Pieces:
    """The manifest (``docs`` and ``config`` additions of ``search_index.json``) and the piece files."""

    docs: list[str]
    config: dict
    files: dict[str, str]


def _json(data) -> str:
    """Compact UTF-8 JSON that is also a JavaScript literal (U+2028/9 escaped for older engines)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def manifest_text(config: dict, pieces: Pieces) -> str:
    """``search_index.json``: Material's ``config`` with the pieces' additions, and their ``docs``."""
    return _json({"config": {**config, **pieces.config}, "docs": pieces.docs})


def _script(name: str, data) -> str:
    return f"__sopPiece({json.dumps(name)},{_json(data)});\n"


#: Characters that JavaScript's ``encodeURI`` leaves alone but ``urllib.parse.quote`` encodes.
_NOT_ENCODEURI = re.compile(r"[;,?:@&=+$#!'()*%]")


def _split_location(location: str) -> tuple[str, str] | None:
    """(folder, name) of a page URL, decoded (the engine encodes it back with ``encodeURI``: a
    Chinese file name takes a third of the bytes); None when decoding would not survive that."""
    decoded = unquote(location)
    if quote(decoded) != location or _NOT_ENCODEURI.search(decoded) or "\n" in decoded:
        return None
    folder, _, name = decoded.rpartition("/")
    if not name and folder:  # directory URLs: qc/a/ -> (qc/, a/)
        folder, _, name = folder.rpartition("/")
        name += "/"
    return (folder + "/" if folder else ""), name


def build_pieces(
    entries: Sequence[dict], facts: dict[str, PageFacts], synonyms: Iterable[Sequence[str]] = ()
) -> Pieces:
    """Cut Material-style section ``entries`` (``location``, ``title``, ``text``, ``boost``, ``tags``)
    into the manifest and pieces; ``facts`` maps a page location (without ``#``) to its facts."""
    pages: dict[str, list[dict]] = {}
    for entry in entries:
        pages.setdefault(entry["location"].split("#", 1)[0], []).append(entry)
    locations = list(pages)
    facts_of = [facts.get(loc, PageFacts()) for loc in locations]
    people: dict[str, set[str]] = defaultdict(set)  # spelling key -> names of one person
    for f in facts_of:
        for key in person_key(f.owner) if f.owner else ():
            people[key].add(f.owner)
    groups: dict[str, int] = {}
    for i, f in enumerate(facts_of):  # a group is numbered by its primary page, else its first page
        if f.group and (f.sop_id or f.group not in groups):
            groups[f.group] = i
    # key -> postings already delta-encoded (8 bytes each: at 10,000 SOPs there are millions)
    postings: dict[str, array] = {}
    last: dict[str, int] = {}
    folders: dict[str, int] = {}
    langs: dict[str, int] = {"": 0}
    rows: list[tuple] = []
    files: dict[str, str] = {}
    for i, loc in enumerate(locations):
        sections, f = pages[loc], facts_of[i]
        first = sections[0]
        text_keys: Counter = Counter()
        length = 0
        for s in sections:
            text_keys.update(keys_of(s.get("title", "")))
            text_keys.update(keys_of(s.get("text", "")))
            length += len(s.get("text", ""))
        text_keys.update(keys_of(" ".join(first.get("tags") or ())))
        if f.owner:
            others = {name for key in person_key(f.owner) for name in people.get(key, ())} | {f.owner}
            for name in others:
                text_keys.update(keys_of(name))
                text_keys.update(dict.fromkeys(person_key(name), 1))
        titled = [first.get("title", ""), *f.aliases]
        title_keys = set()
        for value in titled:
            title_keys |= set(keys_of(value)) | pinyin_keys(value)
        for key in title_keys | set(text_keys):
            weight = (TITLE_FLAG if key in title_keys else 0) + min(text_keys.get(key, 0), MAX_COUNT)
            values = postings.get(key)
            if values is None:
                values = postings[key] = array("q")
            values.append((i - last.get(key, -1)) * 16 + weight)  # pages in increasing order
            last[key] = i
        split = _split_location(loc)
        folder, name = split if split else (None, loc)
        boost = first.get("boost", 1)
        title = first.get("title", "")
        rows.append(
            (
                -1 if folder is None else folders.setdefault(folder, len(folders)),
                name,
                title,
                len(f.sop_id) if f.sop_id and title.startswith(f.sop_id) else 0,
                length,
                boost if isinstance(boost, (int, float)) else 1,
                langs.setdefault(f.lang, len(langs)),
                groups.get(f.group, i),
            )
        )
        files[f"{PIECES_DIR}/p/{i}.js"] = _script(
            f"p{i}",
            [
                [
                    s["location"][len(loc) :],
                    s.get("title", ""),
                    s.get("text", ""),
                    *([s["tags"]] if s.get("tags") else []),
                ]
                for s in sections
            ],
        )
    total = sum(len(key) * 3 + 6 + 4 * len(values) for key, values in postings.items())
    shards = 1
    while shards < MAX_SHARDS and total / shards > SHARD_BYTES:
        shards *= 2
    by_shard: list[list[str]] = [[] for _ in range(shards)]
    for key in postings:
        by_shard[shard_of(key, shards)].append(key)
    for n, keys in enumerate(by_shard):  # every shard, empty or not: the engine asks for it by number
        files[f"{PIECES_DIR}/k/{n}.js"] = _script(f"k{n}", {key: postings[key].tolist() for key in keys})
    config = {
        "sop_pieces": {
            "version": VERSION,
            "pages": len(rows),
            "shards": shards,
            "folders": list(folders),
            "langs": list(langs),
            "synonyms": [list(g) for g in synonyms],
            "pieces": PIECES_DIR + "/",
        }
    }
    return Pieces(docs=manifest_columns(rows), config=config, files=files)


# --------------------------------------------------------------------------- the manifest's rows

#: Stands for the page's SOP id in lower case at the start of a stored file name (``*/`` is
#: ``sop-qc-0001/``): ``urllib.parse.quote`` encodes ``*``, so no stored name begins with one.
ID_STEM = "*"
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int) -> str:
    """``number`` in base 36 (JavaScript's ``parseInt(s, 36)`` reads it back); 0 is the empty string."""
    if number == 0:
        return ""
    sign, number, out = ("-" if number < 0 else ""), abs(number), ""
    while number:
        number, digit = divmod(number, 36)
        out = _DIGITS[digit] + out
    return sign + out


def _stem(rows: Sequence[tuple], i: int) -> str:
    """The lower-case SOP id a row's file name usually begins with: its own, or its group's (a translation)."""
    for row in (rows[i], rows[rows[i][7]]):
        stem = row[2][: row[3]].lower()
        if row[3] and stem.isascii():  # lower case the same in Python and JavaScript
            return stem
    return ""


def manifest_columns(rows: Sequence[tuple]) -> list[str]:
    """The manifest's ``docs``: eight strings, one per column, instead of one list per page.

    Rows are (folder, name, title, id length, text length, boost, language, group). Titles and
    names are joined by newlines; a name that begins with the SOP's id in lower case (most do:
    ``sop-qc-0001/``) begins with :data:`ID_STEM` instead; numbers are base 36 joined by spaces,
    0 (and a boost of 1) written as nothing, and the group as its distance from the row. A few
    long strings instead of a hundred thousand small values: the browser reads them in a few
    milliseconds, also from ``file://`` where the manifest is a script (``search_index.js``)."""
    names = []
    for i, row in enumerate(rows):
        stem, name = _stem(rows, i), row[1]
        names.append(ID_STEM + name[len(stem) :] if stem and row[0] >= 0 and name.startswith(stem) else name)
    number = " ".join
    return [
        "\n".join(row[2].replace("\n", " ") for row in rows),
        "\n".join(names),
        number(_base36(row[0]) for row in rows),
        number(_base36(row[3]) for row in rows),
        number(_base36(row[4]) for row in rows),
        number("" if row[5] == 1 else repr(row[5]) for row in rows),
        number(_base36(row[6]) for row in rows),
        number(_base36(row[7] - i) for i, row in enumerate(rows)),
    ]


def manifest_rows(index: dict) -> list[list]:
    """The manifest's pages as rows ``[folder, name, title, id length, text length, boost,
    language, group]`` (the inverse of :func:`manifest_columns`, as the engine reads them)."""
    docs, count = index["docs"], index["config"]["sop_pieces"]["pages"]
    if not count:
        return []
    titles, names = docs[0].split("\n"), docs[1].split("\n")
    numbers = [[int(v, 36) if v else 0 for v in column.split(" ")] for column in (docs[2], docs[3], docs[4])]
    boosts = [float(v) if v else 1 for v in docs[5].split(" ")]
    langs = [int(v, 36) if v else 0 for v in docs[6].split(" ")]
    groups = [i + (int(v, 36) if v else 0) for i, v in enumerate(docs[7].split(" "))]
    rows = [
        [numbers[0][i], names[i], titles[i], numbers[1][i], numbers[2][i], boosts[i], langs[i], groups[i]]
        for i in range(len(titles))
    ]
    for i, row in enumerate(rows):
        if row[0] >= 0 and row[1].startswith(ID_STEM):
            row[1] = _stem(rows, i) + row[1][len(ID_STEM) :]
    return rows


def location_of(row: list, folders: list[str]) -> str:
    """The page URL of a manifest row (as Material writes it: percent-encoded)."""
    return row[1] if row[0] < 0 else quote(folders[row[0]] + row[1])


def read_sections(site: Path) -> list[dict]:
    """Every section of a built site's pieces as ``{location, title, text}`` (for tests and tools)."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    folders = index["config"]["sop_pieces"]["folders"]
    out = []
    for number, row in enumerate(manifest_rows(index)):
        location = location_of(row, folders)
        piece = (site / PIECES_DIR / "p" / f"{number}.js").read_text(encoding="utf-8")
        data = json.loads(piece[piece.index(",") + 1 : piece.rindex(");")])
        out += [{"location": location + s[0], "title": s[1], "text": s[2]} for s in data]
    return out


__all__ = [
    "PIECES_DIR",
    "PageFacts",
    "Pieces",
    "Synonyms",
    "build_pieces",
    "fold",
    "keys_of",
    "load_synonyms",
    "location_of",
    "manifest_columns",
    "manifest_rows",
    "manifest_text",
    "person_key",
    "pinyin_keys",
    "read_sections",
    "shard_of",
]
