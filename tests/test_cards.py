"""Workstation, line and site cards (pages/cards.py), built from a real git repository.

At the build date: SOP-QC-001 is in force at L2-05 (1.0); SOP-QC-002's working tree (2.0, naming
L2-05 too) is upcoming while 1.0 (naming L2-06 only) is in force; SOP-QC-003 is superseded;
SOP-QC-004 is a new SOP whose first version is upcoming; SOP-QC-005 applies everywhere.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_build, sop_text, write_project
from test_history import SMITH, WANG, Repo

BUILD_DATE = "2026-03-01"


def where(ws: str, sites: str = "[suzhou]", line: str = "[L2]") -> str:
    return f"applies_to: {{sites: {sites}, lines: {line}, workstations: {ws}}}\n"


CP = (
    "control_points:\n  - {id: CCP-1, kind: CCP, step: 2, parameter: 中心温度, limit: '>= 72 °C', "
    "corrective_action: 隔离该批次并通知QA, monitoring: {how: 探针测温, frequency: 每批, who: qc-inspector}}\n"
)


def make_repo(root: Path, **sop_options) -> Repo:
    repo = Repo(root)
    options = {"build_date": BUILD_DATE, "qr_base_url": "http://sop.plant.local/", **sop_options}
    write_project(root, {}, plugins=["search", {"sop": options}])
    repo.commit(
        "create",
        {
            "qc/a.md": sop_text("SOP-QC-001", "巴氏杀菌", extra=where("[L2-05]") + CP),
            "qc/b.md": sop_text("SOP-QC-002", "取样", extra=where("[L2-06]")),
            "qc/c.md": sop_text("SOP-QC-003", "旧程序", status="superseded", extra=where("[L2-05]")),
            "qc/e.md": sop_text("SOP-QC-005", "通用卫生"),
            "qc/f.md": sop_text("SOP-QC-006", "无锡程序", extra=where("[WX-01]", sites="[wuxi]", line="[W1]")),
        },
        author=WANG,
        date="2025-01-05T09:00:00+08:00",
    )
    repo.commit(
        "upcoming",
        {
            "qc/b.md": sop_text(
                "SOP-QC-002", "取样", version="2.0", effective_date="2026-06-01", extra=where("[L2-05]")
            ),
            "qc/d.md": sop_text("SOP-QC-004", "新程序", effective_date="2026-05-01", extra=where("[L2-05]")),
        },
        author=SMITH,
        date="2026-02-15T09:00:00+08:00",
    )
    return repo


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cards")
    make_repo(root)
    result = run_build(root, "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "site"


def listed(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-card-sop="([^"]+)" data-card-version="([^"]+)"', html))


def test_a_card_lists_exactly_the_sops_in_force_at_its_station(built):
    html = (built / "cards/workstation-L2-05/index.html").read_text(encoding="utf-8")
    # 001 in force; 002 names L2-05 only in its upcoming 2.0; 003 superseded; 004 not yet in force.
    assert listed(html) == {"SOP-QC-001": "1.0"}
    html06 = (built / "cards/workstation-L2-06/index.html").read_text(encoding="utf-8")
    assert listed(html06) == {"SOP-QC-002": "1.0"}  # the version in force, not the upcoming 2.0
    line = (built / "cards/line-L2/index.html").read_text(encoding="utf-8")
    assert listed(line) == {"SOP-QC-001": "1.0", "SOP-QC-002": "1.0"}


def test_a_card_carries_control_points_limits_and_what_to_do(built):
    html = (built / "cards/workstation-L2-05/index.html").read_text(encoding="utf-8")
    point = html[html.index('data-card-point="SOP-QC-001/CCP-1"') :]
    point = point[: point.index("</li>")]
    assert "&gt;= 72 °C" in point and "隔离该批次并通知QA" in point and "探针测温" in point
    assert 'data-sop-qr="http://sop.plant.local/id/SOP-QC-001/"' in html
    item = html[html.index('data-card-sop="SOP-QC-001"') :].split("</li>")[0]
    assert '<svg role="img" focusable="false" aria-label="QR: http://sop.plant.local/id/SOP-QC-001/"' in item
    assert 'class="sop-qr__code"' in item


def test_cards_index_lists_every_card_and_the_ones_to_reprint(built):
    html = (built / "cards/index.html").read_text(encoding="utf-8")
    refs = re.findall(r'data-card-ref="([^"]+)"', html)
    assert refs == [
        "cards/workstation-L2-05.md",
        "cards/workstation-L2-06.md",
        "cards/workstation-WX-01.md",
        "cards/line-L2.md",
        "cards/line-W1.md",
        "cards/site-suzhou.md",
        "cards/site-wuxi.md",
    ]
    assert "data-register-filter" in html and "registers.js" in html
    # SOP-QC-002 was revised 14 days before the build: its cards are to be reprinted.
    reprint = html[html.index("data-cards-reprint") :]
    assert "L2-06" in reprint.split("</div>")[0]
    changes = (built / "changes/index.html").read_text(encoding="utf-8")
    note = changes[changes.index('class="sop-changes__cards"') :].split("</p>")[0]
    assert 'href="../cards/workstation-L2-06/"' in note and 'href="../cards/"' in note


def test_plant_copy_cards_only_for_that_plant(tmp_path):
    make_repo(tmp_path, site_filter="suzhou")
    result = run_build(tmp_path, "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    cards = sorted(p.name for p in (tmp_path / "site/cards").iterdir())
    assert "site-wuxi" not in cards and "workstation-WX-01" not in cards and "line-W1" not in cards
    assert "site-suzhou" in cards and "workstation-L2-05" in cards


def test_hostile_place_names_are_refused_and_nothing_leaves_the_site(tmp_path):
    """A workstation id becomes a card's file name: an unsafe one is an error naming the file and field
    (issue 11: ids that become paths are checked, never rewritten), and no card is written for it."""
    hostile = '"<script>alert(1)</script>/../../x"'
    write_project(
        tmp_path,
        {
            "docs/qc/a.md": sop_text(
                "SOP-QC-001", "T", extra=f"applies_to: {{workstations: [{hostile}, 'L2/05', L2-05]}}\n"
            )
        },
        plugins=["search", {"sop": {"build_date": BUILD_DATE}}],
    )
    result = run_build(tmp_path, "--strict")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "qc/a.md" in result.stderr and "applies_to.workstations" in result.stderr
    assert not (tmp_path / "x").exists() and not (tmp_path.parent / "x").exists()
    lenient = run_build(tmp_path)
    site = tmp_path / "site"
    assert lenient.returncode == 0, lenient.stderr
    names = sorted(p.name for p in (site / "cards").iterdir()) if (site / "cards").exists() else []
    assert not any("script" in n or "x" == n for n in names)
    for page in site.rglob("*.html"):
        assert "<script>alert(1)" not in page.read_text(encoding="utf-8")
