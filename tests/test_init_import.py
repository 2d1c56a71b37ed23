"""``sop init``, ``sop import`` and ``sop new``'s department folder: from nothing, or from a folder
of Markdown, to a strict build in two commands. Real files, real git, real MkDocs builds."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import ROLES_YML, run_build, sop_text, write_files, write_project

from sop_plugin.cli.sop import main


def sop_cli(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def git(root: Path, *args: str, date: str = "2025-06-02T10:00:00+08:00") -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Lab Lead",
        "GIT_AUTHOR_EMAIL": "lead@example.com",
        "GIT_COMMITTER_NAME": "Lab Lead",
        "GIT_COMMITTER_EMAIL": "lead@example.com",
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
    }
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


# --- sop init ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_init_writes_a_knowledge_base_that_builds_strictly(tmp_path, capsys, lang):
    folder = tmp_path / "kb"
    status, out, err = sop_cli(capsys, "init", str(folder), "--lang", lang, "--today", "2026-03-01")
    assert status == 0, err
    for name in (
        "mkdocs.yml",
        "docs/index.md",
        "docs/roles.yml",
        "docs/qc/incoming-inspection.md",
        "quizzes/qc-incoming-inspection.yml",
        ".github/workflows/sop.yml",
        "requirements.txt",
    ):
        assert (folder / name).is_file(), name
    config = (folder / "mkdocs.yml").read_text(encoding="utf-8")
    assert "font: false" in config and "- offline" in config and config.index("- search") < config.index("- sop")
    assert "pymdownx.slugs.slugify" in config  # readable Chinese heading ids: on for new sites
    workflow = yaml.safe_load((folder / ".github/workflows/sop.yml").read_text(encoding="utf-8"))
    steps = [step.get("run", "") for step in workflow["jobs"]["check-and-build"]["steps"]]
    assert "mkdocs build --strict" in steps and any("sop check" in run for run in steps)
    result = run_build(folder, "--strict")
    assert result.returncode == 0, result.stderr
    page = (folder / "site/qc/incoming-inspection.html").read_text(encoding="utf-8")
    assert 'data-sop-status="effective"' in page and 'data-control-point="CCP-1"' in page
    assert 'data-quiz="qc-incoming-inspection"' in page
    assert sop_cli(capsys, "check", str(folder), "--strict")[0] == 0


def test_init_never_overwrites(tmp_path, capsys):
    (tmp_path / "mkdocs.yml").write_text("site_name: mine\n", encoding="utf-8")
    status, _, err = sop_cli(capsys, "init", str(tmp_path))
    assert status == 1 and "exists already: mkdocs.yml" in err
    assert (tmp_path / "mkdocs.yml").read_text(encoding="utf-8") == "site_name: mine\n"
    assert not (tmp_path / "docs").exists()


# --- sop import -------------------------------------------------------------------------------------

PLAIN = {
    "docs/index.md": "# Lab procedures\n\nSee the folders.\n",
    "docs/quality/balance-check.md": "# Daily balance check\n\n1. Level the balance.\n2. Weigh the check weight.\n",
    "docs/quality/QP-07 Document control.md": "# QP-07 Control of documents\n\nPurpose and steps.\n",
    "docs/production/line-start.md": (
        "---\ndocument_number: PR-3\nreviewer: Zhao Min\ntags: [start]\n---\n\n"
        "Line start-up\n=============\n\n1. Clear the line.\n2. Start.\n"
    ),
    "docs/production/notes.md": "Just some notes without a heading.\n",
    "docs/template.md": "# Procedure template\n\nWrite here.\n",
    'docs/production/odd "name" <b>.md': "<script>alert(1)</script> no heading\n",
}


def plain_folder(root: Path, *, history: bool = True) -> dict[str, bytes]:
    write_files(root, PLAIN)
    (root / "docs/quality/listed.md").write_text("---\n- a\n- b\n---\n\n# Listed\n", encoding="utf-8")
    (root / "docs/quality/crlf.md").write_bytes(b"# Windows file\r\n\r\n1. One.\r\n2. Two.\r\n")
    if history:
        git(root, "init", "-q", "-b", "main")
        git(root, "add", ".")
        git(root, "commit", "-qm", "procedures from the shared drive")
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "docs").rglob("*.md")}


def test_import_adds_front_matter_without_touching_bodies_then_builds_strictly(tmp_path, capsys):
    before = plain_folder(tmp_path)
    status, out, err = sop_cli(capsys, "import", str(tmp_path), "--owner-role", "lab-lead", "--department", "GEN")
    assert status == 0, err
    after = {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in (tmp_path / "docs").rglob("*.md")}
    assert after["docs/index.md"] == before["docs/index.md"]  # a page, not a procedure
    for name in ("docs/quality/balance-check.md", "docs/quality/QP-07 Document control.md", "docs/quality/crlf.md"):
        assert after[name].endswith(before[name])  # the body, byte for byte (CRLF kept)
    assert after["docs/quality/crlf.md"].startswith(b"---\r\nid: ")
    line_start = after["docs/production/line-start.md"].decode()
    assert line_start.endswith("tags: [start]\n---\n\nLine start-up\n=============\n\n1. Clear the line.\n2. Start.\n")
    assert "x-document_number: PR-3\nx-reviewer: Zhao Min\n" in line_start  # the plant's fields kept
    front = {name: yaml.safe_load(after[name].decode().split("---", 2)[1]) for name in after if name != "docs/index.md"}
    balance = front["docs/quality/balance-check.md"]
    assert balance == {
        "id": "SOP-QUALITY-001",
        "version": "1.0",
        "status": "effective",
        "effective_date": __import__("datetime").date(2025, 6, 2),
        "owner": {"role": "lab-lead"},
        "department": "QUALITY",
    }
    assert front["docs/quality/QP-07 Document control.md"]["id"] == "QP-07"  # the id the file already has
    assert front["docs/production/notes.md"]["title"] == "Notes"
    assert front["docs/template.md"]["department"] == "GEN"
    assert front['docs/production/odd "name" <b>.md']["title"] == 'Odd "name" <b>'  # quoted, kept as text
    # What it could not decide, said per file.
    assert "docs/production/notes.md: title: no '# ' heading: taken from the file name" in err
    assert "x-document_number" in err and "roles.yml: written" in err and "mkdocs.yml: written" in err
    assert "docs/quality/listed.md: not imported: its front-matter is not a mapping of fields" in err
    assert (tmp_path / "docs/quality/listed.md").read_text(encoding="utf-8") == "---\n- a\n- b\n---\n\n# Listed\n"
    roles = yaml.safe_load((tmp_path / "docs/roles.yml").read_text(encoding="utf-8"))
    assert {d["id"] for d in roles["departments"]} == {"QUALITY", "PRODUCTION", "GEN"}
    assert [r["id"] for r in roles["roles"]] == ["lab-lead"]
    assert sop_cli(capsys, "check", str(tmp_path), "--strict")[0] == 0
    result = run_build(tmp_path, "--strict")
    assert result.returncode == 0, result.stderr
    catalog = json.loads((tmp_path / "site/sop-catalog.json").read_text(encoding="utf-8"))
    titles = {s["id"]: s["title"] for s in catalog["sops"]}
    assert titles["SOP-PRODUCTION-001"] == "Line start-up"  # the setext H1
    record = next(s for s in catalog["sops"] if s["id"] == "SOP-PRODUCTION-001")
    assert record["extra"] == {"x-document_number": "PR-3", "x-reviewer": "Zhao Min"}
    # A second run finds nothing left to import.
    status, _, err = sop_cli(capsys, "import", str(tmp_path), "--owner-role", "lab-lead")
    assert status == 0 and "imported 0 procedure(s)" in err


def test_import_without_git_history_makes_drafts_and_keeps_an_existing_site(tmp_path, capsys):
    plain_folder(tmp_path, history=False)
    config = "site_name: Lab\nnav:\n  - Home: index.md\ntheme: {name: material, font: false}\nplugins: [search]\n"
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    (tmp_path / "docs/roles.yml").write_text(ROLES_YML, encoding="utf-8")
    status, _, err = sop_cli(
        capsys, "import", str(tmp_path), "--owner-role", "qa-manager", "--owner", "Wang Fang", "--dry-run"
    )
    assert status == 0 and "would import 7 procedure(s)" in err
    assert b"id:" not in (tmp_path / "docs/quality/balance-check.md").read_bytes()  # dry run: nothing written
    status, _, err = sop_cli(capsys, "import", str(tmp_path), "--owner-role", "qa-manager", "--owner", "Wang Fang")
    assert (tmp_path / "mkdocs.yml").read_text(encoding="utf-8") == config  # the site's own, untouched
    assert "roles.yml: add department QUALITY" in err and "add role" not in err
    assert "mkdocs.yml: add the plugin after search: plugins: [search, sop] (not changed)" in err
    assert "no git history for this file: imported as a draft" in err
    text = (tmp_path / "docs/quality/balance-check.md").read_text(encoding="utf-8")
    assert "status: draft\n" in text and "owner: {name: Wang Fang, role: qa-manager}" in text


# --- sop new: the department's folder ---------------------------------------------------------------


def test_new_goes_where_the_departments_sops_live_and_unknown_departments_get_a_hint(tmp_path, capsys):
    roles = ROLES_YML + "  - {id: operator, name: Operator, department: PROD}\n"
    roles = roles.replace("departments:\n", "departments:\n  - {id: PROD, name: {zh: 生产部, en: Production}}\n")
    write_project(
        tmp_path,
        {"docs/production/line-clearance.md": sop_text("SOP-PROD-001", "Line clearance", department="PROD")},
        roles=roles,
    )
    options = ["--title", "Start-up", "--owner", "Li", "--owner-role", "operator", "--lang", "en"]
    status, out, err = sop_cli(capsys, "new", str(tmp_path), "--id", "SOP-PROD-002", "--department", "PROD", *options)
    assert status == 0, err
    assert out.strip().endswith("docs/production/start-up.md") and not (tmp_path / "docs/prod").exists()
    status, out, err = sop_cli(capsys, "new", str(tmp_path), "--id", "SOP-PROD-003", "--department", "PRD", *options)
    assert status == 1 and "unknown department (did you mean 'PROD'?)" in err
    assert "departments of roles.yml: PROD, QA, QC" in err
