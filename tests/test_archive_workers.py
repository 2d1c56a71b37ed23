"""Archived versions written on a second process while the build goes on (issue 14.3).

The fork is the point of the first test, so it runs the real ``mkdocs build`` in a subprocess (a
process with no other thread: pytest's own may have some, and a fork is only allowed without). The
site must be the same, byte for byte, as one process writes it, and every message of the second
process must be said by the build (``--strict`` fails on them). Real git, real MkDocs and Material.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading

from conftest import mkdocs_build, run_build, sop_text
from test_history import LI, WANG, Repo
from test_history_pages import ROLES

from sop_plugin.adapter import second_process

CONFIG = (
    "site_name: KB\ntheme: {name: material, font: false}\n"
    "plugins: [search, {sop: {build_date: '2026-03-01', archive_process: %s}}]\n"
    "markdown_extensions: [admonition, attr_list, md_in_html, tables, toc]\n"
    "validation: {absolute_links: warn}\n"
    "hooks: [seen.py]\n"
)
# A hook that reads the written site in its on_post_build, at a priority above the sop plugin's
# default: the second process must be joined (its messages said, its pages all written) before.
SEEN_HOOK = """\
import logging
from pathlib import Path

from mkdocs.plugins import event_priority


@event_priority(50)
def on_post_build(config):
    found = list(Path(config.site_dir).glob("id/*/v*/index.html"))
    logging.getLogger("mkdocs.hooks.seen").info(f"seen: {len(found)} archived pages")
"""
# An old version with an image from outside the site and an absolute link: the offline check
# (its findings go back to the build) and MkDocs' link check (logged by the second process).
OLD_BODY = (
    "## Procedure\n\n1. Check the delivery. ![line](https://cdn.example.com/line.png)\n"
    "2. Check the COA, see [the old form](/forms/old.md).\n3. Release.\n"
)


def history(tmp_path) -> Repo:
    repo = Repo(tmp_path / "kb")
    (repo.root / "mkdocs.yml").write_text(CONFIG % "false", encoding="utf-8")
    (repo.root / "mkdocs-fork.yml").write_text(CONFIG % "true", encoding="utf-8")
    (repo.root / "seen.py").write_text(SEEN_HOOK, encoding="utf-8")
    (repo.docs / "roles.yml").write_text(ROLES, encoding="utf-8")
    (repo.docs / "index.md").write_text("# KB\n", encoding="utf-8")
    commit_versions(repo, OLD_BODY)
    return repo


def commit_versions(repo: Repo, old_body: str) -> None:
    """Versions 1.0, 1.1 and 2.0 of SOP-QC-001 (``old_body`` in 1.0) and SOP-QC-002, one commit each."""
    for n, (version, date) in enumerate((("1.0", "2025-01-10"), ("1.1", "2025-06-10"), ("2.0", "2026-02-10"))):
        body = old_body if version == "1.0" else None
        files = {
            "qc/a.md": sop_text("SOP-QC-001", "巴氏杀菌 Pasteurise", version, body=body, effective_date=date),
            "qc/b.md": sop_text("SOP-QC-002", "Metal detector <check>", version, effective_date=date),
        }
        repo.commit(f"v{version}", files, author=(WANG, LI)[n % 2], date=f"{date}T09:00:00+08:00")


def tree(folder) -> dict[str, bytes]:
    return {
        os.path.relpath(os.path.join(top, name), folder): open(os.path.join(top, name), "rb").read()
        for top, _, names in os.walk(folder)
        for name in names
    }


def warnings(output: str) -> list[str]:
    return [line.split("-  ", 1)[1].strip() for line in output.splitlines() if line.startswith("WARNING")]


def test_second_process_writes_the_same_site_and_says_its_messages(tmp_path):
    repo = history(tmp_path)
    forked = mkdocs_build(repo.root, "-v", "-f", "mkdocs-fork.yml", "-d", "site-fork")
    assert forked.returncode == 0, forked.stderr
    assert "archived versions: 4 page(s) on a second process" in forked.stderr
    assert "archived versions: written on the second process in" in forked.stderr
    one = run_build(repo.root, "-d", "site-one")  # archive_process: false
    assert one.returncode == 0, one.stderr
    written = tree(repo.root / "site-fork")
    assert sorted(p for p in written if "/v" in p) == [
        "id/SOP-QC-001/v1.0/index.html",
        "id/SOP-QC-001/v1.1/index.html",
        "id/SOP-QC-002/v1.0/index.html",
        "id/SOP-QC-002/v1.1/index.html",
    ]
    assert written == tree(repo.root / "site-one")  # byte for byte
    said = warnings(forked.stderr)
    assert said == warnings(one.stderr)  # the same messages, in the same order
    assert any("id/SOP-QC-001/v1.0/index.md" in w and "https://cdn.example.com/line.png" in w for w in said), said
    link = "Doc file 'id/SOP-QC-001/v1.0/index.md' contains an absolute link '/forms/old.md', it was left as is."
    assert link in said, said  # logged by the second process, said by the build
    # ... before any other plugin's on_post_build looks at the site, and all pages are there then
    assert forked.stderr.index(link) < forked.stderr.index("seen: 4 archived pages"), forked.stderr
    strict = mkdocs_build(repo.root, "--strict", "-f", "mkdocs-fork.yml", "-d", "site-strict")
    output = strict.stdout + strict.stderr
    assert strict.returncode == 1 and link in output and "2 warnings" in output, output


def test_a_child_gives_back_its_value_and_log_records(caplog):
    def work():
        logging.getLogger("mkdocs.plugins.test").warning("从第二个进程 %s", "<b>")
        return {"pages": 3}

    outcome = second_process.start(work).join()
    assert outcome.error is None and outcome.value == {"pages": 3}
    assert 0 <= outcome.seconds < 60 and outcome.peak_mb > 0 and outcome.waited >= 0
    assert [(r.levelname, r.getMessage()) for r in outcome.records] == [("WARNING", "从第二个进程 <b>")]
    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        second_process.replay(outcome.records)
    assert [r.getMessage() for r in caplog.records if r.name == "mkdocs.plugins.test"] == ["从第二个进程 <b>"]


def test_a_child_that_fails_or_dies_says_why():
    raised = second_process.start(lambda: 1 / 0).join()
    assert raised.value is None and "ZeroDivisionError" in raised.error
    died = second_process.start(lambda: os._exit(3)).join()
    assert died.value is None and died.error == "the second process ended with exit status 3"
    killed = second_process.start(lambda: os.kill(os.getpid(), 9)).join()
    assert killed.error == "the second process was killed by signal 9"
    unpicklable = second_process.start(lambda: lambda: None).join()
    assert unpicklable.value is None and "pickle" in unpicklable.error.lower()


def test_no_second_process_while_other_threads_run():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert second_process.why_not() is not None
    finally:
        stop.set()
        other.join()


BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9 if prev else ['lol'] * 9)}]\n"
    for prev, name in zip(["", *"abcdefgh"], "abcdefghi")
)  # 9^9 values once expanded, in 400 bytes


def test_an_alias_bomb_in_an_old_version_neither_hangs_nor_fails_the_build(tmp_path):
    repo = history(tmp_path)
    bomb = sop_text("SOP-QC-002", "Metal detector", "2.1", extra=BOMB, effective_date="2026-02-20")
    repo.commit("v2.1 (hostile)", {"qc/b.md": bomb}, date="2026-02-20T09:00:00+08:00")
    fixed = sop_text("SOP-QC-002", "Metal detector", "2.2", effective_date="2026-02-25")
    repo.commit("v2.2", {"qc/b.md": fixed}, date="2026-02-25T09:00:00+08:00")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", "mkdocs-fork.yml", "-d", "site"],
        cwd=repo.root,
        capture_output=True,
        text=True,
        timeout=120,  # it hung for ever: the quick parse of old versions expanded every alias
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    page = (repo.root / "site/id/SOP-QC-002/v2.1/index.html").read_text(encoding="utf-8")
    assert "Superseded" in page and "lol" not in page
