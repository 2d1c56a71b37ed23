"""Finding across languages (issue 14): aliases, synonyms, pinyin, one person's names in both
languages, translations, on the example site in Chromium from file:// and over http; and the
build-time pieces of it without a browser."""

from __future__ import annotations

import pytest
from conftest import build_site, run_build, sop_text
from test_search_browser import search

from sop_plugin.pages.search_index import keys_of, load_synonyms, person_key, pinyin_keys

METAL = "/production/metal-detection.html"  # SOP-PROD-012, English, owner Zhao Lei, alias 金属检测 / 金检
PASTEURISATION = "/production/htst-pasteurisation.html"  # SOP-PROD-010, Chinese, owner 赵磊
INCOMING = "/qc/incoming-inspection.html"  # SOP-QC-012 (Chinese)
INCOMING_EN = "/qc/incoming-inspection-en.html"  # its English translation


# --- without a browser -------------------------------------------------------------------------


def test_keys_pinyin_and_person_spellings():
    assert set(keys_of("金属检测 Metal-Detector")) == {"金属", "属检", "检测", "metal", "detector"}
    keys = pinyin_keys("金属检测")
    assert {"jinshujiance", "jsjc", "jiance", "jc"} <= keys
    assert person_key("赵磊") & person_key("Zhao Lei") and person_key("Lei Zhao") & person_key("赵磊")


def test_synonyms_file_problems_are_each_reported(tmp_path):
    path = tmp_path / "search-synonyms.yml"
    path.write_text(
        "- pasteurisation = Pasteurization = 巴氏杀菌\n- lonely\n- {a: b}\n- [CIP, 就地清洗]\n", encoding="utf-8"
    )
    synonyms = load_synonyms(path)
    assert synonyms.groups == [["pasteurisation", "pasteurization", "巴氏杀菌"], ["cip", "就地清洗"]]
    assert len(synonyms.problems) == 2 and all("search-synonyms.yml: item" in p for p in synonyms.problems)


def test_a_broken_synonyms_file_fails_a_strict_build_with_its_name(tmp_path):
    files = {"docs/qc/a.md": sop_text(), "docs/search-synonyms.yml": "- only-one-word\n"}
    build_site(tmp_path, files, check=False)
    result = run_build(tmp_path, "--strict")
    assert result.returncode != 0
    assert "search-synonyms.yml: item 1: a synonym group needs at least two words" in result.stderr
    assert not (tmp_path / "site" / "search-synonyms.yml").exists()  # an input, not a page of the site


# --- the home page's examples, in Chromium -----------------------------------------------------


@pytest.fixture(params=["file", "http"])
def site_page(request, page, example_site, serve):
    base = example_site.as_uri() + "/" if request.param == "file" else serve(example_site)
    page.goto(base + "index.html")
    yield page
    assert page.external == [], page.external


@pytest.mark.browser
@pytest.mark.parametrize(
    "query, expected",
    [
        ("金属检测", METAL),  # the home page's example: an English SOP, found by its Chinese alias
        ("金检", METAL),  # the floor's word (alias and synonym)
        ("pasteurization", PASTEURISATION),  # American spelling, synonyms file
        ("pasteurisation", PASTEURISATION),  # British spelling
        ("巴氏杀菌", PASTEURISATION),
        ("jsjc", METAL),  # pinyin initials of the alias 金属检测
        ("jinshujiance", METAL),  # full pinyin
        ("lljy", INCOMING),  # initials of the Chinese title 来料检验
        ("lailiaojianyan", INCOMING),
        ("SOP-PROD-012", METAL),  # ids first, as before
    ],
)
def test_cross_language_queries_find_their_sop_first(site_page, query, expected):
    results = search(site_page, query)
    assert results and results[0].endswith(expected), (query, results[:5])


@pytest.mark.browser
def test_one_owner_by_either_spelling_finds_the_same_sops(site_page):
    chinese = search(site_page, "赵磊")
    latin = search(site_page, "Zhao Lei")
    sops = [r for r in chinese if "/production/" in r or "/qa/" in r]
    assert METAL in {r[r.index("/production/") :] for r in chinese if "/production/" in r}  # owner Zhao Lei
    assert any(r.endswith(PASTEURISATION) for r in latin)  # owner 赵磊
    assert set(chinese[:6]) == set(latin[:6]) and sops


@pytest.mark.browser
def test_a_translation_is_one_result_in_the_language_of_the_query(site_page):
    english = search(site_page, "Incoming Material Inspection")
    assert english[0].endswith(INCOMING_EN)  # the English page for English words
    chinese = search(site_page, "来料检验")
    assert chinese[0].endswith(INCOMING)  # the Chinese page for Chinese words
    for results in (english, chinese):  # one SOP, one result
        assert sum(r.endswith((INCOMING, INCOMING_EN)) for r in results) == 1
    # the SOP is found by words only its translation has, and opens in the query's language
    results = search(site_page, "Material Inspection")
    assert any(r.endswith(INCOMING_EN) for r in results[:3]) and not any(r.endswith(INCOMING) for r in results)
