"""Archived bodies kept between builds (issue 14.3: ``archive_cache``, ``revisions/rendered.py``).

A build that takes archived bodies and "what changed" from the cache must write the site a build
without the cache writes, byte for byte, and say the same messages (``--strict`` fails on them),
also after each kind of change a stored body depends on: a linked SOP renamed, an image deleted,
a linked SOP left out of a plant copy, other Markdown settings. A cache file that is damaged, or
a cache folder that cannot be made, never fails the build. Real git, real MkDocs and Material.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import pickle
import re
import sqlite3
import zlib

import pytest
from conftest import run_build
from test_archive_workers import commit_versions, tree, warnings
from test_history import Repo
from test_history_pages import ROLES

from sop_plugin.revisions.rendered import FILE_NAME, MessageRecorder, settings_key, stable

CONFIG = (
    "site_name: KB\ntheme: {name: material, font: false}\n"
    "plugins: [search, {sop: {build_date: '2026-03-01', archive_cache: %s}}]\n"
    "markdown_extensions: [admonition, attr_list, md_in_html, tables, toc%s]\n"
    "validation: {absolute_links: warn}\n"
)
# Version 1.0 links another SOP by id and by file, shows an image, and has an absolute link
# (a warning of MkDocs' link check, which a build from the cache must say again).
OLD_BODY = (
    "## Procedure\n\n1. Check the delivery as in [[SOP-QC-002]]. ![line](img/line.png)\n"
    "2. Check the COA, see [the old form](/forms/old.md) and [the detector](b.md).\n3. Release.\n"
)
CACHE = ".cache/plugin/sop/" + FILE_NAME


def history(tmp_path, extensions: str = "") -> Repo:
    repo = Repo(tmp_path / "kb")
    write_config(repo, extensions)
    (repo.docs / "roles.yml").write_text(ROLES, encoding="utf-8")
    (repo.docs / "index.md").write_text("# KB\n", encoding="utf-8")
    (repo.docs / "qc" / "img").mkdir(parents=True)
    (repo.docs / "qc" / "img" / "line.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    commit_versions(repo, OLD_BODY)
    return repo


def write_config(repo: Repo, extensions: str = "") -> None:
    (repo.root / "mkdocs.yml").write_text(CONFIG % ("true", extensions), encoding="utf-8")
    (repo.root / "mkdocs-cold.yml").write_text(CONFIG % ("false", extensions), encoding="utf-8")


def cold(repo: Repo, *args: str, env: dict | None = None):
    """A build that converts every body (``archive_cache: false``) into ``site-cold``."""
    repo.root.joinpath("mkdocs.yml").rename(repo.root / "mkdocs-warm.yml")
    repo.root.joinpath("mkdocs-cold.yml").rename(repo.root / "mkdocs.yml")
    try:
        return run_build(repo.root, *args, "-d", "site-cold", env=env)
    finally:
        repo.root.joinpath("mkdocs.yml").rename(repo.root / "mkdocs-cold.yml")
        repo.root.joinpath("mkdocs-warm.yml").rename(repo.root / "mkdocs.yml")


def taken(repo: Repo) -> int:
    """How many entries the last build used (marked with the newest ``used``)."""
    with sqlite3.connect(repo.root / CACHE) as db:
        newest = db.execute("SELECT max(used) FROM entries").fetchone()[0]
        return db.execute("SELECT count(*) FROM entries WHERE used = ?", (newest,)).fetchone()[0]


def archived_page(repo: Repo, site: str, version: str = "1.0") -> str:
    return (repo.root / site / f"id/SOP-QC-001/v{version}/index.html").read_text(encoding="utf-8")


def test_a_build_from_the_cache_writes_the_same_site_and_says_the_same_messages(tmp_path):
    repo = history(tmp_path)
    first = run_build(repo.root, "-d", "site-first")
    assert first.returncode == 0, first.stderr
    with sqlite3.connect(repo.root / CACHE) as db:  # 4 archived bodies, 2 diffs (the 3 pairs of equal bodies are one)
        assert db.execute("SELECT count(*) FROM entries").fetchone()[0] == 6
    again = run_build(repo.root, "-d", "site-again")
    assert again.returncode == 0, again.stderr
    assert taken(repo) == 6  # every body and diff taken from the cache
    without = cold(repo)
    assert without.returncode == 0, without.stderr
    site = tree(repo.root / "site-again")
    assert site == tree(repo.root / "site-first") == tree(repo.root / "site-cold")  # byte for byte
    said = warnings(again.stderr)
    assert said == warnings(first.stderr) == warnings(without.stderr)
    link = "Doc file 'id/SOP-QC-001/v1.0/index.md' contains an absolute link '/forms/old.md', it was left as is."
    assert link in said, said  # said again from the cache
    strict = run_build(repo.root, "--strict", "-d", "site-strict")
    assert strict.returncode == 1 and link in strict.stderr, strict.stderr
    page = archived_page(repo, "site-again")
    assert 'data-sop-ref="SOP-QC-002"' in page and "Metal detector &lt;check&gt;" in page
    assert 'src="../../../qc/img/line.png"' in page, page  # the image, relinked from where it is shown


@pytest.mark.parametrize("change", ["rename", "delete image", "plant copy", "markdown settings"])
def test_what_a_stored_body_depends_on_changes_and_the_page_follows(tmp_path, change):
    repo = history(tmp_path)
    assert run_build(repo.root, "-d", "site-first").returncode == 0
    env = None
    if change == "rename":  # the working tree's title of the SOP that version 1.0 links to
        b = repo.docs / "qc" / "b.md"
        b.write_text(b.read_text(encoding="utf-8").replace("Metal detector <check>", "金属检测 Metal check"))
    elif change == "delete image":
        (repo.docs / "qc" / "img" / "line.png").unlink()
    elif change == "plant copy":  # SOP-QC-002 applies to another site only: left out of this copy
        b = repo.docs / "qc" / "b.md"
        b.write_text(b.read_text(encoding="utf-8").replace("---\n\n", "applies_to: {sites: [ningbo]}\n---\n\n", 1))
        env = {"SOP_SITE": "suzhou"}
    else:
        write_config(repo, ", {toc: {permalink: true}}")
    warm = run_build(repo.root, "-d", "site-warm", env=env)
    assert warm.returncode == 0, warm.stderr
    without = cold(repo, env=env)
    assert without.returncode == 0, without.stderr
    assert tree(repo.root / "site-warm") == tree(repo.root / "site-cold")
    assert warnings(warm.stderr) == warnings(without.stderr)
    page = archived_page(repo, "site-warm")
    expected = {
        "rename": "金属检测 Metal check",
        "delete image": '<span class="sop-gone">line</span>',
        "plant copy": "sop-ref--missing",
        "markdown settings": 'class="headerlink"',
    }[change]
    assert expected in page and expected not in archived_page(repo, "site-first"), page
    # The body of the other SOP's version 1.0 did not depend on the change: taken from the cache.
    if change in ("rename", "delete image"):
        assert taken(repo) >= 3


def test_a_damaged_cache_file_is_replaced_and_a_cache_folder_that_cannot_be_made_is_skipped(tmp_path):
    repo = history(tmp_path)
    first = run_build(repo.root, "-d", "site-first")
    assert first.returncode == 0, first.stderr
    (repo.root / CACHE).write_bytes(b"not a database \x00\xff" * 100)
    damaged = run_build(repo.root, "-d", "site-damaged")
    assert damaged.returncode == 0, damaged.stderr.splitlines()[-5:]
    assert tree(repo.root / "site-damaged") == tree(repo.root / "site-first")
    assert taken(repo) == 6  # a new store, filled again
    # A file where the cache folder should be: one INFO line, every body converted.
    (repo.root / ".cache" / "blocked").write_text("a file, not a folder", encoding="utf-8")
    text = (repo.root / "mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace("archive_cache: true", "archive_cache: true, cache_dir: .cache/blocked")
    (repo.root / "mkdocs.yml").write_text(text, encoding="utf-8")
    blocked = run_build(repo.root, "-d", "site-blocked")
    assert blocked.returncode == 0 and "archived versions: no cache (" in blocked.stderr, blocked.stderr
    assert tree(repo.root / "site-blocked") == tree(repo.root / "site-first")


def test_a_locked_cache_costs_the_build_nothing_but_the_cache(tmp_path):
    repo = history(tmp_path)
    assert run_build(repo.root, "-d", "site-first").returncode == 0
    holder = sqlite3.connect(repo.root / CACHE, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another build holds the file for the whole build
    try:
        locked = run_build(repo.root, "-d", "site-locked")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert locked.returncode == 0, locked.stderr
    assert re.search(r"archived versions: (no cache|cache given up|cache not saved)", locked.stderr), locked.stderr
    assert tree(repo.root / "site-locked") == tree(repo.root / "site-first")


def fence_format(*args, **options) -> str:
    return ""


def test_settings_are_keyed_by_what_they_are_and_an_object_without_a_name_stores_nothing(tmp_path):
    code = [tmp_path / "code.py"]
    code[0].write_text("x = 1\n", encoding="utf-8")
    named = {"slugify": functools.partial(fence_format, case="lower"), "ids": {"b", "a"}}
    assert stable(named) == {
        "slugify": {"partial": f"{__name__}.fence_format", "args": [], "keywords": {"case": "lower"}},
        "ids": ["a", "b"],
    }
    key = settings_key(named, code)
    assert key is not None and key == settings_key(dict(named), code)
    assert key != settings_key({**named, "ids": {"a"}}, code)
    code[0].write_text("x = 2\n", encoding="utf-8")  # the plugin's code changed: another key
    assert settings_key(named, code) != key
    assert settings_key({"format": object()}, code) is None  # "<object object at 0x...>": no store
    assert settings_key({"format": lambda: None}, code) is None  # a lambda has no name to key by


class Planted:
    """What a planted cache entry would make when read back: never made (only dates are allowed)."""

    made = 0

    def __reduce__(self):
        return (Planted.count, ())

    @staticmethod
    def count():
        Planted.made += 1
        return {}


def test_a_planted_front_matter_entry_makes_no_object_and_the_body_is_converted(tmp_path):
    repo = history(tmp_path)
    assert run_build(repo.root, "-d", "site-first").returncode == 0
    with sqlite3.connect(repo.root / CACHE) as db:
        rows = db.execute("SELECT key, meta FROM entries").fetchall()
        for key, meta in rows:
            entry = json.loads(meta)
            if "front" in entry:  # a body entry: its front-matter replaced by an object to make
                entry["front"] = base64.b64encode(pickle.dumps(Planted())).decode()
                db.execute("UPDATE entries SET meta = ? WHERE key = ?", (json.dumps(entry), key))
    planted = run_build(repo.root, "-d", "site-planted")
    assert planted.returncode == 0, planted.stderr
    assert "archived versions: 4 cache entries could not be read back: made again" in planted.stderr
    assert Planted.made == 0
    assert tree(repo.root / "site-planted") == tree(repo.root / "site-first")


def test_entries_of_other_settings_stay_until_those_settings_come_back(tmp_path):
    repo = history(tmp_path)
    assert run_build(repo.root, "-d", "site-first").returncode == 0
    write_config(repo, ", {toc: {permalink: true}}")  # other settings: the same keys, other entries
    assert run_build(repo.root, "-d", "site-other").returncode == 0
    write_config(repo)
    back = run_build(repo.root, "-d", "site-back")
    assert back.returncode == 0, back.stderr
    assert taken(repo) == 6  # the first settings' entries were kept beside the others'
    with sqlite3.connect(repo.root / CACHE) as db:
        assert db.execute("SELECT count(DISTINCT settings), count(*) FROM entries").fetchone() == (2, 12)
    assert tree(repo.root / "site-back") == tree(repo.root / "site-first")


def test_each_message_is_kept_once_also_when_it_goes_up_to_a_second_logger():
    recorder = MessageRecorder()
    loggers = [logging.getLogger("mkdocs"), logging.getLogger()]
    for logger in loggers:
        logger.addHandler(recorder)
    try:
        for _ in range(2):  # the same words twice: two messages
            logging.getLogger("mkdocs.structure.pages").warning("链接 '/forms/old.md' left as is")
        logging.getLogger("markdown.other").warning("not under mkdocs: kept too")
    finally:
        for logger in loggers:
            logger.removeHandler(recorder)
    assert recorder.messages == [
        ["mkdocs.structure.pages", logging.WARNING, "链接 '/forms/old.md' left as is"],
        ["mkdocs.structure.pages", logging.WARNING, "链接 '/forms/old.md' left as is"],
        ["markdown.other", logging.WARNING, "not under mkdocs: kept too"],
    ]


@pytest.mark.parametrize("inside", ["docs/.cache", "site"])
def test_a_cache_folder_inside_the_docs_or_the_site_is_refused(tmp_path, inside):
    repo = history(tmp_path)
    text = (repo.root / "mkdocs.yml").read_text(encoding="utf-8")
    (repo.root / "mkdocs.yml").write_text(text.replace("archive_cache: true", f"cache_dir: {inside}"), encoding="utf-8")
    result = run_build(repo.root)  # into site/
    assert f"WARNING -  sop_plugin: cache_dir: {inside} is inside" in result.stderr, result.stderr
    assert not list((repo.root / "site").rglob(FILE_NAME)) and not list(repo.docs.rglob(FILE_NAME))


@pytest.mark.parametrize(
    "column, value",
    [
        ("meta", "[]"),  # not an object
        ("meta", '{"steps": [[1]], "lookups": [], "messages": [], "front": null, "too_long": null}'),
        ("meta", '{"steps": null, "lookups": [["sop", 1, null]], "messages": [], "front": null, "too_long": [1]}'),
        (
            "meta",
            '{"steps": null, "lookups": [], "messages": [["mkdocs", "30", 5]], "front": "%%%", "too_long": ["a", 2]}',
        ),
        ("meta", "{not json"),
        ("html", b"not zlib data"),
        ("html", zlib.compress(b"\xff\xfe not UTF-8")),
    ],
)
def test_a_damaged_entry_is_never_used_and_never_fails_the_build(tmp_path, column, value):
    repo = history(tmp_path)
    assert run_build(repo.root, "-d", "site-first").returncode == 0
    with sqlite3.connect(repo.root / CACHE) as db:
        db.execute(f"UPDATE entries SET {column} = ?", (value,))  # every entry, bodies and diffs alike
    damaged = run_build(repo.root, "-d", "site-damaged")
    assert damaged.returncode == 0, damaged.stderr
    assert re.search(r"archived versions: [46] cache entries could not be read back: made again", damaged.stderr)
    assert tree(repo.root / "site-damaged") == tree(repo.root / "site-first")
    again = run_build(repo.root, "-d", "site-again")  # the entries made again are used
    assert taken(repo) == 6 and "could not be read back" not in again.stderr
    assert warnings(damaged.stderr) == warnings(again.stderr) == warnings(run_build(repo.root, "-d", "x").stderr)
