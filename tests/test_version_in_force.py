"""The version in force, on the day before, the day of and the day after an upcoming version's
effective date (the plugin's ``build_date``), with real git history and with the changes log only.

While 2.0 is upcoming the SOP's page shows 1.1 (in force) and links straight to 2.0; the history
labels 2.0 upcoming, 1.1 in force, 1.0 superseded. From the switch day on, the page shows 2.0 and
1.1 is an archived, superseded version. The history names the ``changes`` entry's ``author`` and
``approved_by`` when it has them, else the git author.
"""

from __future__ import annotations

import re

import pytest
from conftest import run_build, sop_text, write_project
from test_history import LI, SMITH, WANG, Repo

SWITCH = "2026-06-01"
LOG = [
    '  - {version: "1.1", date: 2025-06-01, summary: 措辞, reason: 简化}\n',
    '  - {version: "2.0", date: 2026-05-01, summary: 新限值, reason: 审计 AUD-2026-02, author: 赵磊, approved_by: 李强}\n',
]
STATE = re.compile(r'data-history-version="([^"]+)" data-history-state="([^"]+)"')


def sop(version: str, effective: str, log: list[str], step: str) -> str:
    extra = "changes:\n" + "".join(log) if log else ""
    text = sop_text("SOP-QC-001", "巴氏杀菌", extra=extra, effective_date=effective, body=f"## 程序\n\n1. {step}\n")
    return text.replace('version: "1.0"', f'version: "{version}"').replace(
        'changes:\n  - {version: "1.0", date: 2026-01-01, summary: update}\n', ""
    )


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Repo:
    repo = Repo(tmp_path_factory.mktemp("switch") / "repo")
    repo.commit("1.0", {"qc/a.md": sop("1.0", "2025-01-10", [], "加热至 72 °C。"), "index.md": "# Home\n"}, author=WANG)
    repo.commit("1.1", {"qc/a.md": sop("1.1", "2025-06-10", LOG[:1], "加热至 72 °C 并保持。")}, author=SMITH)
    repo.commit("2.0", {"qc/a.md": sop("2.0", SWITCH, LOG, "加热至 75 °C 并保持 15 秒。")}, author=LI)
    return repo


def build(root, build_date: str, history: bool = True):
    write_project(root, {}, plugins=["search", {"sop": {"build_date": build_date, "history": history}}])
    result = run_build(root, "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "site"


@pytest.mark.parametrize(
    ("day", "shown", "states"),
    [
        ("2026-05-31", "1.1", {"2.0": "upcoming", "1.1": "effective", "1.0": "superseded"}),
        (SWITCH, "2.0", {"2.0": "effective", "1.1": "superseded", "1.0": "superseded"}),
        ("2026-06-02", "2.0", {"2.0": "effective", "1.1": "superseded", "1.0": "superseded"}),
    ],
)
def test_switch_day(repo, day, shown, states):
    site = build(repo.root, day)
    page = (site / "qc/a/index.html").read_text(encoding="utf-8")
    assert f'data-sop-version="{shown}"' in page
    assert dict(STATE.findall(page)) == states
    history = page[page.index('id="history"') :]
    assert "赵磊" in history and "李强" in history  # the changes entry's author and approver
    assert "Ann Smith" in history  # 1.1 has no author in its entry: the git author
    if shown == "1.1":
        assert "加热至 72 °C 并保持。" in page
        link = re.search(r'<a href="([^"]+)" data-sop-upcoming="2.0"', page).group(1)
        assert link.endswith("id/SOP-QC-001/v2.0/")  # the upcoming version one click away
        upcoming = (site / "id/SOP-QC-001/v2.0/index.html").read_text(encoding="utf-8")
        assert "加热至 75 °C 并保持 15 秒。" in upcoming and "data-sop-current" in upcoming  # and back
    else:
        assert "加热至 75 °C 并保持 15 秒。" in page and "data-sop-upcoming" not in page
        archived = (site / "id/SOP-QC-001/v1.1/index.html").read_text(encoding="utf-8")
        assert "data-sop-archived" in archived


def test_changes_log_only_still_names_the_version_in_force(tmp_path):
    """history: false (no git text of 1.1): the page is 2.0's, but the history says 1.1 is in force
    and the banner leads to it."""
    root = tmp_path / "kb"
    (root / "docs/qc").mkdir(parents=True)
    (root / "docs/qc/a.md").write_text(sop("2.0", SWITCH, LOG, "加热至 75 °C。"), encoding="utf-8")
    site = build(root, "2026-05-31", history=False)
    page = (site / "qc/a/index.html").read_text(encoding="utf-8")
    assert dict(STATE.findall(page)) == {"2.0": "upcoming", "1.1": "effective"}
    banner = page[page.index("sop-banner--upcoming") :][:600]
    assert 'href="#history"' in banner
