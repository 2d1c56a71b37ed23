"""A parse cache for builds that repeat in one process (``sop serve``): only changed files are re-read.

A preview session rebuilds the site on every save, and most of a rebuild at thousands of SOPs
was reading and parsing files that did not change (YAML front-matter, steps found with the
site's Markdown). :class:`ParseCache` keeps, per file, what parsing it gave: the :class:`Sop`
(with the problems found in that file alone) or, for a page that is not an SOP, its problems.
:func:`~sop_plugin.model.catalog.load_catalog` asks the cache first; the checks across files
(ids, names, links, quizzes) still run on every build, on the cached objects, so every mistake of
the whole catalog is reported each time.

When is a file unchanged? When its ``stat`` (modification and change time in nanoseconds, size,
inode) is the one recorded. A file written again within the file system's timestamp resolution
of being recorded could keep all four ("racy", as git calls it): such an entry is confirmed by
its content hash on every look-up until its time has passed. A file whose stat changed is read
and hashed; the same hash reuses the parse. A change of the site's Markdown settings (the step
reader) empties the cache. No MkDocs imports.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sop_plugin.model.problems import Problem
from sop_plugin.model.sop import Sop
from sop_plugin.model.source import Located, load_yaml
from sop_plugin.model.steps import StepReader

#: How close to the moment it was recorded a file's modification time must be for its stat alone
#: not to be trusted (nanoseconds). Two seconds covers file systems with coarse timestamps (FAT).
RACY_NS = 2_000_000_000


def digest(*texts: str) -> bytes:
    """The content hash (BLAKE2b, 16 bytes) of a file's text, or of several texts each kept apart
    from the next (``("ab", "c")`` and ``("a", "bc")`` differ): what the parse cache and the
    archive cache (``revisions/rendered.py``) compare."""
    h = hashlib.blake2b(digest_size=16)
    for text in texts:
        data = text.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.digest()


def file_stamp(file: Path) -> tuple[int, int, int, int] | None:
    """``(mtime_ns, ctime_ns, size, inode)`` of a regular file, or None (missing, not a file)."""
    try:
        st = os.stat(file)
    except (OSError, ValueError):
        return None
    if not (st.st_mode & 0o170000 == 0o100000):  # a regular file
        return None
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)


@dataclass
class _Entry:
    stamp: tuple | None  # file_stamp when recorded (None: the text did not come from a file)
    recorded_ns: int  # wall clock when the stamp was taken
    digest: bytes
    sop: Sop | None
    problems: tuple[Problem, ...]  # the SOP's own problems as parsed, or a page's problems

    def racy(self) -> bool:
        return self.stamp is None or max(self.stamp[0], self.stamp[1]) >= self.recorded_ns - RACY_NS


class ParseCache:
    """What parsing each Markdown file gave, kept between builds of one process.

    :meth:`parse` is the one look-up. ``hits``, ``rehashed`` (stat changed or racy, content the same)
    and ``parsed`` count what the last builds did, for the preview's timing line and for tests.
    """

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._settings: object = None
        self._yaml: dict[tuple, Located] = {}
        self.hits = self.rehashed = self.parsed = 0

    def begin(self, step_reader: StepReader | None) -> None:
        """Start a build whose steps are found by ``step_reader`` (the site's Markdown settings):
        other settings than the last build's empty the cache. Resets the counters."""
        reader = step_reader
        settings = settings_token((reader.extensions, reader.configs, reader.source) if reader else None)
        if settings != self._settings:
            self._entries.clear()
            self._settings = settings
        self.hits = self.rehashed = self.parsed = 0

    def forget(self, keep: set[str]) -> None:
        """Drop the entries of files no longer in the build (deleted or renamed)."""
        for path in [p for p in self._entries if p not in keep]:
            del self._entries[path]

    def parse(
        self,
        path: str,
        file: Path | None,
        text: str | Callable[[], str],
        parse: Callable[[str], tuple[Sop | None, list[Problem]]],
    ) -> tuple[Sop | None, list[Problem]]:
        """The parse of the file at ``path`` (relative to the docs folder; ``file`` is where it is on
        disk, None when ``text`` is not read from a file): ``(sop or None, problems)``.

        ``text`` is the file's text or a function that reads it (its errors propagate, nothing is
        recorded); ``parse`` turns a text into ``(sop, problems)``. Each call returns a fresh
        :class:`Sop` (a shallow copy with its own problem list) so checks across files can add
        problems without touching the cached one.
        """
        stamp = file_stamp(file) if file is not None and callable(text) else None
        entry = self._entries.get(path)
        if entry is not None and stamp is not None and entry.stamp == stamp and not entry.racy():
            self.hits += 1
            return _fresh(entry)
        now = time.time_ns()
        if callable(text):
            text = text()
        hashed = digest(text)
        if entry is not None and entry.digest == hashed:
            self.rehashed += 1
            entry.stamp, entry.recorded_ns = stamp, now
            return _fresh(entry)
        self.parsed += 1
        sop, problems = parse(text)
        entry = _Entry(stamp, now, hashed, sop, tuple(sop.problems if sop is not None else problems))
        self._entries[path] = entry
        return _fresh(entry)

    def digest_of(self, path: str) -> bytes | None:
        """The content hash of the file at ``path`` as last parsed or confirmed, or None."""
        entry = self._entries.get(path)
        return entry.digest if entry is not None else None

    def yaml(self, text: str, **options) -> Located:
        """:func:`~sop_plugin.model.source.load_yaml` of ``text``, remembered by content when the text
        can include no other file (with ``include`` or a ``%TAG`` directive anywhere in it, it is read
        every time: an included file may change). Errors are not remembered (they raise each time).
        ``display`` only names included files, so it is not part of the key."""
        if "include" in text or "%TAG" in text:
            return load_yaml(text, **options)
        key = (digest(text), tuple(sorted((k, str(v)) for k, v in options.items() if k != "display")))
        if key not in self._yaml:
            if len(self._yaml) > 100_000:
                self._yaml.clear()
            self._yaml[key] = load_yaml(text, **options)
        return self._yaml[key]


def _fresh(entry: _Entry) -> tuple[Sop | None, list[Problem]]:
    if entry.sop is None:
        return None, list(entry.problems)
    return dataclasses.replace(entry.sop, problems=list(entry.problems)), []


def settings_token(value) -> object:
    """A comparable, address-free token of Markdown settings (extension names or instances, their
    configs, functions): equal for the same settings in two builds of one process."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return tuple(sorted((str(k), settings_token(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [settings_token(v) for v in value]
        return tuple(sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items)
    kind = type(value)
    name = (getattr(value, "__module__", kind.__module__), getattr(value, "__qualname__", kind.__qualname__))
    configs = getattr(value, "getConfigs", None)  # a Python-Markdown Extension instance
    if callable(configs):
        try:
            return (*name, settings_token(configs()))
        except Exception:  # an extension whose configs cannot be read: its type alone
            return name
    return name


__all__ = ["RACY_NS", "ParseCache", "digest", "file_stamp", "settings_token"]
