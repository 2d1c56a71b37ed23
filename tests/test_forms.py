"""Exceptions and forms one tap away (pages/forms.py): report links per exception, blank-form downloads."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import build_site, run_build, sop_text, write_project

from sop_plugin.pages.forms import fill_report_url, template_path

EXTRA = """\
exceptions:
  - {trigger: "LIMS停机 & <无法录入>", action: 使用纸质表单, escalate_to: qa-manager, step: 2}
  - {trigger: No COA, action: Hold the lot}
records:
  - {form: FORM-QC-001-1, retention_years: 5, template: forms/FORM-QC-001-1.xlsx}
  - {form: FORM-QC-001-2}
"""
REPORT = "https://git.example.com/qa/sops/issues/new?title={id}%20v{version}%20{exception}&step={step}&body={url}"


def test_each_exception_has_its_report_link_with_id_version_and_trigger(tmp_path):
    site = build_site(
        tmp_path,
        {"docs/qc/a.md": sop_text(version="2.1", extra=EXTRA), "docs/forms/FORM-QC-001-1.xlsx": "xlsx"},
        "--strict",
        site_url="https://kb.example.com/",
        plugins=["search", {"sop": {"report_url": REPORT}}],
    )
    html = (site / "qc/a/index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a class="sop-exception__report" href="([^"]+)"', html)
    assert len(links) == 2
    first = parse_qs(urlsplit(links[0].replace("&amp;", "&")).query)
    assert first["title"] == ["SOP-QC-001 v2.1 LIMS停机 & <无法录入>"]
    assert first["step"] == ["2"] and first["body"] == ["https://kb.example.com/id/SOP-QC-001/"]
    second = parse_qs(urlsplit(links[1].replace("&amp;", "&")).query, keep_blank_values=True)
    assert second["title"] == ["SOP-QC-001 v2.1 No COA"] and second["step"] == [""]
    # The SOP's general "Report a problem" link: no exception, no step.
    general = re.search(r'class="sop-actions__report" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(general).query)["title"] == ["SOP-QC-001 v2.1 "]
    # the template is linked for download; the second record has none
    assert re.search(r'<a class="sop-record__template" href="\.\./\.\./forms/FORM-QC-001-1\.xlsx" download', html)
    assert (site / "forms/FORM-QC-001-1.xlsx").is_file()
    assert html.count("sop-record__template") == 1
    register = (site / "registers/records/index.html").read_text(encoding="utf-8")
    assert re.search(
        r'<code>FORM-QC-001-1</code> <a class="sop-record__template" href="\.\./\.\./forms/FORM-QC-001-1\.xlsx" download',
        register,
    )


def test_missing_template_is_an_error_naming_the_sop(tmp_path):
    extra = EXTRA + "  - {form: FORM-X, template: ../../etc/passwd}\n"
    write_project(tmp_path, {"docs/qc/a.md": sop_text(extra=extra)})
    result = run_build(tmp_path)
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert any(
        "qc/a.md:" in line
        and "records[0].template" in line
        and "SOP-QC-001" in line
        and "docs/forms/FORM-QC-001-1.xlsx" in line
        for line in errors
    ), errors
    assert any("records[2].template" in line and "must be a file under docs/" in line for line in errors)
    html = (tmp_path / "site/qc/a/index.html").read_text(encoding="utf-8")
    assert "records[0].template" in html  # on the SOP page's problem banner too
    assert 'data-sop-status="draft"' in html  # a faulty SOP is a draft everywhere
    assert run_build(tmp_path, "--strict").returncode != 0


@pytest.mark.parametrize(
    "value, expected",
    [
        ("forms/a.xlsx", "forms/a.xlsx"),
        ("./forms/../a.pdf", "a.pdf"),
        ("../a", None),
        ("/etc/x", None),
        ("https://x/y", None),
        ("C:\\x", None),
        ("", None),
    ],
)
def test_template_paths_stay_under_docs(value, expected):
    assert template_path(value) == expected


def test_report_url_values_are_encoded():
    assert fill_report_url("{title}|{step}|{0}|{}", {"title": "a/b c&d", "step": None}) == "a%2Fb%20c%26d||{0}|{}"


@pytest.mark.browser
def test_exception_link_is_on_screen_on_a_phone(tmp_path, page):
    site = build_site(
        tmp_path,
        {"docs/qc/a.md": sop_text(extra=EXTRA.split("records:")[0])},
        plugins=["search", {"sop": {"report_url": REPORT}}],
    )
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto((site / "qc/a/index.html").as_uri())
    link = page.locator("a.sop-exception__report").first
    link.scroll_into_view_if_needed()
    box = link.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
