"""Which version of each SOP is in force, which earlier versions are archived, and its history table.

Git (:mod:`sop_plugin.revisions.history`) and the front-matter ``changes`` log together answer, per SOP,
"which version is current, what changed, who changed it and why". No MkDocs import: the plugin,
the page generators and the ``sop`` command use the same :class:`Versions`.

- **History rows** (:class:`HistoryRow`): one per version, newest first, from git's revisions
  grouped by front-matter version (:func:`~sop_plugin.revisions.history.group_by_version`) merged with the
  ``changes`` entry of that version (summary, reason). Without git, from ``changes`` alone.
- **Snapshots** (:class:`Snapshot`): the working-tree version and every earlier ``MAJOR.MINOR``
  version git has (its newest commit), newest first; the texts of all of them are read by one
  ``git cat-file --batch``. Their front-matter is parsed only when a page needs it (a full parse
  costs milliseconds, and thousands of archived versions are the normal case).
- **In force**: when the working-tree version is *upcoming* (``effective_date`` after the build
  date) and git has an earlier version that is effective, that earlier version is the one in
  force. Its body is shown at the SOP's own page, and the upcoming version at ``id/<ID>/v<ver>/``.
- **Page views** (:class:`PageView`): what each page of an SOP shows: an archived version, the
  version in force at the SOP's page, or the upcoming one. The adapter looks them up by
  ``src_uri``.
- **Problems**: a ``changes`` entry that git contradicts (a version git never saw, a version that
  went down), as :class:`~sop_plugin.model.Problem` warnings with file, line and field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

import yaml
from pydantic import ValidationError

from sop_plugin.model import Catalog, Problem, Sop, find_steps, parse_sop
from sop_plugin.model.schema import SopFrontMatter
from sop_plugin.model.source import MAX_DEPTH, Located
from sop_plugin.revisions.history import History, Revision, VersionEntry, check_changes_log, group_by_version

VERSION = re.compile(r"^\d+\.\d+$")  # versions with an archived page of their own (a PATCH has none)
ROW_VERSION = re.compile(r"^\d+\.\d+(\.\d+)?$")  # versions with a history row: PATCH (editorial) ones too
ARCHIVE_DIR = "id"


@lru_cache(maxsize=4096)
def version_key(version: str | None) -> tuple:
    """Sort key of a version: ``"3.10"`` after ``"3.9"``; unreadable versions first."""
    if version and re.fullmatch(r"\d+(\.\d+)*", version):
        return (1, tuple(int(part) for part in version.split(".")))
    return (0, (), version or "")


def archive_src(sop_id: str, version: str) -> str:
    """The generated page of a version: ``id/<SOP-ID>/v<version>/index.md`` (CONTRACT.md section 4)."""
    return f"{ARCHIVE_DIR}/{sop_id}/v{version}/index.md"


def major(version: str | None) -> str | None:
    return version.split(".")[0] if version else None


@dataclass
class Snapshot:
    """One version of an SOP's text: the working tree (``commit`` None) or a commit git has."""

    version: str
    path: str  # the docs path it was written at (its relative links resolve from there)
    commit: str | None
    text: str | None = field(default=None, repr=False)  # None for the working tree
    fields: dict = field(default_factory=dict)  # title, status, effective_date read without a full parse
    _sop: Sop | None = field(default=None, repr=False)
    parse_path: str | None = None  # the path the parsed Sop carries (the page's src_uri)
    released: bool = False  # its page is written and its text dropped (:meth:`SopVersions.release_texts`)
    steps_unread: bool = False  # parsed by ``sop(steps=False)``: its steps come later (:meth:`give_steps`)
    #: Its front-matter as plain data, when the quick read took it (:func:`plain_front`): what a
    #: cache keeps so that the next build does not read the YAML again.
    front: dict | None = field(default=None, repr=False, compare=False)
    #: Where a committed text not held in memory is read from (:meth:`Versions.with_texts` reads
    #: many at once; :meth:`load` reads this one alone).
    source: History | None = field(default=None, repr=False, compare=False)

    @property
    def body(self) -> str:
        if self.released:
            return ""
        self.load()
        if self.text is None:  # the working tree (the catalog's SOP), or a text git no longer has
            return self._sop.body if self._sop is not None else ""
        return _split(self.text)[1]

    def sop(self, steps: bool = True, front: dict | None = None) -> Sop | None:
        """The parsed SOP of this version (parsed on first use); None if it is not an SOP (or released).

        ``steps=False``: its steps may be left unread, for a caller that reads them from the page's
        conversion and hands them over (:meth:`give_steps`): reading them costs a parse of the
        body of its own. A later ``sop()`` reads them if nobody did. ``front``: the plain data of
        its front-matter kept from an earlier build (:attr:`front`), instead of reading it again."""
        self.load()
        if self._sop is None and self.text is not None and not self.released:
            data = front if front is not None else plain_front(_split(self.text)[0])
            self._sop = quick_parse(self.parse_path or self.path, self.text, steps=steps, front=data)
            self.front = data if self._sop is not None and self._sop.located.data is data else None
            self.steps_unread = not steps and self._sop is not None and self._sop.steps is None
        if steps and self.steps_unread:
            self.give_steps(None)
        return self._sop

    def give_steps(self, steps: list | None) -> None:
        """The steps of a version parsed with ``sop(steps=False)``, as its page's conversion found
        them (None: the conversion did not read them; they are read from the body). A version whose
        steps are known already keeps them."""
        if self.steps_unread and self._sop is not None:
            if steps is None:  # MkDocs' default extensions: this module knows no site settings
                steps = find_steps(self._sop.body, self._sop.body_line, steps_from=self._sop.meta.steps_from)
            self._sop.steps = steps
            self.steps_unread = False

    def load(self) -> None:
        """Read the committed text if it is not in memory (one git process: a fallback)."""
        if self.commit is not None and self.text is None and not self.released and self.source is not None:
            self.text = self.source.text_at(self.commit, self.path)

    def release(self) -> None:
        """Drop the text and the parsed SOP; the version, path, commit and ``fields`` stay."""
        if self.commit is not None:  # the working tree is the catalog's own SOP: never dropped
            self.text, self._sop, self.front, self.released, self.steps_unread = None, None, None, True, False

    @property
    def title(self) -> str | None:
        return self._sop.title if self._sop is not None else self.fields.get("title")

    @property
    def effective_date(self) -> dt.date | None:
        if self._sop is not None:
            return self._sop.meta.effective_date
        value = self.fields.get("effective_date")
        return value if isinstance(value, dt.date) else None


@dataclass
class HistoryRow:
    """One line of the revision history table: a version with its dates, authors and reasons."""

    version: str
    state: str  # effective (in force) | upcoming | superseded | draft | in-review | obsolete
    # The state of a version is the build day's: while the working-tree version is upcoming, the
    # newest earlier version is "effective" (in force) and the ones before it "superseded".
    date: dt.date | None  # the changes entry's date, else the date of the version's first commit
    effective_date: dt.date | None
    authors: list[str]
    summary: str | None
    reason: str | None
    commits: list[str]  # short shas, newest first
    commit: str | None  # full sha of the newest commit with this version
    src_uri: str | None = None  # the version's own page (archived or upcoming), if it has one
    current: bool = False  # the working-tree version
    approved_by: str | None = None  # the changes entry's approved_by

    def as_dict(self) -> dict:
        """The ``history`` item of ``sop-catalog.json`` (CONTRACT.md section 4)."""
        return {
            "version": self.version,
            "date": self.date.isoformat() if self.date else None,
            "author": ", ".join(self.authors) or None,
            "approved_by": self.approved_by,
            "summary": self.summary,
            "reason": self.reason,
            "commit": self.commit,
            "effective_date": self.effective_date.isoformat() if self.effective_date else None,
            "commits": self.commits,
        }


@dataclass
class PageView:
    """What one page of an SOP shows when it is not simply the working-tree file."""

    kind: str  # "archive" | "in-force" | "upcoming"
    src_uri: str
    versions: SopVersions
    snapshot: Snapshot
    newer: Snapshot | None = None  # the next version, for "what changed"
    older: Snapshot | None = None  # the upcoming page compares with the version in force

    @property
    def sop(self) -> Sop | None:
        return self.snapshot.sop()

    @property
    def markdown(self) -> str | None:
        """The Markdown to convert instead of the file's own (the version in force), else None."""
        return self.snapshot.body if self.kind == "in-force" else None

    @property
    def base_path(self) -> str:
        return self.snapshot.path


@dataclass
class SopVersions:
    """The versions of one SOP file."""

    sop: Sop
    history: History | None = field(default=None, repr=False, compare=False)
    revisions: list[Revision] = field(default_factory=list)
    entries: list[VersionEntry] = field(default_factory=list)
    snapshots: list[Snapshot] = field(default_factory=list)  # newest first; [0] is the working tree
    in_force: Snapshot | None = None  # an earlier version in force while the working tree is upcoming
    rows: list[HistoryRow] = field(default_factory=list)
    views: list[PageView] = field(default_factory=list)

    @property
    def shown(self) -> Sop:
        """The SOP shown at the SOP's own page: the version in force."""
        return self.in_force.sop() if self.in_force is not None else self.sop

    @property
    def upcoming_view(self) -> PageView | None:
        return next((view for view in self.views if view.kind == "upcoming"), None)

    def release_texts(self) -> None:
        """Drop the texts of the versions shown apart, once their pages are written: thousands of
        earlier texts are not held for the rest of the build. The version in force (the SOP's own
        page shows it) and the working tree stay."""
        for snapshot in self.snapshots:
            if snapshot is not self.in_force:
                snapshot.release()

    def view_of(self, version: str) -> PageView | None:
        return next((view for view in self.views if view.snapshot.version == version), None)


@dataclass
class Versions:
    """Every SOP's versions for one build; see the module docstring."""

    history: History | None
    today: dt.date
    by_path: dict[str, SopVersions] = field(default_factory=dict)
    views: dict[str, PageView] = field(default_factory=dict)  # src_uri -> view
    problems: list[Problem] = field(default_factory=list)

    def of(self, sop: Sop) -> SopVersions | None:
        return self.by_path.get(sop.path)

    def view(self, src_uri: str) -> PageView | None:
        return self.views.get(src_uri)

    def shown(self, sop: Sop) -> Sop:
        """The version of ``sop`` in force at its page (an earlier one while ``sop`` is upcoming)."""
        versions = self.by_path.get(sop.path)
        return versions.shown if versions is not None else sop

    def with_texts(self, paths):
        """Each :class:`SopVersions` of ``paths`` (in that order) with the texts of its earlier
        versions read, for as long as the caller holds it; then they are released
        (:meth:`SopVersions.release_texts`). One streamed ``git cat-file`` for all: the pages of
        archived versions are written one SOP at a time, never holding every earlier text."""
        chosen = [self.by_path[path] for path in paths if path in self.by_path]
        pending = [
            (versions, [s for s in versions.snapshots if s.commit and s.text is None and not s.released])
            for versions in chosen
        ]
        if self.history is None:
            yield from chosen
            return
        stream = self.history.iter_texts([(s.commit, s.path) for _, snapshots in pending for s in snapshots])
        try:
            for versions, snapshots in pending:
                for snapshot in snapshots:
                    snapshot.text = next(stream, (None, None))[1]
                yield versions
                versions.release_texts()
        finally:
            stream.close()

    def catalog_history(self, sop: Sop) -> list[dict]:
        versions = self.by_path.get(sop.path)
        return [row.as_dict() for row in versions.rows] if versions else []


def build_versions(
    catalog: Catalog, history: History | None, today: dt.date, *, archive_versions: int | None = None
) -> Versions:
    """Versions of every SOP of ``catalog``; ``history`` None or unavailable: ``changes`` only.

    ``archive_versions`` keeps that many earlier versions per SOP as archived pages (None: all,
    0: none). The version in force while the working tree is upcoming is always read.
    """
    result = Versions(history, today)
    git = history is not None and history.available
    wanted: list[tuple[SopVersions, list[VersionEntry], bool]] = []
    for sop in catalog.sops:
        versions = result.by_path[sop.path] = SopVersions(sop, history if git else None)
        versions.snapshots.append(Snapshot(sop.version, sop.path, None, _sop=sop))
        if not git or not sop.valid:
            continue
        versions.revisions = history.revisions(sop.path)
        versions.entries = group_by_version(versions.revisions)
        result.problems.extend(changes_problems(sop, versions.entries, complete=not history.shallow))
        if sop.is_translation or not versions.revisions or catalog.by_id.get(sop.id) is not sop:
            continue  # archived pages belong to the one file of an id (a duplicate id is an error)
        earlier = sorted(
            (
                e
                for e in versions.entries
                if e.version and VERSION.match(e.version) and version_key(e.version) < version_key(sop.version)
            ),
            key=lambda e: version_key(e.version),
            reverse=True,
        )
        upcoming = sop.state(today) == "upcoming"
        if earlier and (upcoming or archive_versions != 0):
            wanted.append((versions, earlier, upcoming))
    if wanted:
        # One streamed read: the few fields of every earlier version are taken as it passes; its
        # text is kept only where the version in force may be read from it (an upcoming SOP).
        # The pages of archived versions read the texts again, one SOP at a time (with_texts).
        keep = {(e.commit_of_newest, e.path) for versions, earlier, upcoming in wanted if upcoming for e in earlier}
        pairs = [
            (e.commit_of_newest, e.path)
            for _, earlier, upcoming in wanted
            for e in (earlier if upcoming or archive_versions is None else earlier[:archive_versions])
        ]
        texts = {
            pair: (text if pair in keep else None, _fields(text, ("title", "status", "effective_date")))
            for pair, text in history.iter_texts(pairs)
            if text is not None
        }
        for versions, earlier, upcoming in wanted:
            _place(versions, earlier, upcoming, texts, today, archive_versions)
    for versions in result.by_path.values():
        versions.rows = _rows(versions, today)
        for view in versions.views:
            result.views[view.src_uri] = view
    return result


def changes_problems(sop: Sop, entries: list[VersionEntry], *, complete: bool = True) -> list[Problem]:
    """What git contradicts in the ``changes`` log of ``sop``, as warnings with file, line and field.

    The same function serves the build (through the plugin logger) and the ``sop`` command.
    """
    found = []
    for index, message in check_changes_log(sop.meta.changes, entries, current_version=sop.version, complete=complete):
        where = ("changes", index, "version") if index is not None else ("version",)
        found.append(sop.problem(where, message, "warning"))
    return found


def _place(
    versions: SopVersions,
    earlier: list[VersionEntry],
    upcoming: bool,
    texts: dict,
    today: dt.date,
    archive_versions: int | None,
) -> None:
    """Snapshots, the version in force and the page views of one SOP from the texts git gave."""
    sop = versions.sop
    snapshots = []
    for entry in earlier:
        found = texts.get((entry.commit_of_newest, entry.path))
        if found is None:  # not in git (any more): no page
            continue
        text, fields = found
        snapshot = Snapshot(entry.version, entry.path, entry.commit_of_newest, text, fields, source=versions.history)
        snapshots.append(snapshot)
    if upcoming:
        for snapshot in snapshots:
            effective = snapshot.fields.get("effective_date")
            if (
                snapshot.fields.get("status", "effective") != "effective"
                or not isinstance(effective, dt.date)
                or effective > today
            ):
                continue
            snapshot.parse_path = sop.path
            old = snapshot.sop()
            if old is not None and old.valid and old.id == sop.id and old.state(today) == "effective":
                versions.in_force = snapshot
                break
            snapshot._sop, snapshot.parse_path = None, None
    archived = [s for s in snapshots if s is not versions.in_force]
    if archive_versions is not None:
        archived = archived[:archive_versions]
    working = versions.snapshots[0]
    chain = [working] + ([versions.in_force] if versions.in_force else []) + archived
    chain.sort(key=lambda s: version_key(s.version), reverse=True)
    versions.snapshots = chain
    for index, snapshot in enumerate(chain):
        newer = chain[index - 1] if index else None
        if snapshot is versions.in_force:
            versions.views.append(PageView("in-force", sop.path, versions, snapshot, newer=newer))
        elif snapshot is working:
            if versions.in_force is not None:
                versions.views.append(
                    PageView("upcoming", archive_src(sop.id, sop.version), versions, snapshot, older=versions.in_force)
                )
        else:
            snapshot.parse_path = archive_src(sop.id, snapshot.version)
            versions.views.append(PageView("archive", snapshot.parse_path, versions, snapshot, newer=newer))


def _rows(versions: SopVersions, today: dt.date) -> list[HistoryRow]:
    """The history table of one SOP: every version git or ``changes`` knows, newest first."""
    sop = versions.sop
    changes: dict[str, object] = {}
    for change in sop.meta.changes:
        changes.setdefault(change.version, change)
    entries = {entry.version: entry for entry in versions.entries if entry.version}
    snapshots = {snapshot.version: snapshot for snapshot in versions.snapshots}
    pages = {view.snapshot.version: view.src_uri for view in versions.views if view.kind != "in-force"}
    known = sorted(
        (v for v in set(changes) | set(entries) | {sop.version} if v and ROW_VERSION.match(v)),
        key=version_key,
        reverse=True,
    )
    in_force = versions.in_force.version if versions.in_force else None
    if in_force is None and sop.state(today) == "upcoming":
        # No text of the version in force in this build (history off, shallow, or changes only): it
        # is still the newest earlier version, and the history says so.
        in_force = next((v for v in known if version_key(v) < version_key(sop.version)), None)
    rows = []
    for version in known:
        change, entry, snapshot = changes.get(version), entries.get(version), snapshots.get(version)
        if version == sop.version:
            state = sop.state(today)
        elif version == in_force:
            state = "effective"
        elif version_key(version) > version_key(sop.version):
            continue  # a version that went down since: reported as a problem, not listed
        else:
            state = "superseded"
        # The person the changes entry names (who wrote the version) before git's commit authors.
        authors = [change.author] if change and change.author else (list(entry.authors) if entry else [])
        date = change.date if change else (entry.date.date() if entry else None)
        rows.append(
            HistoryRow(
                version,
                state,
                date,
                snapshot.effective_date if snapshot else None,
                authors,
                change.summary if change else None,
                change.reason if change else None,
                list(entry.commits) if entry else [],
                entry.commit_of_newest if entry else None,
                pages.get(version),
                current=version == sop.version,
                approved_by=change.approved_by if change else None,
            )
        )
    return rows


_READ = object()  # quick_parse: the front-matter is read from the text


def quick_parse(path: str, text: str, *, steps: bool = True, front: dict | None | object = _READ) -> Sop | None:
    """An earlier version as a :class:`Sop`, for showing it: without the line numbers that only
    error messages need (twice as fast: thousands of archived versions are parsed per build).
    Falls back to :func:`~sop_plugin.model.parse_sop` for anything it does not simply accept.

    ``steps=False``: ``Sop.steps`` is None (not read), for a caller that reads them from the
    conversion of the page (:meth:`Snapshot.give_steps`). ``front``: what :func:`plain_front`
    read from this text's front-matter already (here, or in an earlier build), not read again."""
    front_text, body = _split(text)
    data = plain_front(front_text) if front is _READ else front
    try:
        meta = SopFrontMatter.model_validate(data) if isinstance(data, dict) and "id" in data else None
    except (ValidationError, ValueError):  # ValueError: 2026-13-01
        meta = None
    if meta is None:
        return parse_sop(path, text)
    body_line = text[: len(text) - len(body)].count("\n") + 1
    return Sop(path, meta, Located(data), body, body_line, find_steps(body, body_line) if steps else None)


def plain_front(front: str | None) -> dict | None:
    """The front-matter text as plain data (maps, lists, scalars) read without line numbers, or
    None when the quick read does not simply accept it (then the full parse decides)."""
    if not front or _ANCHOR.search(front):  # aliases may expand without end: the parse with limits
        return None
    try:
        data = _plain(yaml.compose(front, Loader=_LOADER))
    # ValueError: an anchor, too deep; KeyError: a tag
    except (yaml.YAMLError, ValueError, KeyError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


# --- reading a few front-matter fields without a full parse ---------------------------------------

_LINES = {}
# The fences of the model's split_front_matter, found by a scan instead of its lazy (.*?) pattern.
_OPEN = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.M)


def _split(text: str) -> tuple[str | None, str]:
    """``(front-matter, body)`` exactly as :func:`~sop_plugin.model.source.split_front_matter`."""
    opening = _OPEN.match(text)
    closing = _CLOSE.search(text, opening.end()) if opening else None
    if closing is None:
        return None, text
    return text[opening.end() : closing.start()], text[closing.end() :]


def _fields(text: str, names: tuple[str, ...]) -> dict:
    """Top-level front-matter fields ``names`` of ``text`` (YAML values), without parsing the rest."""
    front = _split(text)[0] or ""
    pattern = _LINES.get(names)
    if pattern is None:
        alternatives = "|".join(map(re.escape, names))
        pattern = _LINES[names] = re.compile(rf"^([\"']?)({alternatives})\1[ \t]*:.*(?:\r?\n[ \t]+.*)*", re.M)
    found = {}
    for match in pattern.finditer(front):
        value = _yaml_value(match.group(0))
        if value is not None:
            found[match.group(2)] = value
    return found


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: A YAML anchor (``&name``), which an alias (``*name``) repeats: the quick parse leaves such
#: front-matter to the full one, which counts what aliases expand to (an alias bomb is refused).
_ANCHOR = re.compile(r"(?:^|[\s\[{,:?-])&[^\s\]},]")
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"


def _plain(node, depth: int = 0):
    """A composed YAML node as Python data, as the safe loader builds it, in a third of the time
    (PyYAML's generic constructor is pure Python and general; SOP front-matter is plain maps,
    lists and scalars). Merge keys (``<<``) and nesting deeper than the model allows are not
    handled: ValueError, and the full parse runs (with its limits)."""
    if node is None:
        return None
    if isinstance(node, yaml.ScalarNode):
        return node.value if node.tag == _STR else _CONSTRUCTOR.yaml_constructors[node.tag](_CONSTRUCTOR, node)
    if depth > MAX_DEPTH:
        raise ValueError("too deep")
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, depth + 1) for item in node.value]
    data = {}
    for key_node, value_node in node.value:
        key = _plain(key_node, depth + 1)
        if key == "<<" or not isinstance(key, (str, int, float, bool, dt.date)):
            raise ValueError("merge key or complex key")
        data[key] = _plain(value_node, depth + 1)
    return data


@lru_cache(maxsize=16384)
def _yaml_value(snippet: str):
    try:
        data = yaml.load(snippet, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict) or len(data) != 1:
        return None
    value = next(iter(data.values()))
    return value if isinstance(value, (str, dt.date, int)) else None
