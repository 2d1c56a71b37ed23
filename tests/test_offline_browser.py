"""Offline by default: the built example works from a copied folder (file://) and over plain http,
and no request ever leaves the site: search, the SOP directory, an SOP page and its quiz."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from conftest import build_site, sop_text

SOP_PAGE = "qc/incoming-inspection.html"
EXTERNAL_ASSET = re.compile(
    r"""<(?:script|img|iframe|source|video|audio|embed)\b[^>]*\bsrc=["']?(?:https?:)?//"""
    r"""|<link\b[^>]*\bhref=["']?(?:https?:)?//[^>]*>|url\(\s*["']?(?:https?:)?//""",
    re.I,
)


@pytest.fixture
def open_page(shared_context):
    """``open_page(base)``: a page (in a clean :class:`conftest.SharedContext` turn: fresh storage)
    that records every request, and every one that leaves ``base`` (scheme and host)."""
    with shared_context.turn() as context:

        def make(base: str):
            page = context.new_page()
            page.requests, page.outside = [], []
            origin = urlparse(base)

            def check(request):
                url = urlparse(request.url)
                page.requests.append(request.url)
                if url.scheme in ("data", "blob", "about"):
                    return
                if url.scheme != origin.scheme or url.netloc != origin.netloc:
                    page.outside.append(request.url)

            page.on("request", check)
            page.errors = []
            page.on("pageerror", lambda error: page.errors.append(str(error)))
            return page

        yield make


def bases(example_site, serve):
    return {"file": example_site.as_uri() + "/", "http": serve(example_site)}


def test_built_files_reference_no_outside_asset(example_site):
    offenders = []
    for path in example_site.rglob("*"):
        if path.suffix in (".html", ".css") and path.is_file():
            for match in EXTERNAL_ASSET.finditer(path.read_text(encoding="utf-8", errors="replace")):
                offenders.append(f"{path.relative_to(example_site)}: {match.group(0)[:80]}")
    assert offenders == []
    index = (example_site / "index.html").read_text(encoding="utf-8")
    assert '<script src="assets/sop/vendor/iframe-worker/shim.js"></script>' in index
    assert (example_site / "assets/sop/vendor/iframe-worker/LICENSE").is_file()
    assert (example_site / "search/search_index.js").is_file()  # Material's offline plugin: file:// search
    assert "squidfunk.github.io" not in index  # extra.generator defaults to false


@pytest.mark.browser
@pytest.mark.parametrize("how", ["file", "http"])
def test_search_directory_sop_page_and_quiz_without_leaving_the_site(open_page, example_site, serve, how):
    base = bases(example_site, serve)[how]
    page = open_page(base)
    try:
        # search, from the home page
        page.goto(base + "index.html")
        box = page.locator("input.md-search__input")  # from file://, focusing it starts the search worker
        box.fill("SOP-QC-012")
        box.press("End")
        first = page.locator(".md-search-result__item > a").first
        first.wait_for(timeout=20000)
        assert SOP_PAGE in first.get_attribute("href")
        first.click()
        page.wait_for_url(re.compile(re.escape(SOP_PAGE)))

        # the SOP page: header card, control points, build stamp
        assert page.locator("header.sop-header").get_attribute("data-sop-id") == "SOP-QC-012"
        assert page.locator("[data-control-point]").count() >= 1
        assert page.locator(".sop-build-stamp").inner_text().strip()

        # its quiz
        quiz = page.locator('div.sop-quiz[data-quiz="qc-incoming-inspection"]')
        if quiz.count():
            learner = page.locator(".sopq-learner").first
            learner.locator("input").first.fill("Offline Tester")
            learner.locator("button[type=submit]").click()
            questions = quiz.locator("fieldset.sopq-q")
            questions.first.wait_for()
            for fieldset in questions.all():
                choice = fieldset.locator("input[type=radio], input[type=checkbox]")
                if choice.count():
                    choice.first.check()
            quiz.locator(".sopq-submit").click()
            page.wait_for_function(
                "document.querySelector('div.sop-quiz[data-quiz=\"qc-incoming-inspection\"]').dataset.quizState !== 'new'"
            )
            assert quiz.get_attribute("data-quiz-state") in ("passed", "failed")

        # the directory: filter by typing, by department, and sort
        page.goto(base + "directory/index.html")
        page.wait_for_selector("[data-directory-ready]")
        rows = page.locator("[data-directory-table] tbody tr")
        total = rows.count()
        assert total >= 20
        page.fill("[data-directory-filter] input[data-filter=q]", "qc-012")
        visible = page.locator("[data-directory-table] tbody tr:not([hidden])")
        assert visible.count() == 1 and visible.first.get_attribute("data-sop-ref") == "SOP-QC-012"
        assert "#q=qc-012" in page.url
        page.fill("[data-directory-filter] input[data-filter=q]", "")
        page.select_option("[data-directory-filter] select[data-filter=department]", "QC")
        assert 0 < visible.count() < total
        assert all(
            ref.startswith("SOP-QC-")
            for ref in visible.evaluate_all("rows => rows.map(r => r.getAttribute('data-sop-ref'))")
        )
        page.click("button[data-sort=next_review]")
        page.click("button[data-sort=next_review]")  # twice: latest first
        dates = [d for d in visible.evaluate_all("rs => rs.map(r => r.cells[7].textContent)") if d != "—"]
        assert dates == sorted(dates, reverse=True)
        visible.first.locator("a").first.click()
        page.wait_for_selector("header.sop-header")

        assert page.errors == []
        assert page.outside == [], page.outside
        assert any(u.startswith(base) for u in page.requests)
    finally:
        page.close()


@pytest.mark.browser
def test_a_site_without_the_offline_plugin_requests_nothing_outside_either(open_page, tmp_path, serve):
    site = build_site(tmp_path, {"docs/qc/a.md": sop_text("SOP-QC-001", "来料检验")}, "--strict")
    base = serve(site)
    page = open_page(base)
    try:
        page.goto(base + "qc/a/")
        page.locator("input.md-search__input").fill("来料")
        page.locator("input.md-search__input").press("End")
        page.locator(".md-search-result__item").first.wait_for(timeout=20000)
        assert page.outside == [], page.outside
    finally:
        page.close()


def test_google_fonts_and_other_outside_assets_are_warned_about(tmp_path):
    from conftest import run_build, write_project

    write_project(
        tmp_path,
        {"docs/qc/a.md": sop_text("SOP-QC-001", "A")},
        theme={"name": "material", "font": {"text": "Roboto"}},
        extra_javascript=["https://cdn.example.com/x.js"],
    )
    result = run_build(tmp_path, "--strict")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "theme.font" in output and "https://cdn.example.com/x.js" in output


@pytest.mark.parametrize("plugins", [["search", "offline", "sop"], ["sop", "offline", "search"]])
def test_the_vendored_shim_replaces_unpkg_in_either_plugin_order(tmp_path, plugins):
    site = build_site(tmp_path, {"docs/qc/a.md": sop_text("SOP-QC-001", "来料检验")}, "--strict", plugins=plugins)
    html = (site / "qc/a.html").read_text(encoding="utf-8")  # the offline plugin: no directory URLs
    assert "unpkg.com" not in html
    assert '<script src="../assets/sop/vendor/iframe-worker/shim.js"></script>' in html
    assert (site / "assets/sop/vendor/iframe-worker/shim.js").read_bytes().startswith(b'"use strict";')
