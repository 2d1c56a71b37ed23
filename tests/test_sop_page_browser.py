"""The example knowledge base in real Chromium: header, control points, print layout, no outside requests."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SOP_PAGE = "qc/incoming-inspection.html"


def open_sop(page, example_site, serve, how: str):
    base = example_site.as_uri() + "/" if how == "file" else serve(example_site)
    page.goto(base + SOP_PAGE)
    return page


@pytest.mark.parametrize("how", ["file", "http"])
def test_sop_page_shows_header_and_control_points(page, example_site, serve, how):
    open_sop(page, example_site, serve, how)
    header = page.locator("header.sop-header")
    assert header.get_attribute("data-sop-id") == "SOP-QC-012"
    assert header.get_attribute("data-sop-status") == "effective"
    assert header.get_attribute("data-sop-version")
    assert header.is_visible()
    # Each control point in the table, and its badge inside the step it belongs to.
    points = page.locator("[data-control-point]")
    assert points.count() >= 1
    first = points.first.get_attribute("data-control-point")
    badge = page.locator(f'li[data-step] a[data-cp-ref="{first}"]')
    assert badge.count() == 1 and badge.is_visible()
    assert badge.get_attribute("href") == f"#cp-{first}"
    badge.click()
    # The click lands on the control point (the URL's hash may move on: Material's anchor tracking
    # replaces it with the heading scrolled to, so the hash is not what to check).
    expect(page.locator(f"#cp-{first}")).to_be_in_viewport()
    assert page.external == [], page.external


def test_print_layout_hides_navigation_and_stamps_every_page(page, example_site, serve):
    open_sop(page, example_site, serve, "http")
    page.emulate_media(media="print")
    assert not page.locator(".md-header").is_visible()
    assert not page.locator(".md-sidebar--primary").is_visible()
    stamp = page.locator(".sop-print-stamp")
    assert stamp.is_visible()
    assert stamp.evaluate("e => getComputedStyle(e).position") == "fixed"  # repeated on every printed page
    text = stamp.inner_text()
    assert "SOP-QC-012" in text and "打印件为非受控文件" in text
    assert page.locator("[data-sop-printed]").inner_text().count("-") == 2  # today's date, filled in by the browser
    page.emulate_media(media="screen")
    assert not stamp.is_visible()


def test_sop_id_address_opens_the_current_page(page, example_site, serve):
    base = serve(example_site)
    page.goto(base + "id/SOP-QC-012/")
    page.wait_for_url("**/qc/incoming-inspection.html")
    assert page.locator("header.sop-header").get_attribute("data-sop-id") == "SOP-QC-012"
    page.goto(example_site.as_uri() + "/id/SOP-QC-012/index.html")
    page.wait_for_url("**/qc/incoming-inspection.html")
    assert page.external == []
