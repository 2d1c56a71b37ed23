"""Revision history of the docs folder from git, in a constant number of git processes. No MkDocs.

:func:`read_history` runs three git processes, however many files and commits there are:

1. ``git rev-parse --show-toplevel --is-shallow-repository HEAD`` (run in the docs folder): the
   work tree, whether the clone is shallow, and the HEAD commit. Outside git (or before the first
   commit) the :class:`History` is ``available=False`` with a note, and callers fall back to the
   ``changes`` log. When git fails *inside* a work tree (``git log`` exits non-zero), the History
   is ``available=False`` and ``failed=True``, its warning names git's error: the plugin reports it
   as a warning, so ``--strict`` fails rather than publish a site without its history. With the same work tree, HEAD, docs folder, ``max_count`` and shallowness as an earlier call
   in this process (``mkdocs serve`` rebuilds), the cached History is returned: one process in all.
2. ``git log -z --raw -M --first-parent`` over the Markdown files of the docs folder (pathspecs:
   binary files are never looked at, so a broken blob elsewhere cannot stop it): every commit
   touching them, newest first, with sha, author *name* (``%aN``: .mailmap applies; never the e-mail, personal data),
   author and committer dates, subject, and per file the status, the paths (a rename gives both)
   and the blob ids. ``-z`` and ``core.quotepath=false`` keep Chinese paths verbatim. ``--raw``
   rather than ``--name-status`` gives blob ids, so identical contents are read and parsed once.
3. ``git cat-file --batch`` fed the HEAD commit (for its commit time: deterministic "generated"
   stamps) and every distinct Markdown blob, read once to take ``id`` and ``version`` from the
   front-matter (``split_front_matter``/``load_yaml`` of the model, applied to those two lines only).

Renames are followed for all files in one walk, newest to oldest: an alias map sends each path, as
it was at that point in history, to the current file it became. A chain stops where git's pairing
contradicts the front-matter: a "rename" or a delete-and-re-add whose two sides carry different SOP
``id`` values is two documents, not one (SOPs from one template look alike to ``-M``).

Merges: ``--first-parent`` walks the branch being built, and a merge counts as one revision (its
diff against the first parent, i.e. what the pull request brought in, authored by who merged it).
That is the published history: intermediate commits of a pull request (a version "3.2" that review
turned into "4.0") never were effective and must not become archived versions; a linear chain also
makes one-pass rename following exact. With squash or rebase merges every revision keeps its author.

:meth:`History.text_at` and :meth:`History.texts` read full texts of revisions on demand (archived
versions, diffs), one ``git cat-file --batch`` process per call.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sop_plugin.model.source import load_yaml, split_front_matter

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")
NOT_IN_GIT = "revision history falls back to the `changes` log of each SOP"
SHALLOW_WARNING = (
    "shallow clone: version history is incomplete; fetch the full history "
    "(actions/checkout: fetch-depth: 0; GitLab: GIT_DEPTH: 0)"
)
_LOG_FORMAT = "--format=%x00%H%x00%aN%x00%aI%x00%cI%x00%s"
SHORT = 7  # short sha length: fixed, so output does not change as the repository grows
_CACHE: dict[tuple, History] = {}


@dataclass(frozen=True, slots=True)  # slots: five and more per SOP, held for the whole build
class Revision:
    """One commit that changed a file. ``date`` is the author date, ``committed`` the commit date."""

    commit: str
    short: str
    date: dt.datetime
    author: str
    subject: str
    path_at_commit: str  # POSIX, relative to the docs folder
    version: str | None  # front-matter version at that commit; None when absent or unreadable
    committed: dt.datetime | None = None


@dataclass(slots=True)
class VersionEntry:
    """The revisions of a file that carried one front-matter version."""

    version: str | None
    first_commit: str  # full sha of the oldest commit with this version
    last_commit: str  # full sha of the newest commit with this version
    date: dt.datetime  # author date of the first commit with this version
    authors: list[str]  # unique names, in order of appearance
    commits: list[str]  # short shas, newest first
    path: str  # path at the newest commit of this version
    commit_of_newest: str  # = last_commit: read the archived text with text_at(commit_of_newest, path)
    decreases: list[tuple[str, str]] = field(default_factory=list)  # (higher version, short sha) it went down from


@dataclass
class History:
    """Revisions per current file of the docs folder. ``available=False``: no git history at all."""

    available: bool
    warning: str | None = None
    head: str | None = None
    head_time: dt.datetime | None = None
    shallow: bool = False
    root: Path | None = None  # the git work tree
    prefix: str = ""  # the docs folder relative to root, "" or ending in "/"
    #: True when git itself failed inside a work tree (a warning: ``--strict`` fails), as opposed
    #: to having no git history at all (not a repository, no commits yet: an INFO line).
    failed: bool = False
    files: dict[str, list[Revision]] = field(default_factory=dict)  # current path -> newest first
    blobs: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)  # (commit, path) -> blob id

    def revisions(self, path: str) -> list[Revision]:
        """The revisions of the file now at ``path`` (relative to docs_dir, POSIX), newest first."""
        return list(self.files.get(str(path).replace("\\", "/"), ()))

    def paths(self) -> list[str]:
        """The current paths that have git history, sorted."""
        return sorted(self.files)

    def text_at(self, commit: str, path: str) -> str | None:
        """The text of ``path`` (relative to docs_dir) at ``commit``; None if it did not exist."""
        return self.texts([(commit, path)]).get((commit, path))

    def iter_texts(self, pairs):
        """``((commit, path), text or None)`` for each pair, in order, from one streamed
        ``git cat-file --batch``: only one text is held at a time (close the iterator to stop)."""
        pairs = list(pairs)
        if not self.available:
            yield from ((pair, None) for pair in pairs)
            return
        names = [self.blobs.get(pair) or f"{pair[0]}:{self.prefix}{pair[1]}" for pair in pairs]
        asked = [name for name in names if "\n" not in name]
        stream = _cat_file_each(self.root, asked)
        try:
            for pair, name in zip(pairs, names):
                data = next(stream, (None, None))[1] if "\n" not in name else None
                yield pair, _decode(data)
        finally:
            stream.close()

    def texts(self, pairs) -> dict[tuple[str, str], str | None]:
        """Texts of many ``(commit, path)`` revisions, read by one ``git cat-file --batch``."""
        pairs = list(dict.fromkeys(pairs))
        if not self.available or not pairs:
            return {pair: None for pair in pairs}
        names = {pair: self.blobs.get(pair) or f"{pair[0]}:{self.prefix}{pair[1]}" for pair in pairs}
        contents = {
            name: _decode(data)
            for name, data in _cat_file_each(self.root, [n for n in names.values() if "\n" not in n])
        }
        return {pair: contents.get(name) for pair, name in names.items()}


def read_history(docs_dir: Path, *, max_count: int | None = None) -> History:
    """Read the git history of ``docs_dir`` (see the module docstring); never raises for git."""
    docs_dir = Path(docs_dir).resolve()
    try:
        probe = _git(docs_dir, "rev-parse", "--show-toplevel", "--is-shallow-repository", "HEAD")
    except OSError as exc:
        return History(False, f"git cannot be run ({exc}): {NOT_IN_GIT}")
    lines = probe.stdout.decode("utf-8", "surrogateescape").splitlines()
    if probe.returncode != 0 or len(lines) < 3:
        error = (probe.stderr.decode("utf-8", "replace").strip().splitlines() or [""])[0]
        failed = False
        if len(lines) >= 2:
            why = "the git repository has no commits yet"
        elif not error or "not a git repository" in error:
            why = "the docs folder is not in a git work tree"
        else:  # e.g. "detected dubious ownership": a repository is there, git refuses to read it
            why, failed = f"git failed ({error})", True
        return History(False, f"{why}: {NOT_IN_GIT}", failed=failed)
    root, shallow, head = Path(lines[0]).resolve(), lines[1] == "true", lines[2]
    try:
        prefix = docs_dir.relative_to(root).as_posix() + "/" if docs_dir != root else ""
    except ValueError:
        return History(False, f"the docs folder {docs_dir} is not under the git work tree {root}: {NOT_IN_GIT}")
    # Shallow or not is part of the key: a clone deepened (or made shallow) at the same HEAD has
    # another history, and a full read must never be answered from a shallow one.
    key = (str(root), head, prefix, max_count, shallow)
    if key not in _CACHE:
        if len(_CACHE) >= 8:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = _read(root, head, prefix, shallow, max_count)
    return _CACHE[key]


def _read(root: Path, head: str, prefix: str, shallow: bool, max_count: int | None) -> History:
    args = [
        "-c",
        "core.quotepath=false",
        "log",
        "-z",
        "--raw",
        "--no-abbrev",
        "--root",
        "-M",
        "-m",
        "--first-parent",
        "--no-color",
        "--encoding=UTF-8",
        _LOG_FORMAT,
    ]
    if max_count is not None:
        args.append(f"--max-count={max_count}")
    log = _git(root, *args, head, "--", *markdown_pathspecs(prefix))
    if log.returncode != 0:
        error = " ".join(log.stderr.decode("utf-8", "replace").split()) or f"exit status {log.returncode}"
        return History(
            False,
            f"git log failed inside the work tree {root}: {error}: {NOT_IN_GIT}",
            head,
            None,
            shallow,
            root,
            prefix,
            failed=True,
        )
    commits = _parse_log(log.stdout.decode("utf-8", "surrogateescape"))
    wanted = set()  # new contents, and old sides of renames and deletions (to compare SOP ids)
    for _, changes in commits:
        for status, old, new, old_blob, new_blob in changes:
            wanted.update(
                blob
                for blob, path in ((new_blob, new), (old_blob, old if status in "RD" else None))
                if path and _is_markdown(path)
            )
    info, head_time = {}, None
    for name, data in _cat_file_each(root, [head, *wanted]):  # one revision held at a time
        if name == head and head_time is None:
            head_time = _commit_time(data)
        else:
            info[name] = _front_fields(data)
    history = History(True, SHALLOW_WARNING if shallow else None, head, head_time, shallow, root, prefix)
    _follow(commits, info, history)
    return history


def markdown_pathspecs(prefix: str) -> list[str]:
    """Git pathspecs for the Markdown files under ``prefix`` (the docs folder, "" or ending in "/").

    The history pass asks git only about Markdown files: rename detection then never reads an
    image, a spreadsheet or a broken binary blob elsewhere in ``docs/``. The prefix is matched
    literally (its glob characters escaped), the suffixes case-insensitively.
    """
    literal = re.sub(r"([*?\[\]\\])", r"\\\1", prefix)
    return [f":(top,glob,icase){literal}**/*{suffix}" for suffix in MARKDOWN_SUFFIXES]


def _parse_log(out: str) -> list[tuple[dict, list[tuple]]]:
    """``git log -z --raw`` output -> [(commit fields, [(status, old, new, old_blob, new_blob)])]."""
    tokens, commits, i = out.split("\0"), [], 0
    while i < len(tokens):
        token = tokens[i].lstrip("\n")
        if token == "" and i + 5 < len(tokens) and tokens[i + 1]:
            sha, author, date, committed, subject = tokens[i + 1 : i + 6]
            commits.append(
                (
                    {
                        "commit": sha,
                        "short": sha[:SHORT],
                        "author": author,
                        "subject": subject,
                        "date": dt.datetime.fromisoformat(date),
                        "committed": dt.datetime.fromisoformat(committed),
                    },
                    [],
                )
            )
            i += 6
        elif token.startswith(":"):
            old_mode, new_mode, old_blob, new_blob, status = token[1:].split()[:5]
            if status[0] in "RC":
                change, i = (status[0], tokens[i + 1], tokens[i + 2], old_blob, new_blob), i + 3
            else:
                path = tokens[i + 1]
                change, i = (
                    (
                        status[0],
                        path if status[0] != "A" else None,
                        path if status[0] != "D" else None,
                        old_blob,
                        new_blob,
                    ),
                    i + 2,
                )
            if "160000" not in (old_mode, new_mode) and commits:  # submodules are not files
                commits[-1][1].append(change)
        else:
            i += 1
    return commits


def _follow(commits: list, info: dict, history: History) -> None:
    """Attach each change to the current file it became, following renames newest to oldest."""
    alias: dict[str, str | None] = {}  # path at this point in history -> current path (None: gone)
    oldest_id: dict[str, str | None] = {}  # current path -> SOP id of its oldest revision so far
    cut = len(history.prefix)

    def sop_id(blob: str) -> str | None:
        return info.get(blob, (None, None))[0]

    def same(one: str | None, other: str | None) -> bool:  # unknown ids agree
        return one is None or other is None or one == other

    for meta, changes in commits:
        renames = []
        for status, old, new, old_blob, new_blob in changes:
            if status == "D":
                key = alias.get(old, old)
                if key not in oldest_id or not same(sop_id(old_blob), oldest_id[key]):
                    renames.append((old, None))  # deleted for good, or re-added as another SOP
                continue
            key = alias.get(new, new)
            if status == "R":
                linked = key is not None and same(sop_id(old_blob), sop_id(new_blob))
                renames.append((old, key if linked else None))
            if key is None or not _is_markdown(new):
                continue
            path = new[cut:]  # one string for the revision, its blob key and (unrenamed) its file
            history.files.setdefault(path if key == new else key[cut:], []).append(
                Revision(
                    meta["commit"],
                    meta["short"],
                    meta["date"],
                    meta["author"],
                    meta["subject"],
                    path,
                    info.get(new_blob, (None, None))[1],
                    meta["committed"],
                )
            )
            history.blobs[(meta["commit"], path)] = new_blob
            oldest_id[key] = sop_id(new_blob)
        alias.update(renames)  # after the whole commit: a new file may take a renamed file's path


def group_by_version(revisions: list[Revision]) -> list[VersionEntry]:
    """Group revisions (newest first) under their front-matter version; newest version first.

    Versions are ordered by their newest commit, so the first entry is the version of the newest
    revision even when the version went down. A revision whose version is unreadable joins the
    version before it (or after it, if oldest). A version that comes back later is one entry; each
    time the version went down is recorded in ``decreases`` of the lower version.
    """
    chronological = list(reversed(revisions))
    versions = [rev.version for rev in chronological]
    known = next((v for v in versions if v is not None), None)
    for index, version in enumerate(versions):
        known = versions[index] = version if version is not None else known
    entries: dict[str | None, VersionEntry] = {}
    last_seen: dict[str | None, int] = {}
    previous = None
    for index, (rev, version) in enumerate(zip(chronological, versions)):
        last_seen[version] = index
        entry = entries.get(version)
        if entry is None:
            entry = entries[version] = VersionEntry(
                version, rev.commit, rev.commit, rev.date, [], [], rev.path_at_commit, rev.commit
            )
        entry.last_commit = entry.commit_of_newest = rev.commit
        entry.path = rev.path_at_commit
        entry.commits.insert(0, rev.short)
        if rev.author not in entry.authors:
            entry.authors.append(rev.author)
        if previous is not None and version != previous and _older(version, previous):
            entry.decreases.append((previous, rev.short))
        previous = version
    return sorted(entries.values(), key=lambda entry: last_seen[entry.version], reverse=True)


def check_changes_log(
    sop_changes, version_entries: list[VersionEntry], *, current_version: str | None = None, complete: bool = True
) -> list[tuple[int | None, str]]:
    """What git contradicts in a ``changes`` log: ``[(index in changes or None, message)]``.

    A ``changes`` version that git never saw is reported only when the history is ``complete``
    (not shallow, not cut by ``max_count``), when it is not ``current_version`` (the working-tree
    version may be ahead of the last commit), and when it is not older than every committed version
    (an SOP brought in from an earlier system keeps its earlier log; a file committed before it had
    a version has nothing to compare). Versions that went down in
    git, or from the last commit to ``current_version``, are reported as well.
    """
    if not version_entries:
        return []
    seen = sorted(
        (entry.version for entry in version_entries if entry.version is not None),
        key=lambda version: (_version_key(version) or (), version),
    )
    floor = min((key for key in map(_version_key, seen) if key), default=None)
    problems: list[tuple[int | None, str]] = []
    for index, change in enumerate(sop_changes or ()):
        version = change.get("version") if isinstance(change, dict) else getattr(change, "version", None)
        version = None if version is None else str(version)
        if not complete or not seen or not version or version in seen or version == current_version:
            continue
        key = _version_key(version)
        if floor is not None and key is not None and key < floor:
            continue
        problems.append(
            (
                index,
                f'version "{version}" is in the changes log but not in the git history '
                f"of this file (git has {', '.join(seen) or 'no version'})",
            )
        )
    for entry in version_entries:
        for higher, short in entry.decreases:
            problems.append((None, f'version went down from "{higher}" to "{entry.version}" in commit {short}'))
    last = version_entries[0].version
    if current_version and last and current_version != last and _older(current_version, last):
        problems.append((None, f'version went down from "{last}" (last commit) to "{current_version}"'))
    return problems


# --- helpers -------------------------------------------------------------------------------------


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False)


def _cat_file_each(root: Path, names: list[str]):
    """``(name, object bytes or None)`` for each of ``names``, in order, from one ``git cat-file
    --batch``, read as git writes them: only one object is held at a time (50,000 revisions of
    4 KB are 200 MB at once). The names are written by a thread, so neither side waits on a
    full pipe."""
    if not names:
        return
    proc = subprocess.Popen(
        ["git", "cat-file", "--batch"],
        cwd=root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )

    def feed() -> None:
        try:
            for start in range(0, len(names), 1024):
                chunk = "".join(f"{name}\n" for name in names[start : start + 1024])
                proc.stdin.write(chunk.encode("utf-8", "surrogateescape"))
            proc.stdin.close()
        except OSError:  # git ended early (e.g. not a repository): what it wrote is read below
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    out = proc.stdout
    try:
        for name in names:
            header = out.readline()
            if not header:
                break
            parts = header.split(b" ")
            if len(parts) == 3 and parts[2].strip().isdigit():
                size = int(parts[2])
                data = out.read(size)
                out.read(1)  # the newline after the object
                yield name, data
            else:
                yield name, None  # "<name> missing" or "ambiguous"
    finally:
        out.close()
        writer.join()
        proc.wait()


def _decode(data: bytes | None) -> str | None:
    return None if data is None else data.decode("utf-8", "replace")


def _commit_time(data: bytes | None) -> dt.datetime | None:
    """The committer time of a raw commit object (the e-mail on that line is not kept)."""
    for line in (data or b"").split(b"\n"):
        if line.startswith(b"committer "):
            seconds, zone = line.rsplit(b" ", 2)[1:]
            offset = int(zone[1:3]) * 60 + int(zone[3:5])
            tz = dt.timezone(dt.timedelta(minutes=-offset if zone[:1] == b"-" else offset))
            return dt.datetime.fromtimestamp(int(seconds), tz)
        if not line:
            break
    return None


def _is_markdown(path: str | None) -> bool:
    return bool(path) and path.lower().endswith(MARKDOWN_SUFFIXES)


_FIELD_LINES = re.compile(r"^([\"']?)(id|version)\1[ \t]*:.*(?:\r?\n[ \t]+.*)*", re.M)
# The front-matter fences of split_front_matter, on bytes: the opening line, then the first line
# that is only "---" or "..." (a C-level scan; the lazy (.*?) of the text pattern costs ~40 µs a file).
_OPEN = re.compile(rb"\A(?:\xef\xbb\xbf)?---[ \t]*\r?\n")
_CLOSE = re.compile(rb"^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.M)


def _front_bytes(data: bytes) -> str | None:
    """The front-matter of a raw blob, decoded; None without one (same fences as the model's)."""
    opening = _OPEN.match(data)
    closing = _CLOSE.search(data, opening.end()) if opening else None
    return data[opening.end() : closing.start()].decode("utf-8", "replace") if closing else None


def _front_fields(data: bytes | str | None) -> tuple[str | None, str | None]:
    """``(id, version)`` from a revision's front-matter; None for what is absent or malformed.

    The front-matter is found on the raw bytes (the body is never decoded); ``load_yaml`` reads
    only the two top-level lines (with their continuation lines), cached by text: parsing whole
    front-matters of thousands of revisions would cost seconds, and most revisions repeat the
    same two lines.
    """
    if isinstance(data, str):
        front = split_front_matter(data).front_matter
    else:
        front = _front_bytes(data) if data else None
    lines = {
        match.group(2): match.group(0) for match in _FIELD_LINES.finditer(front or "")
    }  # last one wins, as in YAML
    return tuple(_scalar(name, lines[name]) if name in lines else None for name in ("id", "version"))


@lru_cache(maxsize=8192)
def _scalar(name: str, snippet: str) -> str | None:
    """A one-field YAML snippet as text; a number keeps its written form ("3.10", not 3.1)."""
    try:
        data = load_yaml(snippet).data
    except Exception:  # noqa: BLE001 - a malformed old revision must never stop a build
        return None
    value = data.get(name) if isinstance(data, dict) else None
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, (int, float)):
        return snippet.split(":", 1)[1].split("#", 1)[0].strip() or None
    return str(value).strip() or None


@lru_cache(maxsize=4096)
def _version_key(version: str | None) -> tuple[int, ...] | None:
    if not version or not re.fullmatch(r"\d+(\.\d+)*", version):
        return None
    return tuple(int(part) for part in version.split("."))


def _older(version: str | None, than: str | None) -> bool:
    one, other = _version_key(version), _version_key(than)
    return one is not None and other is not None and one < other
