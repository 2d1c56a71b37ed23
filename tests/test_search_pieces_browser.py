"""The search index in pieces (issue 14): a manifest first, then only the pieces a query needs,
from file:// and over http; quiz answers, archived versions and obsolete SOPs in no piece."""

from __future__ import annotations

import json
import re

import pytest
from conftest import mkdocs_build
from test_history_pages import V10, make_repo
from test_search_browser import QUIZ_HTML, search

from sop_plugin.pages.search_index import PIECES_DIR, manifest_rows, read_sections

PIECE = re.compile(r"/search/pieces/([kp])/(\d+)\.js$")
METAL = "/production/metal-detection.html"


def search_files(site) -> dict[str, str]:
    """Every file of the index: the manifest (and its file:// twin) and every piece."""
    folder = site / "search"
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file()}


# --- without a browser -------------------------------------------------------------------------


def test_the_manifest_holds_pages_not_their_text(example_site, example_catalog):
    manifest = (example_site / "search/search_index.json").read_text(encoding="utf-8")
    index = json.loads(manifest)
    sop = example_catalog.get("SOP-PROD-012")
    assert any(row[2] == f"SOP-PROD-012 {sop.title}" and row[3] == len("SOP-PROD-012") for row in manifest_rows(index))
    body_words = "the reject bin is empty and locked"  # the body of SOP-PROD-012: in its text piece only
    assert body_words in " ".join(s["text"] for s in read_sections(example_site))
    assert body_words not in manifest
    pieces = index["config"]["sop_pieces"]
    assert pieces["pieces"] == PIECES_DIR + "/" and pieces["shards"] >= 1
    assert len(manifest.encode()) < 20_000  # about a hundred bytes per page


def test_quiz_answers_archived_versions_and_obsolete_sops_are_in_no_piece(tmp_path, example_site, example_catalog):
    # the example: no quiz prompt, option or explanation, and no obsolete SOP, in any search file
    texts = search_files(example_site)
    assert len([name for name in texts if name.startswith(PIECES_DIR)]) > 10
    blob = "\n".join(texts.values())
    for quiz in example_catalog.quizzes.values():
        for question in quiz.questions:
            assert question.prompt not in blob, question.prompt
            if question.explain and len(question.explain) > 12:
                assert question.explain not in blob
    obsolete = [s for s in example_catalog.by_id.values() if s.meta.status == "obsolete"]
    assert obsolete
    pages = {s["location"].split("#")[0] for s in read_sections(example_site)}
    for sop in obsolete:  # (other SOPs may name it: a superseded one links to it by id and title)
        assert sop.path.rsplit(".", 1)[0] + ".html" not in pages, sop.path
    # a knowledge base in git: the text of an archived version (v1.0 only) is in no piece; a quiz
    # block on the current page is in none either
    repo = make_repo(tmp_path)
    page = tmp_path / "docs/qc/巴氏杀菌.md"  # SOP-QC-001, renamed in its history
    repo.commit("quiz block", {"qc/巴氏杀菌.md": page.read_text(encoding="utf-8") + f"\n{QUIZ_HTML}\n"})
    result = mkdocs_build(tmp_path)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    assert (site / "id/SOP-QC-001/v1.0/index.html").is_file()  # the archived version is built
    assert "旧式措辞" in V10 and "旧式措辞" in (site / "id/SOP-QC-001/v1.0/index.html").read_text(encoding="utf-8")
    blob = "\n".join(search_files(site).values())
    assert "旧式措辞" not in blob and "QUIZSECRET" not in blob
    assert "取样" in blob  # the other SOPs are in
    assert not [p for p in {s["location"] for s in read_sections(site)} if p.startswith("id/")]


# --- in Chromium -------------------------------------------------------------------------------


@pytest.fixture(params=["file", "http"])
def counted(request, page, example_site, serve):
    """The example's home page, with every piece request counted in ``page.pieces``."""
    base = example_site.as_uri() + "/" if request.param == "file" else serve(example_site)
    page.pieces = []

    def on_request(req):
        match = PIECE.search(req.url)
        if match:
            page.pieces.append(match.group(1) + match.group(2))

    page.on("request", on_request)
    page.goto(base + "index.html")
    yield page
    assert page.external == [], page.external


@pytest.mark.browser
def test_a_query_loads_only_its_key_shards_and_the_text_of_its_best_pages(counted, example_site):
    index = json.loads((example_site / "search/search_index.json").read_text(encoding="utf-8"))
    shards, pages = index["config"]["sop_pieces"]["shards"], len(manifest_rows(index))
    counted.wait_for_timeout(300)
    assert counted.pieces == []  # opening a page loads the manifest only
    results = search(counted, "jsjc")  # one Latin word: one key shard
    assert results[0].endswith(METAL)
    keys = [p for p in counted.pieces if p.startswith("k")]
    texts = [p for p in counted.pieces if p.startswith("p")]
    assert len(set(keys)) <= 4 < shards, keys  # the shards of j, js, jsj, jsjc as typed, not all
    assert 1 <= len(set(texts)) <= 10 < pages, texts
    assert len(counted.pieces) == len(set(counted.pieces))  # nothing loaded twice
    before = len(counted.pieces)
    assert search(counted, "jsjc")[0].endswith(METAL)  # the same query again: all in memory
    assert len(counted.pieces) == before


@pytest.mark.browser
@pytest.mark.parametrize("query", ["SOP-PROD-012", "sop-prod-012", "PROD-012"])
def test_ids_first_from_file_and_http(counted, query):
    assert search(counted, query)[0].endswith(METAL)


@pytest.mark.browser
def test_a_piece_that_cannot_be_loaded_costs_results_not_the_search(page, example_site, tmp_path, serve):
    import shutil

    site = tmp_path / "site"
    shutil.copytree(example_site, site)
    for piece in (site / PIECES_DIR / "p").glob("*.js"):
        piece.unlink()  # e.g. a half-copied plant share: titles still come from the manifest
    page.goto(serve(site) + "index.html")
    assert search(page, "jsjc")[0].endswith(METAL)


@pytest.fixture(scope="module")
def example_catalog():
    from conftest import ROOT

    from sop_plugin.model import load_catalog

    return load_catalog(ROOT / "docs", quizzes_dir=ROOT / "quizzes")
