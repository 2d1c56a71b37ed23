"""Archived versions done once: their converted bodies and "what changed", kept between builds.

An archived version is a text from git: it never changes. Converting its body with the site's
Markdown and comparing it with the next version are most of what its page costs
(docs/guide/versions-and-reviews.md, "What archived versions cost"). :class:`RenderedStore` keeps
both in one SQLite file in the project's cache folder (``.cache/plugin/sop/``, where Material's
plugins keep theirs), so that the next build takes them from there instead of doing them again.

A converted body depends on more than its text. What else, and how each is checked:

- **what the conversion looked up** (another SOP's title and page for ``[[SOP-ID]]``, whether a
  linked file or image is in the site, a page's URL): recorded with the body as
  ``(kind, argument, what was found)`` and looked up again before the body is used. If one lookup
  finds something else now (a linked SOP renamed or left out of a plant copy, an image deleted,
  a page moved), the body is converted again;
- **everything the same for every page** (the site's Markdown extensions and their settings,
  the plugin's options, the UI strings, the versions of Python-Markdown, pymdown-extensions,
  MkDocs and Material, this plugin's own code): the store's ``settings`` key. A body stored
  under other settings is never used;
- **the messages its conversion logged** (a link whose target is gone): stored with it and said
  again when it is used, so a build from the store fails ``--strict`` exactly when a build
  without it does.

"What changed" between two bodies (:func:`sop_plugin.pages.diff.body_diff`) depends on the two
texts alone (and this plugin's code, in the settings key).

The store is an optimisation and never a reason for a build to fail: a cache file that cannot be
opened, read or written (another build holds it, a full disk, a file that is not a database) is
replaced or left alone, with one INFO line, and the build converts as if there were none; an
entry that does not read back as one this module wrote is deleted and made again. Entries
of this site's settings not used by a build, and any entry unused for :data:`KEEP_DAYS` days, are
deleted when the build closes the store. No MkDocs import.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import pickle
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sop_plugin.model.steps import Step

#: The store's file in the cache folder.
FILE_NAME = "archived.sqlite"
#: How long an entry nobody used stays (a second site sharing the cache folder keeps its own).
KEEP_DAYS = 7
#: The layout of the store's tables and entries (bumped with any change to them): a file of
#: another layout is replaced.
SCHEMA_VERSION = 3

Found = object  # what a lookup found: JSON data (None, bool, str, list)


def settings_key(settings: dict, code: Iterable[Path]) -> bytes | None:
    """The key of everything every conversion of a build depends on: ``settings`` (made JSON
    data by :func:`stable`) and the bytes of the files ``code``. None when a setting does not
    say what it is (an object shown as ``<... at 0x7f...>``): then nothing is stored."""
    try:
        text = json.dumps(stable(settings), sort_keys=True, ensure_ascii=False)
    except (ValueError, TypeError):
        return None
    h = hashlib.blake2b(text.encode(), digest_size=16)
    for path in sorted(code):
        h.update(path.as_posix().encode())
        h.update(path.read_bytes())
    return h.digest()


def stable(value):
    """``value`` (settings) as JSON data that names what it is: functions and classes by
    ``module.name``, ``functools.partial`` by its function and arguments, other objects by their
    type and text; raises :class:`ValueError` for an object whose text changes every build."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Mapping):
        return {str(k): stable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [stable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    func = getattr(value, "func", None)
    if func is not None and hasattr(value, "args") and hasattr(value, "keywords"):  # functools.partial
        return {"partial": stable(func), "args": stable(value.args), "keywords": stable(value.keywords)}
    name, module = getattr(value, "__qualname__", None), getattr(value, "__module__", None)
    if isinstance(name, str) and module and "<" not in name:
        return f"{module}.{name}"
    text = repr(value)
    if " at 0x" in text:
        raise ValueError(f"unstable setting {text}")
    return f"{type(value).__module__}.{type(value).__qualname__}:{text}"


@dataclass
class Converted:
    """A body as one conversion made it: its HTML, the steps it read (None: not read), what it
    looked up (``[kind, argument, found]``), what it logged (``[logger, level, message]``), and
    the version's front-matter as plain data (``Snapshot.front``; None: read it again)."""

    html: str
    steps: list[Step] | None = None
    lookups: list[list] = field(default_factory=list)
    messages: list[list] = field(default_factory=list)
    front: dict | None = None

    def to_json(self) -> dict:
        steps = None if self.steps is None else [[s.number, s.line, s.text, s.kind, s.anchor] for s in self.steps]
        front = None if self.front is None else base64.b64encode(pickle.dumps(self.front, protocol=5)).decode()
        return {"html": self.html, "steps": steps, "lookups": self.lookups, "messages": self.messages, "front": front}

    @classmethod
    def from_json(cls, data: dict) -> Converted:
        """Raises ValueError, KeyError, TypeError or pickle.UnpicklingError for an entry that does not read back."""
        html, lookups, messages = data["html"], data["lookups"], data["messages"]
        if not isinstance(html, str) or not _rows(lookups, (str, str, object)) or not _rows(messages, (str, int, str)):
            raise ValueError("not an entry this plugin wrote")
        steps = data["steps"]
        if steps is not None and not _rows(steps, ((int, str), (int, type(None)), str, str, str)):
            raise ValueError("not an entry this plugin wrote")
        steps = None if steps is None else [Step(*row) for row in steps]
        front = None if data["front"] is None else _PlainData(io.BytesIO(base64.b64decode(data["front"]))).load()
        return cls(html, steps, lookups, messages, front)

    def still_true(self, look_up: Callable[[str, str], Found]) -> bool:
        """Does every recorded lookup find what it found then?"""
        return all(look_up(kind, argument) == found for kind, argument, found in self.lookups)

    def say_messages(self) -> None:
        """The conversion's log messages, said again (as the conversion said them)."""
        for name, level, message in self.messages:
            logging.getLogger(name).log(level, message)


def _rows(rows, types: tuple) -> bool:
    """Is ``rows`` a list of lists of these types (JSON read back)?"""
    return isinstance(rows, list) and all(
        isinstance(row, list) and len(row) == len(types) and all(isinstance(v, t) for v, t in zip(row, types))
        for row in rows
    )


class _PlainData(pickle.Unpickler):
    """Reads back plain YAML data only (maps, lists, scalars, dates): no other class is made."""

    ALLOWED = frozenset({("datetime", name) for name in ("date", "datetime", "timezone", "timedelta")})

    def find_class(self, module: str, name: str):
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


class Recorder:
    """Looks up through ``look_up(kind, argument)`` and keeps what each lookup found, as JSON data."""

    def __init__(self, look_up: Callable[[str, str], Found]) -> None:
        self.look_up = look_up
        self.lookups: list[list] = []
        self.complete = True  # False: something was looked up that is not recorded (do not store)

    def __call__(self, kind: str, argument: str) -> Found:
        found = self.look_up(kind, argument)
        self.lookups.append([kind, argument, found])
        return found


class MessageRecorder(logging.Handler):
    """Keeps every record of INFO and above that reaches the loggers it is added to, once each
    (a record that goes from one of them up to another reaches this handler twice in a row)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[list] = []
        self._last: logging.LogRecord | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if record is not self._last:
            self._last = record
            self.messages.append([record.name, record.levelno, record.getMessage()])


class RenderedStore:
    """The SQLite file of converted archived bodies and body diffs for one site's ``settings``.

    Use :meth:`open` (None when there is nothing to store under); :meth:`close` at the end of the
    build. ``say``: where its one-line notes go (the build's INFO messages)."""

    def __init__(self, connection: sqlite3.Connection, settings: bytes, path: Path, say: Callable[[str], None]) -> None:
        self._say = say
        self._db = connection
        self._settings = settings
        self._path = path
        self._build = time.time_ns()
        self._used: list[tuple[int, bytes, bytes]] = []
        self.hits = self.misses = self.damaged = 0

    @classmethod
    def open(cls, folder: Path, settings: bytes | None, say: Callable[[str], None]) -> RenderedStore | None:
        """The store in ``folder`` (made if missing; a file there that is not a store of this
        layout is replaced); None when there is nothing to key it by or it cannot be opened."""
        if settings is None:
            return None
        path = Path(folder) / FILE_NAME
        for attempt in (1, 2):
            db = None
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(path, timeout=2, isolation_level=None)
                if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                    if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                        raise sqlite3.DatabaseError("a file of another layout")
                    db.execute(
                        "CREATE TABLE entries (settings BLOB NOT NULL, key BLOB NOT NULL, used INTEGER NOT NULL,"
                        " meta TEXT NOT NULL, html BLOB, PRIMARY KEY (settings, key))"
                    )
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=OFF")
                db.execute("BEGIN")
                return cls(db, settings, path, say)
            except sqlite3.DatabaseError as error:  # not a database, a damaged one, another layout, locked
                if db is not None:
                    db.close()
                if attempt == 2 or isinstance(error, sqlite3.OperationalError) or not path.is_file():
                    say(f"archived versions: no cache ({path}: {error}); every body is converted")
                    return None
                for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                    stale.unlink(missing_ok=True)
            except OSError as error:
                say(f"archived versions: no cache ({path}: {error}); every body is converted")
                return None
        return None

    def body(self, key: bytes, look_up: Callable[[str, str], Found]) -> Converted | None:
        """The stored conversion under ``key`` if every lookup it recorded still finds the same."""
        data = self._get(b"b" + key)
        if data is None:
            return self._miss()
        try:
            converted = Converted.from_json(data)
        except (ValueError, KeyError, TypeError, EOFError, pickle.UnpicklingError):  # not an entry we wrote
            self._drop(b"b" + key)
            return self._miss()
        return self._hit(b"b" + key, converted) if converted.still_true(look_up) else self._miss()

    def keep_body(self, key: bytes, converted: Converted) -> None:
        self._put(b"b" + key, converted.to_json())

    def diff(self, key: bytes) -> tuple[str | None, tuple[int, int] | None] | None:
        """What :meth:`keep_diff` kept under ``key`` (``(html, too_long)``), or None."""
        data = self._get(b"d" + key)
        if data is None:
            return self._miss()
        html, too_long = data["html"], data.get("too_long")
        if too_long is None and (html is None or isinstance(html, str)):
            return self._hit(b"d" + key, (html, None))
        if html is None and isinstance(too_long, list) and len(too_long) == 2 and all(type(n) is int for n in too_long):
            return self._hit(b"d" + key, (None, (too_long[0], too_long[1])))
        self._drop(b"d" + key)
        return self._miss()

    def keep_diff(self, key: bytes, html: str | None, too_long: tuple[int, int] | None = None) -> None:
        """ "What changed" of two texts: its HTML (None: no change), or the line counts that were
        too many to compare (``pages.diff.TooLong``)."""
        self._put(b"d" + key, {"html": html, "too_long": list(too_long) if too_long else None})

    def close(self) -> None:
        """Mark what this build used, delete what it did not (see the module docstring), commit."""
        if self._db is None:
            return
        db, self._db = self._db, None
        try:
            db.executemany("UPDATE entries SET used = ? WHERE settings = ? AND key = ?", self._used)
            week_ago = self._build - KEEP_DAYS * 86_400 * 10**9
            db.execute(
                "DELETE FROM entries WHERE (settings = ? AND used < ?) OR used < ?",
                (self._settings, self._build, week_ago),
            )
            db.execute("COMMIT")
            if self.damaged:
                self._say(f"archived versions: {self.damaged} cache entries could not be read back: made again")
        except sqlite3.Error as error:
            self._say(f"archived versions: cache not saved ({self._path}: {error})")
        finally:
            db.close()

    def _get(self, key: bytes) -> dict | None:
        """The entry under ``key`` as written (its HTML back in ``"html"``); None: none, or damaged."""
        if self._db is None:
            return None
        try:
            row = self._db.execute(
                "SELECT meta, html FROM entries WHERE key = ? AND settings = ?", (key, self._settings)
            ).fetchone()
        except sqlite3.Error as error:
            self._fail(error)
            return None
        if row is None:
            return None
        try:  # the HTML is kept apart: JSON would escape every quote of it
            data = json.loads(row[0])
            data["html"] = None if row[1] is None else zlib.decompress(row[1]).decode()
        except (zlib.error, ValueError, TypeError):  # ValueError: not JSON, not UTF-8
            self._drop(key)
            return None
        return data

    def _hit(self, key: bytes, value):
        self.hits += 1
        self._used.append((self._build, self._settings, key))
        return value

    def _miss(self) -> None:
        self.misses += 1

    def _put(self, key: bytes, value: dict) -> None:
        if self._db is None:
            return
        html = value.get("html")
        meta = json.dumps({k: v for k, v in value.items() if k != "html"}, ensure_ascii=False, separators=(",", ":"))
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO entries (settings, key, used, meta, html) VALUES (?, ?, ?, ?, ?)",
                (self._settings, key, self._build, meta, None if html is None else zlib.compress(html.encode(), 1)),
            )
        except sqlite3.Error as error:
            self._fail(error)

    def _drop(self, key: bytes) -> None:
        """An entry that does not read back as one this plugin wrote: deleted (the caller then
        converts the body and keeps it again); how many is said at :meth:`close`."""
        self.damaged += 1
        try:
            self._db.execute("DELETE FROM entries WHERE settings = ? AND key = ?", (self._settings, key))
        except sqlite3.Error as error:
            self._fail(error)

    def _fail(self, error: Exception) -> None:
        """Any error: the store is closed for the rest of the build (nothing half-written is kept)."""
        self._say(f"archived versions: cache given up ({self._path}: {error}); the rest is converted")
        db, self._db = self._db, None
        try:
            db.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        db.close()
