"""Reading authored YAML: front-matter split from Markdown, and YAML values with their line numbers.

Line numbers are what make an error message useful to an author, so every loader here returns,
beside the data, a map from a field path (``("control_points", 0, "step")``) to its 1-based line.

Authored files come from anyone who can open a pull request, so every YAML document is read
within fixed limits, each breach a :class:`YamlError` naming the file (and line where there is one):

- at most :data:`MAX_BYTES` of text, nesting at most :data:`MAX_DEPTH` levels deep, and at most
  :data:`MAX_NODES` values once aliases are expanded (counted on the composed node graph, where
  an alias is one shared node, so a 550-byte "billion laughs" is refused in microseconds);
- a mapping key written twice is an error (YAML would silently keep the last one);
- text that is not UTF-8 is an error naming the file (a UTF-8 byte-order mark is fine);
- ``!include`` (pyyaml-include's tag syntax, our own resolution): only where an include folder is
  given, only a relative path or glob that stays inside that folder after symbolic links are
  followed, only regular files (no URL, no absolute path, no ``..``, no device, no ``/proc``),
  checked at every depth (a pool that includes a pool), never a file that includes itself.
  The included files share the including document's value budget.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
import yaml_include

FieldPath = tuple  # of str | int
_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)

#: The largest YAML document (a front-matter, a quiz bank, a pool, the roles file) read, in bytes.
MAX_BYTES = 2 * 1024 * 1024
#: The most values (scalars, lists, mappings) one document may hold with its aliases expanded and
#: its includes loaded. The example knowledge base's largest file holds about 2,000.
MAX_NODES = 200_000
#: The deepest nesting of lists and mappings (CONTRACT.md formats need five levels).
MAX_DEPTH = 50
#: The deepest chain of ``!include`` (a bank including a pool including a pool ...).
MAX_INCLUDE_DEPTH = 8
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_GLOB = re.compile(r"[*?\[\]]")


class YamlError(ValueError):
    """A YAML document that cannot be read, with the 1-based line and, when it is not the file being
    loaded (an included file, or the file whose ``!include`` failed), the file it was found in."""

    def __init__(self, message: str, line: int | None, file: str | None = None):
        super().__init__(message)
        self.line = line
        self.file = file


class SourceError(ValueError):
    """A file that cannot be read as text: not UTF-8, too large, or not a regular file."""


def decode(data: bytes, limit: int | None = None) -> str:
    """UTF-8 bytes (a byte-order mark allowed) as text; :class:`SourceError` in plain words otherwise."""
    if limit is not None and len(data) > limit:
        raise SourceError(f"larger than {limit // (1024 * 1024)} MB ({len(data):,} bytes): split it")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}): save the file as UTF-8"
        ) from None


def read_text(path: Path, limit: int | None = None) -> str:
    """A regular file's text (see :func:`decode`); a device, pipe or missing file is a :class:`SourceError`."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise SourceError("not a regular file")
        if limit is not None and info.st_size > limit:
            raise SourceError(f"larger than {limit // (1024 * 1024)} MB ({info.st_size:,} bytes): split it")
        with open(path, "rb") as handle:
            return decode(handle.read(), limit)
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}") from None


class Located:
    """A YAML value with the line of each field path, relative to the start of its file.

    The line map is the largest part of a parsed front-matter (about 12 KB of an SOP's 48): once
    a file is validated, :meth:`release` forgets it, and the first look-up afterwards (a message
    found later in the build) recomputes it with the function given, from the file's text.
    """

    __slots__ = ("data", "_lines", "_relocate")

    def __init__(self, data: Any = None, lines: dict[FieldPath, int] | None = None):
        self.data = data
        self._lines: dict[FieldPath, int] | None = {} if lines is None else lines
        self._relocate: Callable[[], dict[FieldPath, int]] | None = None

    @property
    def lines(self) -> dict[FieldPath, int]:
        """``{field path: 1-based line}`` (recomputed once after :meth:`release`)."""
        if self._lines is None:
            relocate, self._relocate = self._relocate, None
            self._lines = (relocate() if relocate is not None else None) or {}
        return self._lines

    def release(self, relocate: Callable[[], dict[FieldPath, int]]) -> None:
        """Forget the line map until a line is asked for; ``relocate`` gives it again then."""
        if self._lines:
            self._lines, self._relocate = None, relocate

    def line_of(self, path: FieldPath) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        lines, path = self.lines, tuple(path)
        while path:
            if path in lines:
                return lines[path]
            path = path[:-1]
        return lines.get((), None)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Located):
            return NotImplemented
        return self.data == other.data and self.lines == other.lines

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Located(data={self.data!r})"


# --- includes ------------------------------------------------------------------------------------


def resolve_include(base: Path, target: str, folder: str) -> list[Path]:
    """The files an ``!include target`` names under ``base`` (resolved), or :class:`ValueError`.

    ``folder`` names ``base`` in messages ("the quiz folder"). A glob gives its matches, sorted.
    """
    base = base.resolve()
    where = f"the file must be inside {folder}"
    if not target or not target.strip():
        raise ValueError(f"!include needs a file path relative to {folder}")
    if _SCHEME.match(target) or target.startswith("//"):
        raise ValueError(f"!include {target}: a URL or drive cannot be included; {where}")
    if Path(target).is_absolute() or target.startswith(("/", "\\")):
        raise ValueError(f"!include {target}: an absolute path cannot be included; {where}")
    if ".." in re.split(r"[/\\]", target):
        raise ValueError(f"!include {target}: '..' leaves the folder; {where}")
    if _GLOB.search(target):
        candidates = sorted(base.glob(target))
        if not candidates:
            raise ValueError(f"!include {target}: no file matches")
    else:
        candidates = [base / target]
    found = []
    for candidate in candidates:
        resolved = candidate.resolve()
        if not resolved.is_relative_to(base):
            raise ValueError(f"!include {target}: leads outside {folder} through a symbolic link")
        if not resolved.exists():
            raise ValueError(f"!include {target}: no such file in {folder}")
        if not stat.S_ISREG(resolved.stat().st_mode):
            if _GLOB.search(target) and resolved.is_dir():
                continue  # a glob such as common/* also matches folders
            raise ValueError(f"!include {target}: not a regular file")
        found.append(resolved)
    if not found:
        raise ValueError(f"!include {target}: no file matches")
    return found


@dataclass
class _Session:
    """What a document and everything it includes share: the folder, the value budget, the chain."""

    base: Path | None
    folder: str
    display: Callable[[Path], str]
    nodes: int = 0


class _Reader:
    """The per-document state a loader carries: its session, its file, its line offset, its chain."""

    def __init__(self, session: _Session, file: str | None, offset: int, chain: tuple[Path, ...]):
        self.session, self.file, self.offset, self.chain = session, file, offset, chain


class _SafeLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present: ~10x faster
    """A safe loader that keeps an impossible date (2026-13-01) as text for the validator to report."""

    reader: _Reader | None = None

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)

    def construct_yaml_str(self, node):
        """A string; a short one (a key, a role, a department, an owner's name) is interned: the
        same few hundred strings recur in every file, and thousands of files keep them."""
        value = self.construct_scalar(node)
        return sys.intern(value) if len(value) <= _INTERN_UP_TO else value


#: Strings up to this many characters are interned (keys, ids, names); longer ones are text.
_INTERN_UP_TO = 40
_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _SafeLoader.construct_yaml_timestamp)
_SafeLoader.add_constructor("tag:yaml.org,2002:str", _SafeLoader.construct_yaml_str)


def _located_error(loader: _SafeLoader, node: yaml.Node, message: str) -> YamlError:
    reader = loader.reader
    return YamlError(message, node.start_mark.line + 1 + (reader.offset if reader else 0), reader and reader.file)


class _IncludeConstructor(yaml_include.Constructor):
    """pyyaml-include's ``!include`` syntax, resolved by :func:`resolve_include` and loaded within
    the including document's limits."""

    def __call__(self, loader, node):
        reader: _Reader = loader.reader
        session = reader.session
        if session.base is None:
            raise _located_error(loader, node, "!include is not allowed in this file")
        with self.managed_autoload(False):
            try:
                data = super().__call__(loader, node)
            except (TypeError, ValueError, KeyError) as exc:
                raise _located_error(loader, node, f"!include: {exc}") from None
        target = data.urlpath
        if data.sequence_params or data.mapping_params or not isinstance(target, str):
            raise _located_error(loader, node, "!include takes one file path, e.g. !include common/ppe.yml")
        try:
            files = resolve_include(session.base, target, session.folder)
        except ValueError as exc:
            raise _located_error(loader, node, str(exc)) from None
        if len(reader.chain) > MAX_INCLUDE_DEPTH:
            raise _located_error(loader, node, f"!include {target}: more than {MAX_INCLUDE_DEPTH} includes deep")
        values = []
        for path in files:
            if path in reader.chain:
                raise _located_error(loader, node, f"!include {target}: the file includes itself")
            shown = session.display(path)
            try:
                text = read_text(path, MAX_BYTES)
            except SourceError as exc:
                raise YamlError(str(exc), None, shown) from None
            values.append(_load(type(loader), text, _Reader(session, shown, 0, reader.chain + (path,)), None))
        return values if _GLOB.search(target) else values[0]


def _loader_class(include_base: Path | None) -> type:
    if include_base is None:
        return _SafeLoader

    class IncludeLoader(_SafeLoader):
        """A safe loader with ``!include`` resolved inside ``include_base``."""

    IncludeLoader.add_constructor("!include", _IncludeConstructor())
    return IncludeLoader


# --- limits and lines ----------------------------------------------------------------------------


def _check_size(root: yaml.Node, reader: _Reader) -> None:
    """Count the values of ``root`` with aliases expanded, and its depth, in time linear in the
    *composed* graph (an alias is a shared node, so each distinct node is walked once)."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_nodes: set[int] = set()
    includes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            children = _children(node)
            size[key] = 1 + sum(size[id(child)] for child in children)
            depth[key] = 1 + max((depth[id(child)] for child in children), default=0)
            open_nodes.discard(key)
            if depth[key] > MAX_DEPTH:
                raise _node_error(reader, node, f"nested more than {MAX_DEPTH} levels deep")
            if size[key] + reader.session.nodes > MAX_NODES:
                raise _node_error(reader, root, f"more than {MAX_NODES:,} values once its aliases (*name) are expanded")
            continue
        if key in size:
            continue
        if key in open_nodes:
            raise _node_error(reader, node, "an alias (*name) refers to the list or mapping it is in")
        open_nodes.add(key)
        stack.append((node, True))
        for child in _children(node):
            if child.tag == "!include":  # its file is loaded once: it must not be repeated by an alias
                if id(child) in includes:
                    raise _node_error(reader, child, "an !include cannot be repeated through an alias (*name)")
                includes.add(id(child))
            if id(child) not in size:
                stack.append((child, False))
    reader.session.nodes += size[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _node_error(reader: _Reader, node: yaml.Node, message: str) -> YamlError:
    return YamlError(message, node.start_mark.line + 1 + reader.offset, reader.file)


def _walk(root: yaml.Node, reader: _Reader, out: dict) -> None:
    """One pass over the composed document: the line of every field path into ``out``, a key written
    twice in one mapping refused, the size and depth limits checked.

    Each node is walked once: an alias (a node met again) is recorded where it is used, never
    walked into; when there is one, :func:`_check_size` counts the document with its aliases
    expanded (rare: most documents have none, and need no second pass).
    """
    offset, seen, count, shared = reader.offset, set(), 0, False
    mapping, scalar = yaml.MappingNode, yaml.ScalarNode
    out.setdefault((), root.start_mark.line + 1 + offset)
    stack: list[tuple[yaml.Node, FieldPath]] = [(root, ())] if type(root) is not scalar else []
    count += not stack
    while stack:  # collections only: a scalar is recorded where its parent is walked
        node, path = stack.pop()
        if id(node) in seen:
            shared = True
            continue
        seen.add(id(node))
        count += 1
        if len(path) >= MAX_DEPTH:
            raise _node_error(reader, node, f"nested more than {MAX_DEPTH} levels deep")
        if type(node) is mapping:
            keys: dict = {}
            for key, value in node.value:
                count += 1
                if type(key) is scalar:
                    line = key.start_mark.line + 1 + offset
                    if key.tag != _MERGE:
                        if (key.tag, key.value) in keys:
                            raise _node_error(reader, key, _twice(key.value, keys[key.tag, key.value]))
                        keys[key.tag, key.value] = line
                    child = path + (key.value,)
                    out[child] = line
                else:
                    child = path + ("?",)
                if type(value) is scalar:
                    count += 1
                else:
                    stack.append((value, child))
        else:
            for index, item in enumerate(node.value):
                child = path + (index,)
                out.setdefault(child, item.start_mark.line + 1 + offset)
                if type(item) is scalar:
                    count += 1
                else:
                    stack.append((item, child))
    if shared:
        _check_size(root, reader)
    elif count + reader.session.nodes > MAX_NODES:
        raise _node_error(reader, root, f"more than {MAX_NODES:,} values")
    else:
        reader.session.nodes += count


_MERGE = "tag:yaml.org,2002:merge"


def _twice(key: str, first: int) -> str:
    return f"key {key!r} is written twice (first on line {first}): YAML would silently keep only the last one"


def _load(loader_class: type, text: str, reader: _Reader, lines: dict | None) -> Any:
    """Compose, check the limits, record lines (when asked), construct. Raises :class:`YamlError`."""
    if len(text) > MAX_BYTES:
        raise YamlError(f"larger than {MAX_BYTES // (1024 * 1024)} MB: split it", None, reader.file)
    loader = loader_class(text)
    loader.reader = reader
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _walk(node, reader, {} if lines is None else lines)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + reader.offset if mark else None
        raise YamlError(f"YAML syntax: {exc.problem or exc}", line, reader.file) from None
    except RecursionError:
        raise YamlError(f"nested more than {MAX_DEPTH} levels deep", None, reader.file) from None
    except (yaml.YAMLError, OSError) as exc:
        raise YamlError(f"YAML: {exc}", None, reader.file) from None
    finally:
        loader.dispose()


def load_yaml(
    text: str,
    *,
    first_line: int = 1,
    include_base: Path | None = None,
    include_folder: str | None = None,
    display: Callable[[Path], str] | None = None,
) -> Located:
    """Parse one YAML document within the limits of the module docstring; record every field's line.

    ``first_line`` is the file line the text starts at (front-matter starts at line 2).
    ``include_base`` allows ``!include`` of files inside that folder (named ``include_folder`` in
    messages); ``display`` shows an included file's path to authors. Raises :class:`YamlError`
    with a file line (and :attr:`YamlError.file` when the error is in another file).
    """
    base = Path(include_base).resolve() if include_base is not None else None
    if display is None and base is not None:

        def display(path: Path, base: Path = base) -> str:
            return path.relative_to(base).as_posix()

    session = _Session(base, include_folder or (f"{base.name}/" if base else "this folder"), display or str)
    lines: dict = {}
    data = _load(_loader_class(base), text, _Reader(session, None, first_line - 1, ()), lines)
    return Located(data, lines if data is not None else {})


def links_leaving(folder: Path) -> list[str]:
    """Symbolic links under ``folder`` (files or folders, as POSIX paths relative to it) that lead
    outside it: their targets are never read. One walk; only links are resolved."""
    root = Path(folder).resolve()
    found: list[str] = []
    pending = [(Path(folder), "")]
    while pending:
        current, prefix = pending.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            relative = prefix + entry.name
            if entry.is_symlink():
                if not Path(entry.path).resolve().is_relative_to(root):
                    found.append(relative)
            elif entry.is_dir():
                pending.append((Path(entry.path), relative + "/"))
    return sorted(found)


@dataclass
class MarkdownSource:
    """A Markdown file split into front-matter text and body, with the body's first line."""

    front_matter: str | None
    body: str
    body_line: int  # 1-based file line where the body starts


def split_front_matter(text: str) -> MarkdownSource:
    """Split ``---`` front-matter from a Markdown text, as MkDocs does."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return MarkdownSource(None, text, 1)
    front = match.group(1) or ""
    return MarkdownSource(front, text[match.end() :], text[: match.end()].count("\n") + 1)
