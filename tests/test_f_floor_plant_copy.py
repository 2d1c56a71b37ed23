"""A plant copy names an SOP it leaves out once, cleanly: "SOP-QC-102（不在本副本中）" in Chinese,
"SOP-QC-102 (not part of this copy)" in English (issue 13: the home page showed
"SOP-PROD-010 (不在本副本中)（SOP-PROD-010）").

Real builds with ``site_filter``/``access_level`` (and the example site with ``SOP_SITE``), every
way a left-out SOP is named: ``[[SOP-ID]]`` in a body, a hand-written Markdown link to its page,
the SOP header's ``references``.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from conftest import ROOT, build_site, run_build, sop_text

ROLES = """\
departments:
  - {id: QC, name: {zh: 质量控制, en: Quality Control}}
roles:
  - {id: qc-inspector, name: {zh: QC检验员, en: QC Inspector}, department: QC, onboarding: [SOP-QC-101, SOP-QC-102]}
  - {id: qa-manager, name: {zh: QA经理, en: QA Manager}, department: QC}
"""
FILES = {
    "docs/qc/kept.md": sop_text(
        "SOP-QC-101",
        "Sieve check",
        extra="applies_to: {sites: [suzhou]}\nreferences: [SOP-QC-102]\n",
        body="Before you start, read [[SOP-QC-102]].\n\n## Procedure\n\n1. Weigh the sample.\n",
    ),
    "docs/qc/other-site.md": sop_text("SOP-QC-102", "Boiler blowdown", extra="applies_to: {sites: [shanghai]}\n"),
    "docs/index.md": "# Home\n\n- [[SOP-QC-102]]\n- [Boiler blowdown](qc/other-site.md)\n- [[SOP-QC-101]]\n",
}
MARKED = {
    "zh": "SOP-QC-102（不在本副本中）",
    "en": "SOP-QC-102 (not part of this copy)",
}
SPAN = re.compile(r'<span class="sop-ref sop-ref--missing" data-sop-ref="([^"]+)">(.*?)</span>', re.S)


def text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


@pytest.fixture(scope="module", params=["zh", "en"])
def copy(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"copy-{request.param}")
    site = build_site(
        root,
        FILES,
        "--strict",
        roles=ROLES,
        theme={"name": "material", "font": False, "language": request.param},
        plugins=["search", {"sop": {"site_filter": "suzhou", "build_date": "2026-03-01"}}],
    )
    return request.param, site


def test_each_way_of_naming_a_left_out_sop_reads_once_and_cleanly(copy):
    lang, site = copy
    pages = {
        "home": "index.html",  # [[SOP-QC-102]] and a hand-written link
        "sop": "qc/kept/index.html",  # [[SOP-QC-102]] in the body, references in the header
    }
    for name, path in pages.items():
        html = (site / path).read_text(encoding="utf-8")
        spans = [(ref, text(inner)) for ref, inner in SPAN.findall(html)]
        assert spans, (lang, name)
        assert all(shown == MARKED[lang] for ref, shown in spans if ref == "SOP-QC-102"), (lang, name, spans)
        article = text(html.split('<article class="md-content__inner', 1)[1].split("</article>", 1)[0])
        # Nowhere the id twice in a row, nor the other language's brackets.
        assert "SOP-QC-102 (不在" not in article and "SOP-QC-102（not" not in article, (lang, name)
        for line in article.splitlines():
            if "SOP-QC-102" in line:
                assert line.count("SOP-QC-102") == 1 and MARKED[lang] in line, (lang, name, line)
    home = text((site / "index.html").read_text(encoding="utf-8"))
    assert home.count(MARKED[lang]) == 2  # the [[...]] link and the hand-written link


def test_the_reason_is_not_struck_through(copy, new_page, serve):
    lang, site = copy
    page = new_page()
    try:
        page.goto(serve(site) + "index.html")
        span = page.locator('.sop-ref--missing[data-sop-ref="SOP-QC-102"]').first
        assert span.inner_text() == MARKED[lang]
        assert "line-through" not in span.evaluate("e => getComputedStyle(e).textDecorationLine")
    finally:
        page.close()


def test_the_example_plant_copy_home_page(tmp_path):
    """The example site built for Shanghai: SOP-PROD-010 (Suzhou only) on the home page."""
    out = tmp_path / "site"
    result = run_build(ROOT, "--strict", "-d", str(out), env={"SOP_SITE": "shanghai"})
    assert result.returncode == 0, result.stderr
    html = (out / "index.html").read_text(encoding="utf-8")
    items = [text(li) for li in re.findall(r"<li>(.*?)</li>", html, re.S) if "SOP-PROD-010" in li]
    assert items == ["SOP-PROD-010（不在本副本中）"]
