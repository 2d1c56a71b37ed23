"""Steps and their control points on the SOP page (issue 13):

- a control point on step 0 (a list written from ``0.``) links to its step: the template checks
  ``is not none``, not truthiness;
- a numbered heading as a step (``#### 5.1 ...``) that carries control points looks like a list
  step that does: the red bar and tint, the badges linking to the control point, on a phone, a
  desktop and in print.

Real MkDocs + Material builds, real Chromium.
"""

from __future__ import annotations

import pytest
from conftest import build_site, sop_text

CPS = """\
roles:
  - {role: qc-inspector, raci: R, steps: [1, "5.1"]}
control_points:
  - {id: CCP-1, kind: CCP, step: "5.1", parameter: 中心温度, limit: "≥ 72 °C, 15 s", corrective_action: 隔离该批次}
  - {id: KCP-2, kind: KCP, step: 1, parameter: 收货温度, limit: "≤ 4 °C", corrective_action: 拒收}
"""
HEADINGS = sop_text(
    "SOP-QC-001",
    "巴氏杀菌",
    extra=CPS,
    body=(
        "## 程序\n\n### 1. 收货 Receive the delivery\n\n核对送货单并测量温度。\n\n"
        "### 5. 加热 Heating\n\n#### 5.1 加热至规定温度 Heat to temperature\n\n保持 15 秒并记录。\n\n"
        "#### 5.2 冷却 Cool\n\n冷却至 4 °C。\n"
    ),
)
ZERO = sop_text(
    "SOP-QC-002",
    "Step zero",
    extra=(
        "roles:\n  - {role: qc-inspector, raci: R, steps: [0, 1]}\n"
        "control_points:\n  - {id: CCP-1, kind: CCP, step: 0, parameter: Gloves on, limit: always, corrective_action: stop}\n"
    ),
    body="## Procedure\n\n0. Put on gloves.\n1. Weigh the sample.\n2. Record.\n",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("steps")
    return build_site(
        root,
        {"docs/qc/headings.md": HEADINGS, "docs/qc/zero.md": ZERO},
        "--strict",
        theme={"name": "material", "font": False, "language": "en"},
        plugins=["search", {"sop": {"build_date": "2026-03-01"}}],
        use_directory_urls=False,
    )


def test_a_control_point_on_step_0_links_to_its_step(site):
    html = (site / "qc/zero.html").read_text(encoding="utf-8")
    assert '<a class="sop-cp__step" href="#step-0" data-search-exclude>Step 0</a>' in html
    assert 'id="step-0"' in html


STYLE = """e => { const s = getComputedStyle(e);
  return [s.borderLeftStyle, s.borderLeftColor, s.backgroundColor]; }"""


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1366])
def test_a_heading_step_with_control_points_looks_like_a_list_step(new_page, site, serve, width):
    base = serve(site)
    page = new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(base + "qc/zero.html")
        list_look = page.locator("li.sop-step--control").evaluate(STYLE)
        assert list_look[0] == "solid" and list_look[2] != "rgba(0, 0, 0, 0)"
        page.goto(base + "qc/headings.html")
        for step, cp in (("1", "KCP-2"), ("5.1", "CCP-1")):
            heading = page.locator(f'[data-step="{step}"]')
            assert heading.evaluate("e => e.tagName") in ("H3", "H4")
            assert heading.evaluate(STYLE) == list_look  # the same bar and tint
            marks = page.locator(f'[data-step="{step}"] + p.sop-cp-marks-line')
            assert marks.evaluate(STYLE) == list_look  # the badges' line continues the bar
            badge = marks.locator(f'a.sop-cp-badge[href="#cp-{cp}"]')
            assert badge.inner_text() == cp and badge.is_visible()
            # the heading and its badges touch: one block, as a list item is
            gap = page.evaluate(
                """([h, m]) => m.getBoundingClientRect().top - h.getBoundingClientRect().bottom""",
                [heading.element_handle(), marks.element_handle()],
            )
            assert abs(gap) < 1, gap
            badge.click()
            assert page.evaluate("location.hash") == f"#cp-{cp}"
            assert page.locator(f"#cp-{cp}").is_visible()
            # the control point links back to its step, which exists
            back = page.locator(f"#cp-{cp} a.sop-cp__step")
            assert back.get_attribute("href") == f"#step-{step}" and page.locator(f'[id="step-{step}"]').count() == 1
        plain = page.locator('[data-step="5.2"]')  # a heading step without control points stays plain
        assert plain.evaluate(STYLE)[0] == "none"
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    finally:
        page.close()


@pytest.mark.browser
def test_in_print_the_heading_keeps_its_badges_and_colours(new_page, site, serve):
    page = new_page()
    try:
        page.goto(serve(site) + "qc/headings.html")
        page.emulate_media(media="print")
        heading = page.locator('[data-step="5.1"]')
        assert heading.evaluate("e => getComputedStyle(e).breakAfter") == "avoid"
        assert heading.evaluate("e => getComputedStyle(e).printColorAdjust") == "exact"
        marks = page.locator('[data-step="5.1"] + p.sop-cp-marks-line')
        assert marks.evaluate("e => getComputedStyle(e).breakAfter") == "avoid"
        assert marks.locator(".sop-cp-badge").is_visible()
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF")
    finally:
        page.close()
