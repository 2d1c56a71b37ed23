"""Git history reading that holds little memory: the cache knows a shallow read from a full one,
and revisions are streamed out of ``git cat-file`` (real git repositories in tmp_path)."""

from __future__ import annotations

import subprocess

from test_history import bumps  # noqa: F401 - the fixture: SOP-QC-012 1.0 -> 1.1 -> 2.0

from sop_plugin.revisions.history import read_history


def test_a_clone_deepened_at_the_same_head_is_read_again_not_answered_from_the_shallow_read(bumps, tmp_path):  # noqa: F811
    clone = tmp_path / "clone"
    git = lambda *args: subprocess.run(["git", *args], check=True, capture_output=True, env=bumps.env())  # noqa: E731
    git("clone", "-q", "--depth", "1", f"file://{bumps.root}", str(clone))
    shallow = read_history(clone / "docs")
    assert shallow.shallow and [r.version for r in shallow.revisions("qc/incoming.md")] == ["2.0"]
    git("-C", str(clone), "fetch", "-q", "--unshallow")  # same work tree, same HEAD, full history now
    full = read_history(clone / "docs")
    assert not full.shallow and full.warning is None
    assert [r.version for r in full.revisions("qc/incoming.md")] == ["2.0", "1.1", "1.1", "1.0", "1.0"]
    assert read_history(clone / "docs") is full  # a rebuild (mkdocs serve) still reads git once


def test_texts_of_many_revisions_come_back_in_one_streamed_read(bumps):  # noqa: F811
    history = read_history(bumps.docs)
    revisions = history.revisions("qc/incoming.md")
    pairs = [(r.commit, r.path_at_commit) for r in revisions] + [("0" * 40, "qc/incoming.md")]
    texts = history.texts(pairs * 300)  # repeated pairs are read once
    assert len(texts) == len(pairs) and texts[("0" * 40, "qc/incoming.md")] is None
    assert [texts[(r.commit, r.path_at_commit)].split('version: "')[1][:3] for r in revisions] == [
        r.version for r in revisions
    ]
