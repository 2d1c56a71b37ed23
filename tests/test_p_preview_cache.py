"""``sop serve`` at the speed of a save (issue 14.4): the parse cache, rebuilds in one session, the
live-reload loop. Real files, real MkDocs builds into ``tmp_path``, real git; no mocks."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
import urllib.request

from conftest import free_port, sop_text, write_project

from sop_plugin.adapter.preview import Session, preview_build
from sop_plugin.model import load_catalog
from sop_plugin.model.cache import ParseCache


def _docs(tmp_path, files: dict[str, str]):
    config = write_project(tmp_path, {f"docs/{name}": text for name, text in files.items()})
    return config, tmp_path / "docs"


def test_cache_parses_only_what_changed_and_sees_every_edit(tmp_path):
    _, docs = _docs(tmp_path, {"qc/a.md": sop_text("SOP-QC-001", "Alpha"), "qc/b.md": sop_text("SOP-QC-002", "Beta")})
    cache = ParseCache()
    first = load_catalog(docs, cache=cache)
    assert cache.parsed == 3  # two SOPs and the home page
    again = load_catalog(docs, cache=cache)
    assert cache.parsed == 0 and cache.hits + cache.rehashed == 3
    assert [s.title for s in again.sops] == [s.title for s in first.sops] == ["Alpha", "Beta"]
    assert again.sops[0] is not first.sops[0]  # each build gets its own objects

    (docs / "qc/a.md").write_text(sop_text("SOP-QC-001", "Gamma"), encoding="utf-8")  # same size as Alpha
    edited = load_catalog(docs, cache=cache)
    assert cache.parsed == 1
    assert edited.by_id["SOP-QC-001"].title == "Gamma"


def test_same_size_same_mtime_edit_is_seen(tmp_path):
    """An edit that keeps the size and (put back with utime) the nanosecond mtime: a just-written
    file is confirmed by its content hash; an old one's stat differs in its change time."""
    _, docs = _docs(tmp_path, {"qc/a.md": sop_text("SOP-QC-001", "Alpha")})
    path = docs / "qc/a.md"
    cache = ParseCache()
    load_catalog(docs, cache=cache)
    stat = path.stat()
    path.write_text(sop_text("SOP-QC-001", "Omega"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    assert load_catalog(docs, cache=cache).by_id["SOP-QC-001"].title == "Omega"

    old = time.time_ns() - 3600 * 10**9  # an hour ago: the entry is not racy, stat alone decides
    os.utime(path, ns=(old, old))
    assert load_catalog(docs, cache=cache).by_id["SOP-QC-001"].title == "Omega"
    path.write_text(sop_text("SOP-QC-001", "Sigma"), encoding="utf-8")
    os.utime(path, ns=(old, old))  # same size, same mtime; the change time moved
    assert load_catalog(docs, cache=cache).by_id["SOP-QC-001"].title == "Sigma"


def test_cached_problems_are_reported_on_every_build_and_not_twice(tmp_path):
    _, docs = _docs(
        tmp_path,
        {
            "qc/a.md": sop_text("SOP-QC-001", extra="references: [SOP-QC-404]\n"),
            "qc/b.md": sop_text("SOP-QC-002", extra="colour: red\n"),  # a single-file problem
        },
    )
    cache = ParseCache()
    for _ in range(3):
        messages = [str(p) for p in load_catalog(docs, cache=cache).problems]
        assert sum("SOP-QC-404" in m for m in messages) == 1
        assert sum("colour" in m for m in messages) == 1


def test_a_changed_markdown_setting_empties_the_cache(tmp_path):
    from sop_plugin.model.steps import StepReader

    _, docs = _docs(tmp_path, {"qc/a.md": sop_text()})
    cache = ParseCache()
    load_catalog(docs, cache=cache, step_reader=StepReader(["admonition"]))
    load_catalog(docs, cache=cache, step_reader=StepReader(["admonition"]))
    assert cache.parsed == 0
    load_catalog(docs, cache=cache, step_reader=StepReader(["admonition", "attr_list"]))
    assert cache.parsed == 2


def test_rebuild_shows_the_edit_and_a_mistake_made_in_another_sop(tmp_path, caplog):
    config, docs = _docs(
        tmp_path,
        {
            "qc/edited.md": sop_text("SOP-QC-001", "Edited Procedure", extra="references: [SOP-QC-002]\n"),
            "qc/other.md": sop_text("SOP-QC-002", "Other Procedure"),
        },
    )
    site, session = tmp_path / "preview", Session()
    with caplog.at_level(logging.WARNING):
        preview_build(config, ["qc/edited.md"], site, session)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    page = site / "qc/edited/index.html"
    assert "Other Procedure" in page.read_text(encoding="utf-8")
    assert (site / "departments/QC/index.html").is_file()  # the edited SOP's department page
    assert not (site / "qc/other").exists() and not (site / "roles").exists()

    body = "## Procedure\n\n1. Check the delivery.\n2. Weigh it on the new scale.\n"
    (docs / "qc/edited.md").write_text(
        sop_text("SOP-QC-001", "Edited Procedure", extra="references: [SOP-QC-002]\n", body=body), encoding="utf-8"
    )
    (docs / "qc/other.md").write_text(sop_text("SOP-QC-002", "Other Procedure", department="NOPE"), encoding="utf-8")
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        preview_build(config, ["qc/edited.md"], site, session)
    assert session.cache.parsed == 2 and session.cache.hits + session.cache.rehashed >= 1  # home page unchanged
    assert "Weigh it on the new scale" in page.read_text(encoding="utf-8")
    messages = [r.getMessage() for r in caplog.records]
    assert any("qc/other.md" in m and "department" in m and "NOPE" in m for m in messages), messages


def _git(cwd, *args):
    env = {**os.environ, "GIT_AUTHOR_DATE": "2026-01-02T10:00:00", "GIT_COMMITTER_DATE": "2026-01-02T10:00:00"}
    subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        env=env,
    )


def test_versions_of_unchanged_sops_are_kept_and_their_warnings_still_reported(tmp_path, caplog):
    config, docs = _docs(
        tmp_path,
        {"qc/edited.md": sop_text("SOP-QC-001", "Edited"), "qc/down.md": sop_text("SOP-QC-002", version="2.0")},
    )
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "first")
    (docs / "qc/down.md").write_text(sop_text("SOP-QC-002", version="1.0"), encoding="utf-8")
    (docs / "qc/edited.md").write_text(sop_text("SOP-QC-001", "Edited", version="1.1"), encoding="utf-8")
    _git(tmp_path, "commit", "-qam", "second")
    site, session = tmp_path / "preview", Session()
    for round_ in range(2):
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            preview_build(config, ["qc/edited.md"], site, session)
        assert any("qc/down.md" in r.getMessage() and "went down" in r.getMessage() for r in caplog.records)
        if round_ == 0:
            assert session.reworked == 2
            text = sop_text("SOP-QC-001", "Edited", version="1.1", body="## Procedure\n\n1. New first step.\n")
            (docs / "qc/edited.md").write_text(text, encoding="utf-8")
    assert session.reworked == 1  # only the edited SOP's versions worked out again
    page = (site / "qc/edited/index.html").read_text(encoding="utf-8")
    assert "New first step" in page and "1.1" in page and "1.0" in page  # history rows from git


def test_sop_serve_rebuilds_and_serves_the_edit_with_live_reload(tmp_path):
    config, docs = _docs(tmp_path, {"qc/a.md": sop_text("SOP-QC-001", "Alpha")})
    port = free_port()
    command = [sys.executable, "-m", "sop_plugin.cli.sop", "serve", "-p", str(port), "-f", str(config), "docs/qc/a.md"]
    server = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/qc/a/"
    try:
        assert _wait_for(url, "Alpha"), server
        (docs / "qc/a.md").write_text(sop_text("SOP-QC-001", "Alpha", body="1. Freshly saved step.\n"), "utf-8")
        html = _wait_for(url, "Freshly saved step")
        assert html and "livereload" in html  # MkDocs' live-reload script: the open page reloads itself
        missing = urllib.request.Request(f"http://127.0.0.1:{port}/qc/not-previewed/")
        try:
            urllib.request.urlopen(missing, timeout=5)
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
        else:
            raise AssertionError("a page the preview leaves out is not served")
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "rebuilt in" in output and "; 1 files parsed" in output, output


def _wait_for(url: str, text: str, seconds: float = 60) -> str | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                html = response.read().decode("utf-8")
            if text in html:
                return html
        except OSError:
            pass
        time.sleep(0.2)
    return None
