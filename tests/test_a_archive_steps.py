"""Archived versions read their steps from their page's own conversion (issue 14.3).

The page of an archived version is converted once with the site's Markdown; its steps (the
swimlane's rows) are read from that conversion instead of a second parse of the body. So they
are the steps the page anchors: with the site's extensions and the version's own ``steps_from``
(a second parse with MkDocs' default extensions and no ``steps_from`` could disagree with the
page). Real git, real MkDocs and Material builds into ``tmp_path``.
"""

from __future__ import annotations

import re

from conftest import run_build, sop_text
from test_history import LI, WANG, Repo
from test_history_pages import ROLES

from sop_plugin.model import parse_sop
from sop_plugin.revisions.versions import Snapshot, quick_parse

# Steps are the numbered headings (steps_from: headings); the numbered list under step 1 is a
# checklist, not steps. A parse that ignores steps_from takes the list (lists win under "auto").
HEADINGS_BODY = """\
## 1. 检查设备 Check the line

1. 温度计 thermometer
2. 记录仪 recorder
3. 阀门 valve

## 2. 加热 Heat

保持 15 秒。

## 3. 放行 Release
"""
ROLES_WITH_STEPS = "roles:\n  - {role: qc-inspector, raci: R, steps: [1, 2]}\n  - {role: qa-manager, raci: A}\n"


def heading_sop(version: str, body: str, effective: str) -> str:
    return sop_text(
        "SOP-QC-001",
        "巴氏杀菌 <b>Pasteurise</b>",
        version=version,
        extra="steps_from: headings\n" + ROLES_WITH_STEPS,
        body=body,
        effective_date=effective,
    )


def project(repo: Repo) -> None:
    (repo.root / "mkdocs.yml").write_text(
        "site_name: KB\ntheme: {name: material, language: zh, font: false}\n"
        "plugins: [search, {sop: {build_date: '2026-03-01'}}]\n"
        "markdown_extensions: [admonition, attr_list, md_in_html, tables, toc]\n",
        encoding="utf-8",
    )
    (repo.docs / "roles.yml").write_text(ROLES, encoding="utf-8")
    (repo.docs / "index.md").write_text("# KB\n", encoding="utf-8")


def test_archived_swimlane_has_the_steps_the_page_anchors(tmp_path):
    repo = Repo(tmp_path / "kb")
    project(repo)
    repo.commit("v1.0", {"qc/p.md": heading_sop("1.0", HEADINGS_BODY, "2025-01-10")}, author=WANG)
    newer = HEADINGS_BODY.replace("保持 15 秒。", "保持 20 秒。")
    repo.commit(
        "v2.0", {"qc/p.md": heading_sop("2.0", newer, "2026-02-10")}, author=LI, date="2026-02-10T09:00:00+08:00"
    )
    result = run_build(repo.root, "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    archived = (repo.root / "site/id/SOP-QC-001/v1.0/index.html").read_text(encoding="utf-8")
    current = (repo.root / "site/qc/p/index.html").read_text(encoding="utf-8")
    for html in (archived, current):
        rows = re.findall(r'data-swimlane-step="([^"]+)"', html)
        assert rows == ["1", "2", "3"], rows  # the headings, not the checklist under step 1
        anchored = re.findall(r'<span class="sop-step-anchor" id="(step-\d+)"', html)
        assert anchored == ["step-1", "step-2", "step-3"]
        texts = re.findall(r'<span class="sop-swimlane__text">([^<]*)</span>', html)
        assert texts[0].startswith("1. 检查设备") and "温度计" not in " ".join(texts)
    assert "<b>Pasteurise</b>" not in archived and "&lt;b&gt;Pasteurise&lt;/b&gt;" in archived  # escaped
    assert 'id="changes"' in archived and "20" in archived  # what changed to 2.0 is still there


def snapshot(text: str) -> Snapshot:
    return Snapshot("1.0", "qc/p.md", "0" * 40, text, parse_path="id/SOP-QC-001/v1.0/index.md")


def test_steps_left_unread_are_read_when_someone_asks():
    text = sop_text(body="## Procedure\n\n1. Check.\n2. Heat.\n")
    one = snapshot(text)
    sop = one.sop(steps=False)
    assert sop.steps is None and one.steps_unread  # the conversion is to hand them over
    assert [s.number for s in one.sop().steps] == [1, 2]  # nobody did: read from the body
    assert [s.number for s in one.sop().steps] == [s.number for s in parse_sop("a.md", text).steps]
    two = snapshot(text)
    two.sop(steps=False)
    two.give_steps(None)  # the conversion did not read them: read from the body
    assert [s.number for s in two.sop().steps] == [1, 2]
    headings = snapshot(heading_sop("1.0", HEADINGS_BODY, "2025-01-10"))
    headings.sop(steps=False)
    assert [s.text for s in headings.sop().steps] == ["1. 检查设备 Check the line", "2. 加热 Heat", "3. 放行 Release"]


def test_given_steps_are_kept_and_known_steps_are_not_replaced():
    text = heading_sop("1.0", "## Procedure\n\n1. Check.\n2. Heat.\n", "2025-01-10")
    one = snapshot(text)
    given = quick_parse("x.md", text).steps[:1]
    one.sop(steps=False)
    one.give_steps(given)
    assert one.sop().steps == given and not one.steps_unread
    one.give_steps([])  # known already: kept
    assert one.sop().steps == given
    one.release()
    assert one.sop() is None and not one.steps_unread
