"""Replay a generated corpus's revisions into a git repository, quickly, with ``git fast-import``.

History layout (what the history feature of the plugin reads):

- one commit with ``docs/index.md``, ``docs/roles.yml`` (and the quizzes, if any);
- then ``revisions`` rounds; in round ``r`` every SOP gets one commit of its own with its text at
  revision ``r`` (so N SOPs x 5 revisions = 5N commits, each touching one file), by one of several
  authors with Chinese and English names, at the time :func:`corpus.revision_time` gives.

The working tree is left at the last revision, which is exactly what :func:`corpus.generate`
wrote, so the same corpus can be built with and without git history.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
from pathlib import Path

from corpus import FIRST_REVISION, Corpus, revision_time, version_of

AUTHORS = [
    ("王芳", "wangfang"),
    ("李强", "liqiang"),
    ("Anna Keller", "akeller"),
    ("陈静", "chenjing"),
    ("Mark Evans", "mevans"),
    ("张伟", "zhangwei"),
]
GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def _git(root: Path, *args: str, stdin=None) -> None:
    subprocess.run(
        ["git", "-c", "core.quotepath=false", *args],
        cwd=root,
        check=True,
        stdin=stdin,
        env={**os.environ, **GIT_ENV},
        stdout=subprocess.DEVNULL,
    )


def _data(text: str | bytes) -> bytes:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return b"data %d\n" % len(raw) + raw + b"\n"


def _commit(mark: int, author: tuple[str, str], when, message: str, files: dict[str, str]) -> bytes:
    """One fast-import commit on ``main`` with the given files (path -> text) modified."""
    name, login = author
    ident = f"{name} <{login}@plant.example> {int(when.timestamp())} +0800".encode()
    parts = [
        b"commit refs/heads/main\n",
        b"mark :%d\n" % mark,
        b"author " + ident + b"\n",
        b"committer " + ident + b"\n",
        _data(message),
    ]
    for path, text in files.items():
        parts.append(b"M 100644 inline " + path.encode("utf-8") + b"\n" + _data(text))
    return b"".join(parts) + b"\n"


def commit_stream(corpus: Corpus, seed: int = 1):
    """Yield the fast-import stream of the whole history, commit by commit."""
    rng = random.Random(f"{seed}:authors")
    mark = 1
    yield _commit(
        mark, AUTHORS[0], FIRST_REVISION - dt.timedelta(days=1), "Add roles and home page\n", corpus.static_files()
    )
    for revision in range(corpus.revisions):
        for spec in corpus.specs:
            mark += 1
            version = version_of(revision)
            bumped = revision == 0 or version != version_of(revision - 1)
            message = (f"{spec.id}: version {version}" if bumped else f"{spec.id}: editorial fix") + "\n"
            yield _commit(
                mark,
                rng.choice(AUTHORS),
                revision_time(spec.index, revision),
                message,
                {f"docs/{spec.path}": corpus.text(spec, revision)},
            )


def make_repository(corpus: Corpus, seed: int = 1) -> int:
    """Turn ``corpus.root`` into a git repository holding the corpus history; returns the commit count."""
    root = corpus.root
    _git(root, "init", "-q", "-b", "main")
    proc = subprocess.Popen(
        ["git", "fast-import", "--quiet", "--done"], cwd=root, stdin=subprocess.PIPE, env={**os.environ, **GIT_ENV}
    )
    commits = 0
    for chunk in commit_stream(corpus, seed):
        proc.stdin.write(chunk)
        commits += 1
    proc.stdin.write(b"done\n")
    proc.stdin.close()
    if proc.wait() != 0:
        raise RuntimeError("git fast-import failed")
    _git(root, "reset", "-q")  # index := HEAD; the working tree already holds the last revision
    # Benchmark files beside the corpus stay out of `git status` without adding a commit.
    (root / ".git" / "info" / "exclude").write_text("/site*/\n/mkdocs-*.yml\n/bench-manifest.json\n")
    return commits


def expected_commits(corpus: Corpus) -> int:
    """The commits :func:`make_repository` writes: the first one, then one per SOP per revision."""
    return 1 + corpus.revisions * len(corpus.specs)


def has_repository(corpus: Corpus) -> bool:
    """True when ``corpus.root`` already holds the history :func:`make_repository` would write
    (as many commits on ``main``, the working tree at its last revision): it can be reused."""
    root = corpus.root
    if not (root / ".git").is_dir():
        return False
    count = subprocess.run(
        ["git", "rev-list", "--count", "refs/heads/main"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
    ).stdout.strip()
    return count == str(expected_commits(corpus)) and check_clean(root)


def check_clean(root: Path) -> bool:
    """True when the working tree matches HEAD for docs/ (the corpus on disk is the last revision)."""
    out = subprocess.run(
        ["git", "status", "--porcelain", "--", "docs", "quizzes"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
    ).stdout
    return out.strip() == ""
