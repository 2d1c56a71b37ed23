"""Numbers that agree across the built example site (sop_plugin/pages/progress.py).

The roles overview, each role page, "my training" and the control-point register count the same
things; owners are one person per handle; a learner's "read and understood" counts like a passed
quiz, is bound to the SOP's MAJOR version and is in the downloaded records; My training remembers
the learner's role.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from floor_support import served

ROW = re.compile(r'<tr data-role-row="([^"]+)">(.*?)</tr>', re.S)
CELL = re.compile(r"<td>(.*?)</td>", re.S)


def read(site, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


def overview(site) -> dict[str, tuple[int, int]]:
    """role id -> (control points, onboarding) from the roles overview's last two columns."""
    found = {}
    for role_id, cells in ROW.findall(read(site, "roles/index.html")):
        values = CELL.findall(cells)
        found[role_id] = (int(values[-2]), int(values[-1]))
    return found


def onboarding_items(html: str, start: str, end: str) -> list[str]:
    part = html[html.index(start) :]
    part = part[: part.index(end)] if end in part else part
    return re.findall(r'<li data-training-quiz="([^"]+)"', part)


def test_onboarding_counted_alike_on_overview_role_pages_and_my_training(example_site):
    counts = overview(example_site)
    mine = read(example_site, "training/index.html")
    checked = 0
    for role_id, (_, onboarding) in counts.items():
        role_html = read(example_site, f"roles/{role_id}.html")
        on_role_page = onboarding_items(role_html, 'class="sop-onboarding"', "</ol>")
        assert len(on_role_page) == onboarding, role_id
        if onboarding:
            on_my_training = onboarding_items(mine, f'id="role-{role_id}"', "</details>")
            assert on_my_training == on_role_page, role_id
            checked += 1
    assert checked >= 10
    # Every SOP of the list counts: the shift supervisor's 7 include SOPs without a quiz.
    supervisor = onboarding_items(read(example_site, "roles/shift-supervisor.html"), 'class="sop-onboarding"', "</ol>")
    assert len(supervisor) == counts["shift-supervisor"][1] == 7
    assert any(key.startswith("ack:") for key in supervisor) and any(not key.startswith("ack:") for key in supervisor)


def test_control_points_of_a_role_match_the_register(example_site):
    register = read(example_site, "registers/control-points.html")
    rows = re.findall(r'<tr [^>]*data-register-cp="[^"]+"[^>]*data-roles="([^"]*)"', register)
    assert len(rows) >= 20
    for role_id, (points, _) in overview(example_site).items():
        in_register = sum(1 for roles in rows if role_id in roles.split())
        link = re.search(
            rf'href="[^"]*control-points\.html#roles={re.escape(role_id)}">([^<]*)</a>',
            read(example_site, f"roles/{role_id}.html"),
        )
        assert int(re.search(r"\d+", link.group(1)).group()) == points == in_register, role_id


def test_owners_are_one_person_per_handle(example_site):
    owners = read(example_site, "owners/index.html")
    keys = re.findall(r'<tr data-owner="([^"]+)">', owners)
    assert len(keys) == len(set(keys))
    row = re.search(r'<tr data-owner="@chenjing">(.*?)</tr>', owners, re.S).group(1)
    assert "陈静" in row and "Chen Jing" in row
    reviews = read(example_site, "reviews/index.html")
    labels = re.findall(r'<tr data-review-owner="([^"]+)">', reviews)
    assert len(labels) == len(set(labels))
    assert not any(label in ("Chen Jing", "陈静") for label in labels)  # never two rows for one person
    # Chinese headings count in full-width brackets: "已逾期（1）", never "已逾期 (1)".
    headings = re.findall(r'<h2 id="(?:overdue|due30|due90)">([^<]+)</h2>', reviews)
    assert len(headings) == 3 and all(re.fullmatch(r"[^()]+（\d+）", h) for h in headings), headings


@pytest.mark.browser
def test_read_and_understood_counts_and_is_recorded(new_page, example_site, tmp_path):
    with served(example_site) as base:
        page = new_page()  # a clean profile that accepts downloads (conftest.SharedContext)
        try:
            page.goto(base + "roles/shift-supervisor.html")
            progress = page.locator("[data-training-progress]").first
            assert progress.get_attribute("data-total") == "7" and progress.get_attribute("data-done") == "0"
            ack_item = page.locator("li[data-training-ack]").first
            sop_id = ack_item.get_attribute("data-sop-id")
            major = ack_item.get_attribute("data-sop-major")
            ack_item.locator("a[data-sop-ref]").first.click()
            page.wait_for_selector("[data-sop-ack] .sopq-ack")
            assert page.locator("#sop-training").count() == 1
            assert page.locator(".md-sidebar--secondary a[href='#sop-training']").count() == 1  # in the TOC
            page.fill(".sopq-learner input[name=name]", "李娜")
            page.press(".sopq-learner input[name=name]", "Enter")
            page.click("[data-sop-ack] .sopq-ack")
            assert page.locator("[data-sop-ack] .sopq-badge").inner_text() in ("已阅读并理解", "Read and understood")
            page.goto(base + "training/index.html")
            row = page.locator("details#role-shift-supervisor [data-training-progress]")
            assert row.get_attribute("data-done") == "1" and row.get_attribute("data-total") == "7"
            records = page.evaluate("sopQuiz.results()")
            ack = next(r for r in records if r["quiz"] == f"ack:{sop_id}")
            assert ack["kind"] == "ack" and str(ack["major"]) == major and ack["passed"] is True
            with page.expect_download() as download:
                page.click("[data-sop-records] [data-download=csv]")
            text = download.value.path().read_text(encoding="utf-8-sig")
            line = next(r for r in csv.DictReader(io.StringIO(text)) if r["quiz"] == f"ack:{sop_id}")
            assert line["kind"] == "ack" and line["passed"] == "true"
            # The role picker: the choice is kept across visits, and only that role's list shows.
            page.select_option("[data-training-role-select]", "shift-supervisor")
            page.reload()
            assert page.locator("[data-training-role-select]").input_value() == "shift-supervisor"
            assert page.locator("details.sop-training-role:not([hidden])").count() == 1
        finally:
            page.close()
