"""Search tuned for SOPs: the index the build writes, and Material's search box in real Chromium."""

from __future__ import annotations

import json
from urllib.parse import unquote, urlparse

import pytest
from conftest import ROOT, build_site, http_server, recording_external, sop_text

from sop_plugin.adapter.search import without_excluded
from sop_plugin.model import load_catalog
from sop_plugin.pages.search_index import read_sections

QUIZ_HTML = (
    '<div class="sop-quiz" data-quiz="q-1" data-quiz-state="new"><div class="q"><p>QUIZSECRET prompt</p>'
    "<div><p>QUIZSECRET option</p></div></div><p>QUIZSECRET tail</p></div>"
)
CP = """\
roles:
  - {role: qc-inspector, raci: R, steps: [1]}
control_points:
  - {id: CCP-1, kind: CCP, step: 1, parameter: Kerntemperatur, limit: ">= 72 °C", corrective_action: Hold the batch}
"""


def index_of(site):
    """The bytes of every search file (manifest and pieces), and every section as a dict."""
    files = [site / "search" / "search_index.json", *sorted((site / "search" / "pieces").rglob("*.js"))]
    raw = b"\n".join(f.read_bytes() for f in files)
    if len(files) == 1:  # Material's own index
        return raw, json.loads(raw)
    return raw, {"docs": read_sections(site)}


# --- the index, without a browser ------------------------------------------------------------


def test_excluded_subtrees_are_cut_whole_even_when_nested():
    html = f"<p>before</p>{QUIZ_HTML}<dl><dt data-search-exclude>Owner</dt><dd>Wang</dd></dl><p>after</p>"
    out = without_excluded(html)
    assert "QUIZSECRET" not in out and "Owner" not in out
    assert "before" in out and "Wang" in out and "after" in out


def test_index_is_utf8_lean_and_leaves_out_quizzes_ui_strings_obsolete_and_excluded_pages(tmp_path):
    site = build_site(
        tmp_path,
        {
            "docs/qc/a.md": sop_text(
                "SOP-QC-001", "来料检验", extra=CP, body=f"## 程序\n\n1. 核对COA。\n\n{QUIZ_HTML}\n"
            ),
            "docs/qc/old.md": sop_text("SOP-QC-002", "Withdrawn Steam Procedure", status="obsolete"),
            "docs/archive.md": "---\nsearch: {exclude: true}\n---\n\n# Archived Version Page\n\nARCHIVEDTEXT\n",
        },
        "--strict",
        theme={"name": "material", "language": "zh", "font": False},
        plugins=["search", {"sop": {"readable_heading_ids": True}}],
    )
    raw, index = index_of(site)
    assert "来料检验".encode() in raw and b"\\u" not in raw.split(b'"docs":', 1)[1]  # UTF-8, not \uXXXX
    assert "\u200b" not in raw.decode()  # no jieba zero-width separators: the engine matches substrings
    text = raw.decode()
    for absent in ("QUIZSECRET", "ARCHIVEDTEXT"):
        assert absent not in text, absent
    assert not any(d["location"].startswith(("qc/old/", "archive/")) for d in index["docs"])  # obsolete, excluded
    sop_text_ = json.dumps([d for d in index["docs"] if d["location"].startswith("qc/")], ensure_ascii=False)
    for label in ("下次评审", "负责人", "打印件", "生效日期", "保存期限"):  # header-card and table labels
        assert label not in sop_text_, label
    first = next(d for d in index["docs"] if d["location"].startswith("qc/a/"))
    assert first["title"] == "SOP-QC-001 来料检验"
    cp = next(d for d in index["docs"] if d["location"].endswith("#sop-control-points"))
    assert "Kerntemperatur" in cp["text"] and ">= 72 °C" in cp["text"]  # cells stay apart, raw text
    page = (site / "qc/a/index.html").read_text(encoding="utf-8")
    assert 'id="程序"' in page  # readable Chinese heading ids (pymdownx.slugs, readable_heading_ids: true)
    assert "QUIZSECRET prompt" in page  # the quiz is on the page, only not in the index


def test_material_search_untouched_when_tuning_is_off(tmp_path):
    site = build_site(
        tmp_path,
        {"docs/qc/a.md": sop_text("SOP-QC-001", "来料检验")},
        plugins=["search", {"sop": {"tune_search": False}}],
    )
    raw, _ = index_of(site)
    assert b"\\u6765" in raw  # Material's own escaped index
    assert "search-worker.js" not in (site / "index.html").read_text(encoding="utf-8")


# --- Material's search box on the example site, in Chromium ---------------------------------


def search(page, query: str) -> list[str]:
    """Type ``query`` into Material's search box; the result pages' paths, best first."""
    box = page.locator("input.md-search__input")
    box.fill("")
    box.press("End")
    page.wait_for_function("!document.querySelector('.md-search-result__list').children.length")
    box.fill(query)
    box.press("End")  # Material searches on keyup
    page.wait_for_function(
        "document.querySelector('.md-search-result__list').children.length > 0"
        " || /没有|No matching/.test(document.querySelector('.md-search-result__meta').textContent)",
        timeout=15000,
    )
    hrefs = page.eval_on_selector_all(".md-search-result__item > a:first-child", "els => els.map(e => e.href)")
    return [unquote(urlparse(h).path) for h in hrefs]


@pytest.fixture(scope="module")
def example_search(chromium, example_site):
    """The example site's home page with Material's search ready, loaded once for the read-only
    queries below, in a context of its own (so the other tests' pages keep theirs)."""
    context = chromium.new_context()
    with http_server(example_site) as base:
        pg = recording_external(context.new_page())
        pg.goto(base + "index.html")
        pg.wait_for_function(
            "!/初始化|Initializing/.test(document.querySelector('.md-search-result__meta').textContent)"
        )
        yield pg
    context.close()


@pytest.fixture
def search_page(example_search):
    """The loaded example search page, its box and results emptied (as :func:`search` does before
    each query, so no test sees another's results); no request leaves the site during the test."""
    box = example_search.locator("input.md-search__input")
    box.fill("")
    box.press("End")
    example_search.wait_for_function("!document.querySelector('.md-search-result__list').children.length")
    example_search.external.clear()
    yield example_search
    assert example_search.external == [], example_search.external


@pytest.fixture(scope="module")
def example():
    catalog = load_catalog(ROOT / "docs", quizzes_dir=ROOT / "quizzes")
    return catalog


INCOMING = "/qc/incoming-inspection.html"


@pytest.mark.browser
@pytest.mark.parametrize("query", ["SOP-QC-012", "sop-qc-012", "QC-012", "qc-012 "])
def test_an_exact_id_puts_that_sop_first(search_page, query):
    assert search(search_page, query)[0].endswith(INCOMING)


@pytest.mark.browser
def test_chinese_english_role_and_control_point_queries(search_page, example):
    sop = example.get("SOP-QC-012")
    assert search(search_page, sop.title)[0].endswith(INCOMING)  # Chinese title: 来料检验
    assert search(search_page, "巴氏杀菌")[0].endswith("/production/htst-pasteurisation.html")  # a Chinese word
    assert search(search_page, "metal detector")[0].endswith("/production/metal-detection.html")  # English words
    point = sop.meta.control_points[0]
    assert search(search_page, point.parameter)[0].endswith(INCOMING)  # a control-point parameter
    results = search(search_page, sop.meta.owner.name)  # the owner
    assert any(r.endswith(INCOMING) for r in results[:5])
    role = example.roles["qc-inspector"]
    results = search(search_page, role.name["zh"])  # a role name: its role page, then the SOPs naming it
    assert results[0].endswith("/roles/qc-inspector.html")
    assert any(r.endswith(INCOMING) for r in results[1:5])


def test_example_index_has_no_quiz_text_and_no_obsolete_sop(example_site, example):
    raw, index = index_of(example_site)
    text = raw.decode("utf-8")
    for quiz in example.quizzes.values():
        for question in quiz.questions:
            assert question.prompt not in text, question.prompt
    obsolete = [s for s in example.by_id.values() if s.state(s.meta.effective_date or s.next_review) == "obsolete"]
    assert obsolete, "the example has an obsolete SOP"
    for sop in obsolete:
        page = sop.path.rsplit(".", 1)[0] + ".html"
        assert not any(d["location"].startswith(page) for d in index["docs"])


@pytest.mark.browser
def test_an_obsolete_sop_is_not_found_by_its_id_or_title(search_page, example, example_site):
    sop = next(s for s in example.by_id.values() if s.meta.status == "obsolete")
    stem = sop.path.rsplit(".", 1)[0]
    assert (example_site / f"{stem}.html").is_file()  # the page is built: search could find it
    successor = example.get(example.superseded_by[sop.id][0])
    found = search(search_page, successor.id)  # the same search finds a live SOP by its id
    assert found and found[0].endswith("/" + successor.path.rsplit(".", 1)[0] + ".html")
    for query in (sop.id, sop.title):
        assert not any(stem in r for r in search(search_page, query)), query


@pytest.mark.browser
def test_results_are_highlighted(search_page):
    search(search_page, "来料检验")
    title = search_page.locator(".md-search-result__item h1").first.inner_html()
    assert "<mark>来料检验</mark>" in title


TITLE = '<img src=x onerror="window.__xss=1">Evil & Co'


@pytest.fixture(scope="module")
def markup_site(tmp_path_factory):
    """A site whose SOP title is markup: front-matter is text, and must stay text everywhere."""
    root = tmp_path_factory.mktemp("markup")
    return build_site(root, {"docs/qc/a.md": sop_text("SOP-QC-001", TITLE, body=BODY)}, "--strict")


BODY = "## Procedure\n\n1. Check the evil seal.\n2. Check the COA.\n"


@pytest.mark.browser
def test_titles_from_front_matter_are_shown_as_text_in_results(page, markup_site, serve):
    page.goto(serve(markup_site))
    results = search(page, "evil")
    assert results and results[0].endswith("/qc/a/")
    heading = page.locator(".md-search-result__item h1").first
    assert heading.inner_text() == f"SOP-QC-001 {TITLE}"
    assert page.evaluate("window.__xss") is None


@pytest.mark.browser
def test_results_are_highlighted_and_escaped(page, markup_site, serve):
    page.goto(serve(markup_site))
    search(page, "evil")
    heading = page.locator(".md-search-result__item h1").first.inner_html()
    assert "<mark>Evil</mark>" in heading  # highlighted ...
    assert "&lt;img src=x onerror=" in heading and "&amp; Co" in heading  # ... and escaped
    assert page.locator(".md-search-result img").count() == 0
    teaser = page.locator(".md-search-result__item").first.inner_html()
    assert "<mark>evil</mark>" in teaser.lower()  # the body text is highlighted too
    assert page.evaluate("window.__xss") is None
