"""Archived versions through the light path (issue 14): one conversion with the site's Markdown,
the light template ``archive/page.html``, written in on_files; what the contract promises stays.

Real git repositories and real MkDocs + Material builds in tmp_path (``test_history_pages``'s
knowledge base), and Chromium from file://.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_build
from test_history_pages import make_repo, read


@pytest.fixture(scope="module")
def zh_site(tmp_path_factory) -> Path:
    """The knowledge base in Chinese, with a palette, built with --strict."""
    root = tmp_path_factory.mktemp("kb-zh")
    make_repo(
        root,
        theme={"name": "material", "font": False, "language": "zh", "palette": {"primary": "teal", "accent": "red"}},
    )
    result = run_build(root, "--strict")
    assert result.returncode == 0, result.stderr
    return root / "site"


def test_an_archived_page_is_light_and_keeps_what_the_contract_promises(zh_site):
    html = read(zh_site, "id/SOP-QC-001/v1.0/index.html")
    # The light template: the site's stylesheets and palette, the site name, no navigation, no scripts of the theme.
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)">', html)
    assert any(re.fullmatch(r"\.\./\.\./\.\./assets/stylesheets/main\.[0-9a-f]+\.min\.css", s) for s in sheets)
    assert any("palette." in s for s in sheets) and "../../../assets/sop/sop.css" in sheets
    for sheet in sheets:
        assert (zh_site / "id/SOP-QC-001/v1.0" / sheet).resolve().is_file(), sheet
    assert 'data-md-color-primary="teal" data-md-color-accent="red"' in html
    assert '<html lang="zh">' in html and ">Test KB</a>" in html and 'href="../../../"' in html
    assert "md-nav" not in html and "md-search" not in html and "assets/javascripts/bundle" not in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)  # nothing from outside the site
    # The contract: header element data, the banner in Chinese with the current version's link,
    # the print line, the page title, the build stamp.
    assert 'data-sop-id="SOP-QC-001" data-sop-version="1.0" data-sop-status="superseded"' in html
    banner = re.search(r'<div class="sop-banner sop-banner--archived"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert (
        "已被替代 — 现行版本为 2.0" in banner and 'href="../../../qc/%E5%B7%B4%E6%B0%8F%E6%9D%80%E8%8F%8C/"' in banner
    )
    assert re.search(r'class="sop-print-stamp"[^>]*>SOP-QC-001 · [^<]+ 1\.0 · [^<]+ 2025-01-10 · ', html)
    assert "<title>巴氏杀菌（1.0 版） - Test KB</title>" in html and "<h1>巴氏杀菌（1.0 版）</h1>" in html
    assert 'class="sop-build-stamp" data-sop-commit="' in html
    # The version's own body, converted with the site's Markdown (its links rewritten from qc/).
    assert "保持旧式措辞" in html and 'href="../../../qc/cleaning/"' in html and 'id="step-1"' in html


def test_archived_pages_are_in_no_sitemap_search_or_navigation(zh_site):
    assert "id/SOP-QC-001/v1.0" not in read(zh_site, "sitemap.xml")
    assert "v1.0" not in read(zh_site, "search/search_index.json")
    assert "id/SOP-QC-001/v1.0" not in read(zh_site, "qc/巴氏杀菌/index.html").split('class="sop-history"')[0]


def test_the_upcoming_version_takes_the_light_path_too(zh_site):
    html = read(zh_site, "id/SOP-QC-002/v2.0/index.html")
    assert "按新方案 AQL 取样" in html and "md-nav" not in html
    assert re.search(r'data-sop-version="2.0" data-sop-status="upcoming"', html)


def test_an_archived_page_from_file_loads_its_styles_and_nothing_outside(zh_site, page):
    page.goto((zh_site / "id/SOP-QC-001/v1.1/index.html").as_uri())
    page.wait_for_load_state("load")
    assert page.evaluate("document.styleSheets.length") >= 4
    colour = page.evaluate("getComputedStyle(document.querySelector('.sop-banner--archived')).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")  # sop.css applies
    assert page.external == []
