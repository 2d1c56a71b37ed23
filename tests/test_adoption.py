"""Adopting the plugin into what a plant already has (issue 12): the site's own navigation and
search, git history that fails loudly, one rule for faulty SOPs, plain messages, plants' metadata.

Real MkDocs + Material builds into ``tmp_path``, real git.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import ROLES_YML, build_site, run_build, sop_text, write_project

from sop_plugin.model import load_catalog

ROLES_WITH_ONBOARDING = ROLES_YML.replace("department: QC}", "department: QC, onboarding: [SOP-QC-001, SOP-QC-002]}", 1)
CP = """\
roles:
  - {role: qc-inspector, raci: R}
control_points:
  - {id: CCP-1, kind: CCP, step: 2, parameter: COA, limit: all items pass, corrective_action: hold the lot}
"""


def primary_nav(html: str) -> str:
    return html[html.index("md-nav--primary") : html.index('class="md-content"')]


# --- 12.3 navigation and search ---------------------------------------------------------------------


def test_an_explicit_nav_is_kept_and_generated_pages_come_as_one_section(tmp_path):
    files = {
        "docs/index.md": "# Home\n",
        "docs/about.md": "# About us\n",
        "docs/qc/a.md": sop_text("SOP-QC-001", "Incoming inspection"),
        "docs/qc/b.md": sop_text("SOP-QC-002", "Sampling"),
    }
    nav = [
        {"Home": "index.md"},
        {"About": "about.md"},
        {"Procedures": [{"Inspection": "qc/a.md"}]},
        {"Directory": "directory/index.md"},
    ]
    write_project(tmp_path, files, nav=nav)
    result = run_build(tmp_path, "--strict")
    assert result.returncode == 0, result.stderr
    assert 'not included in the "nav"' not in result.stderr, result.stderr  # nothing of ours reported
    html = (tmp_path / "site/about/index.html").read_text(encoding="utf-8")
    nav_html = primary_nav(html)
    # The site's own entries, as written, in its order.
    assert re.search(r"Procedures", nav_html) and re.search(r'href="\.\./qc/a/"', nav_html)
    assert 'href="../qc/b/"' not in nav_html  # not listed by the site: not added
    # The directory stays where the site put it (once); the others come in one "SOP" section.
    assert nav_html.count('href="../directory/"') == 1
    section = nav_html[nav_html.index(">SOP<") if ">SOP<" in nav_html else nav_html.index("SOP\n") :]
    assert 'href="../departments/"' in section and 'href="../roles/"' in section
    assert 'href="../registers/"' in section
    assert nav_html.index("Procedures") < nav_html.index('href="../departments/"')


def test_nav_section_can_be_renamed_or_left_out(tmp_path):
    files = {"docs/qc/a.md": sop_text()}
    write_project(
        tmp_path, files, nav=[{"Home": "index.md"}], plugins=["search", {"sop": {"nav_section": "Procedures"}}]
    )
    assert run_build(tmp_path, "--strict").returncode == 0
    nav_html = primary_nav((tmp_path / "site/index.html").read_text(encoding="utf-8"))
    assert "Procedures" in nav_html and 'href="departments/"' in nav_html
    write_project(
        tmp_path / "none", files, nav=[{"Home": "index.md"}], plugins=["search", {"sop": {"nav_section": ""}}]
    )
    assert run_build(tmp_path / "none", "--strict").returncode == 0
    nav_html = primary_nav((tmp_path / "none/site/index.html").read_text(encoding="utf-8"))
    assert 'href="departments/"' not in nav_html


def test_without_nav_a_small_site_keeps_its_sops_and_a_large_one_stays_light(tmp_path):
    def build(root: Path, count: int, **options) -> tuple[str, str]:
        files = {f"docs/qc/sop-{n}.md": sop_text(f"SOP-QC-{n:03d}", f"Procedure {n}") for n in range(1, count + 1)}
        plugins = ["search", {"sop": options} if options else "sop"]
        write_project(root, files, plugins=plugins)
        result = run_build(root, "--strict")
        assert result.returncode == 0, result.stderr
        return primary_nav((root / "site/index.html").read_text(encoding="utf-8")), result.stderr

    small, _ = build(tmp_path / "small", 3)
    assert all(f'href="qc/sop-{n}/"' in small for n in (1, 2, 3))
    assert "md-status" not in small  # an SOP's status is not Material's page status (no icon in the nav)
    large, log = build(tmp_path / "large", 6, nav_sops=5)
    assert "qc/sop-" not in large and 'href="directory/"' in large
    assert "6 SOPs is more than nav_sops (5)" in log and "WARNING -" not in log
    # Pages of a large site do not grow with the number of SOPs.
    more, _ = build(tmp_path / "more", 12, nav_sops=5)
    assert more.count("md-nav__link") == large.count("md-nav__link")


def test_navigation_prune_raises_the_default_limit(tmp_path):
    files = {f"docs/qc/sop-{n}.md": sop_text(f"SOP-QC-{n:03d}", f"P {n}") for n in range(1, 4)}
    theme = {"name": "material", "font": False, "features": ["navigation.prune"]}
    site = build_site(tmp_path, files, "--strict", theme=theme, plugins=["search", {"sop": {}}])
    assert 'href="qc/sop-1/"' in primary_nav((site / "index.html").read_text(encoding="utf-8"))


def test_a_site_without_the_search_plugin_is_warned_with_the_fix(tmp_path):
    write_project(tmp_path, {"docs/qc/a.md": sop_text()}, plugins=["sop"])
    result = run_build(tmp_path, "--strict")
    assert result.returncode != 0
    assert "no search plugin" in result.stderr and "plugins: [search, sop]" in result.stderr
    write_project(tmp_path / "ok", {"docs/qc/a.md": sop_text()}, plugins=["search", "sop"])
    assert "no search plugin" not in run_build(tmp_path / "ok", "--strict").stderr


# --- 12.6 git history that fails loudly -------------------------------------------------------------


def git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Li Qiang",
        "GIT_AUTHOR_EMAIL": "li@example.com",
        "GIT_COMMITTER_NAME": "Li Qiang",
        "GIT_COMMITTER_EMAIL": "li@example.com",
    }
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True).stdout


def drop_object(root: Path, sha: str) -> None:
    (root / ".git/objects" / sha[:2] / sha[2:]).unlink()


def history_repo(root: Path) -> None:
    """A knowledge base with two SOP versions and a binary file that was renamed and changed."""
    write_project(root, {"docs/qc/a.md": sop_text(), "docs/files/scan.bin": ""})
    (root / "docs/files/scan.bin").write_bytes(os.urandom(4096))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-qm", "first issue")
    (root / "docs/qc/a.md").write_text(sop_text(version="1.1"), encoding="utf-8")
    git(root, "mv", "docs/files/scan.bin", "docs/files/scan-2.bin")
    with open(root / "docs/files/scan-2.bin", "ab") as handle:
        handle.write(os.urandom(64))
    git(root, "add", ".")
    git(root, "commit", "-qm", "version 1.1")


def test_a_broken_binary_blob_in_docs_does_not_stop_the_history(tmp_path):
    history_repo(tmp_path)
    drop_object(tmp_path, git(tmp_path, "rev-parse", "HEAD~1:docs/files/scan.bin").strip())
    # git itself cannot walk docs/ with rename detection any more ...
    whole = subprocess.run(["git", "log", "--raw", "-M", "--", "docs"], cwd=tmp_path, capture_output=True)
    assert whole.returncode != 0
    # ... but the history pass reads only the Markdown files, so the build keeps its history.
    result = run_build(tmp_path, "--strict")
    assert result.returncode == 0, result.stderr
    first = git(tmp_path, "rev-parse", "--short=7", "HEAD~1").strip()
    html = (tmp_path / "site/qc/a/index.html").read_text(encoding="utf-8")
    assert first in html  # the history table has the first commit
    assert (tmp_path / "site/id/SOP-QC-001/v1.0/index.html").is_file()  # and the archived version


def test_a_failing_git_log_inside_a_work_tree_is_a_warning_that_names_the_error(tmp_path):
    history_repo(tmp_path)
    # An SOP renamed and changed whose old blob is gone: git log -M over Markdown must fail.
    git(tmp_path, "mv", "docs/qc/a.md", "docs/qc/incoming.md")
    (tmp_path / "docs/qc/incoming.md").write_text(sop_text(version="1.2") + "\nMore text.\n", encoding="utf-8")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "rename")
    drop_object(tmp_path, git(tmp_path, "rev-parse", "HEAD~1:docs/qc/a.md").strip())
    result = run_build(tmp_path, "--strict")
    assert result.returncode != 0
    line = next(line for line in result.stderr.splitlines() if "git log failed" in line)
    assert line.startswith("WARNING") and "unable to read" in line, line
    assert run_build(tmp_path).returncode == 0  # a plain build still publishes (from the changes logs)


def test_outside_git_the_history_note_stays_quiet(tmp_path):
    write_project(tmp_path, {"docs/qc/a.md": sop_text()})
    result = run_build(tmp_path, "--strict", env={"GIT_CEILING_DIRECTORIES": str(tmp_path.parent)})
    assert result.returncode == 0, result.stderr


# --- 12.7 one rule for faulty SOPs ------------------------------------------------------------------


def test_a_faulty_sop_is_a_draft_on_every_page_that_shows_it(tmp_path):
    faulty = sop_text("SOP-QC-002", "Sampling", extra=CP.replace("step: 2", "step: 9"))  # a step error only
    files = {"docs/qc/a.md": sop_text(extra=CP), "docs/qc/b.md": faulty}
    site = build_site(tmp_path, files, roles=ROLES_WITH_ONBOARDING)  # not strict: what `mkdocs serve` shows
    page = (site / "qc/b/index.html").read_text(encoding="utf-8")
    assert 'data-sop-id="SOP-QC-002"' in page and 'data-sop-status="draft"' in page
    assert "sop-badge--draft" in page and "sop-badge--effective" not in page
    assert "step 9 does not exist" in page  # its problems on its page
    good = (site / "qc/a/index.html").read_text(encoding="utf-8")
    assert 'data-sop-status="effective"' in good
    records = {s["id"]: s for s in json.loads((site / "sop-catalog.json").read_text(encoding="utf-8"))["sops"]}
    assert records["SOP-QC-002"]["status"] == "draft" and records["SOP-QC-001"]["status"] == "effective"
    register = (site / "registers/control-points/index.html").read_text(encoding="utf-8")
    assert 'data-register-cp="SOP-QC-001/CCP-1"' in register
    assert "SOP-QC-002" not in register  # a draft's control points are not in force
    role = (site / "roles/qc-inspector/index.html").read_text(encoding="utf-8")
    row = role[role.index('data-sop-ref="SOP-QC-002"') :][:600]
    assert "draft" in row.lower() or "草稿" in row, row
    assert "effective" not in row.lower().split("</tr>")[0].replace("sop-qc", "")
    directory = (site / "directory/index.html").read_text(encoding="utf-8")
    row = directory[directory.index('["SOP-QC-002"') :].split('"../qc/b/"')[0]
    assert '"draft"' in row and '"effective"' not in row, row
    department = (site / "departments/QC/index.html").read_text(encoding="utf-8")
    drafts = department.index('data-sop-ref="SOP-QC-002"')
    assert department.index('data-sop-ref="SOP-QC-001"') < department.rfind("<h2", 0, drafts) < drafts  # not in force


# --- 12.8 plain messages ----------------------------------------------------------------------------

BAD_INPUTS = [
    ("id: SOP-QC-001", "id: SOP001", "id", "an SOP id looks like SOP-QC-012: capital letters and digits"),
    ('version: "1.0"', 'version: "v1"', "version", 'a version looks like "3.1" (MAJOR.MINOR)'),
    ("owner: {name: Wang Fang, role: qa-manager}", "owner: Wang Fang", "owner", "expected a mapping of fields"),
    ("effective_date: 2026-01-01", "effective_date: 04/12/2024", "effective_date", "written YYYY-MM-DD"),
    ("status: effective", "status: active", "status", "'active' is not one of: draft, in-review, effective"),
    ("department: QC", "department: QC\nreview_interval_months: twelve", "review_interval_months", "whole number"),
]


@pytest.mark.parametrize("old, new, field, words", BAD_INPUTS, ids=[case[2] for case in BAD_INPUTS])
def test_messages_are_plain_words_with_an_example(tmp_path, old, new, field, words):
    (tmp_path / "roles.yml").write_text(ROLES_YML, encoding="utf-8")
    text = sop_text().replace(old, new, 1)
    catalog = load_catalog(tmp_path, [("qc/a.md", text)])
    found = [p for p in catalog.problems if p.field == field]
    assert len(found) == 1, [str(p) for p in catalog.problems]  # one line per mistake
    message = str(found[0])
    assert message.startswith(f"qc/a.md:{found[0].line}: {field}: ") and found[0].line
    assert words in message
    for jargon in ("^[", "pattern", "Input should", "instance of", "invalid character", "dictionary"):
        assert jargon not in message, message


def test_a_run_of_missing_steps_is_one_line_and_author_is_not_mistaken_for_authors(tmp_path):
    (tmp_path / "roles.yml").write_text(ROLES_YML, encoding="utf-8")
    extra = "author: Wang Fang\nroles:\n  - {role: qc-inspector, raci: R, steps: [4, 5, 6, 7, 9]}\n"
    catalog = load_catalog(tmp_path, [("qc/a.md", sop_text(extra=extra))])
    lines = [str(p) for p in catalog.problems]
    steps = [line for line in lines if "steps" in line and "exist" in line]
    assert steps == [
        f"qc/a.md:{catalog.sops[0].line('roles', 0, 'steps')}: roles[0].steps: "
        "steps 4-7, 9 do not exist: the body has steps 1-3"
    ]
    author = next(line for line in lines if ": author:" in line)
    assert "authors" not in author and "changes entries" in author


def test_a_names_mapping_of_roles_yml_is_one_plain_line(tmp_path):
    (tmp_path / "roles.yml").write_text(ROLES_YML.replace("name: {zh: 质量控制, en: Quality Control}", "name: [x]"))
    catalog = load_catalog(tmp_path, [])
    found = [str(p) for p in catalog.problems if p.field == "departments[0].name"]
    assert len(found) == 1 and "expected text or a mapping by language" in found[0], found


# --- 12.9 metadata plants already have --------------------------------------------------------------


def test_plant_metadata_passes_through_and_h1_titles_role_owners_and_patch_versions_build(tmp_path):
    text = (
        '---\nid: SOP-QC-007\nversion: "2.1.3"\nstatus: effective\neffective_date: 2026-01-01\n'
        "owner: {role: qa-manager}\ndepartment: QC\n"
        "x-document_number: QP-07-REV3\nx-reviewer: Zhao Min\n"
        "extra: {revision_date: 2025-12-20, site_code: SZ}\n"
        'changes:\n  - {version: "2.1.3", date: 2026-01-01, summary: typo fixed, author: Zhao Min}\n'
        "---\n\n# Calibration of balances\n\n1. Level the balance.\n2. Weigh the check weight.\n"
    )
    site = build_site(tmp_path, {"docs/qc/cal.md": text}, "--strict")
    record = json.loads((site / "sop-catalog.json").read_text(encoding="utf-8"))["sops"][0]
    assert record["title"] == "Calibration of balances" and record["version"] == "2.1.3"
    assert record["owner"] == {"name": None, "role": "qa-manager"}
    assert record["extra"] == {
        "revision_date": "2025-12-20",
        "site_code": "SZ",
        "x-document_number": "QP-07-REV3",
        "x-reviewer": "Zhao Min",
    }
    html = (site / "qc/cal/index.html").read_text(encoding="utf-8")
    assert "<title>Calibration of balances" in html and 'data-sop-version="2.1.3"' in html
    assert "None" not in html[html.index("sop-header") : html.index("</header>")]


def test_an_sop_without_title_or_h1_says_how_to_name_it(tmp_path):
    (tmp_path / "roles.yml").write_text(ROLES_YML, encoding="utf-8")
    text = sop_text().replace("title: 'Incoming inspection'\n", "")
    catalog = load_catalog(tmp_path, [("qc/a.md", text)])
    assert [p.message for p in catalog.problems if p.field == "title"] == [
        "required: write title: ... or start the body with '# Title'"
    ]


def test_a_patch_version_is_editorial_a_history_row_without_an_archive_or_retraining(tmp_path):
    write_project(tmp_path, {"docs/qc/a.md": sop_text(version="1.0")})
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "first issue")
    patched = sop_text(
        version="1.0.1", body="## Procedure\n\n1. Check the delivery.\n2. Check the COA.\n3. Release it.\n"
    )
    (tmp_path / "docs/qc/a.md").write_text(patched, encoding="utf-8")
    git(tmp_path, "commit", "-qam", "typo")
    result = run_build(tmp_path, "--strict")
    assert result.returncode == 0, result.stderr
    record = json.loads((tmp_path / "site/sop-catalog.json").read_text(encoding="utf-8"))["sops"][0]
    assert record["version"] == "1.0.1"
    assert [row["version"] for row in record["history"]] == ["1.0.1", "1.0"]
    archives = sorted(p.parent.name for p in (tmp_path / "site/id/SOP-QC-001").glob("v*/index.html"))
    assert archives == ["v1.0"]  # the earlier MAJOR.MINOR; the PATCH has no archived page of its own
    assert not (tmp_path / "site/id/SOP-QC-001/v1.0.1").exists()


def test_a_plant_copy_drops_left_out_sops_from_the_sites_own_nav(tmp_path):
    files = {
        "docs/qc/a.md": sop_text("SOP-QC-001", "Everywhere"),
        "docs/qc/b.md": sop_text("SOP-QC-002", "Shanghai only", extra="applies_to: {sites: [shanghai]}\n"),
    }
    nav = [{"Home": "index.md"}, {"Shanghai": [{"B": "qc/b.md"}]}, {"All": [{"A": "qc/a.md"}, {"B": "qc/b.md"}]}]
    write_project(tmp_path, files, nav=nav, plugins=["search", {"sop": {"site_filter": "suzhou"}}])
    result = run_build(tmp_path, "--strict")
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "site/qc/b/index.html").exists()
    nav_html = primary_nav((tmp_path / "site/qc/a/index.html").read_text(encoding="utf-8"))
    assert "qc/b/" not in nav_html and ">Shanghai<" not in nav_html.replace("\n", "").replace(" ", "")
    assert 'href="./"' in nav_html or 'href="../a/"' in nav_html or "md-nav__link--active" in nav_html


def test_yaml_mistakes_say_how_to_write_it(tmp_path):
    (tmp_path / "roles.yml").write_text(ROLES_YML, encoding="utf-8")
    text = sop_text().replace("title: 'Incoming inspection'", "title: Step 1: check the delivery")
    catalog = load_catalog(tmp_path, [("qc/a.md", text)])
    [problem] = [p for p in catalog.problems if p.field == "front-matter"]
    assert problem.line == 3 and "put the value in quotes" in problem.message
    assert catalog.sops[0].state(__import__("datetime").date(2026, 6, 1)) == "draft"
