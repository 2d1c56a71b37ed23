"""The search manifest in columns (issue 14.1 at 10,000 SOPs): a few long strings instead of one
list per page, read back the same by Python (``manifest_rows``) and by the engine in Chromium
(``rows()`` of ``search-worker.js``), for odd and hostile page URLs too."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sop_plugin.pages.search_index import (
    ID_STEM,
    PageFacts,
    build_pieces,
    location_of,
    manifest_columns,
    manifest_rows,
    manifest_text,
)

WORKER = Path(__file__).parent.parent / "sop_plugin" / "assets" / "search-worker.js"

#: (location, title, facts): SOPs whose file is named by their id, a translation, Chinese file
#: names, an id that is not ASCII, URLs the engine cannot rebuild with encodeURI (kept whole), a
#: file name holding an encoded newline or star, and a page that is no SOP, at half weight
PAGES = [
    ("", "SOP 知识库 · Knowledge Base", PageFacts()),
    ("qc/sop-qc-0001/", "SOP-QC-0001 来料检验", PageFacts("SOP-QC-0001", "SOP-QC-0001", "zh", owner="赵磊")),
    ("qc/sop-qc-0001.en/", "Incoming inspection", PageFacts("", "SOP-QC-0001", "en", owner="Zhao Lei")),
    (
        "qa/sop-qa-0001-%E7%81%8C%E8%A3%85/",
        "SOP-QA-0001 灌装",
        PageFacts("SOP-QA-0001", "SOP-QA-0001", "zh", aliases=("灌装机",)),
    ),
    ("qa/%E8%AE%BE%E5%A4%87.html", "SOP-QA-0002 设备", PageFacts("SOP-QA-0002", "SOP-QA-0002", "zh")),
    ("prod/sop-İ-1/", "SOP-İ-1 Odd id", PageFacts("SOP-İ-1", "SOP-İ-1", "en")),
    ("prod/a%2Ab/", "SOP-P-2 Star", PageFacts("SOP-P-2", "SOP-P-2", "en")),
    ("prod/a%0Ab/", "SOP-P-3 Newline", PageFacts("SOP-P-3", "SOP-P-3", "en")),
    ("prod/it's(1)/", "SOP-P-4 Quote", PageFacts("SOP-P-4", "SOP-P-4", "en")),
    ("roles/operator/", "Operator", PageFacts()),
]


def entries():
    out = []
    for location, title, _ in PAGES:
        out.append({"location": location, "title": title, "text": f"text of {title}", "boost": 1})
        out.append({"location": location + "#steps", "title": "Steps", "text": "one two three"})
    out[-2]["boost"] = 0.5
    return out


def facts():
    return {location: f for location, _, f in PAGES if f != PageFacts()}


@pytest.fixture(scope="module")
def manifest():
    pieces = build_pieces(entries(), facts(), [["pasteurisation", "pasteurization"]])
    return json.loads(manifest_text({"lang": ["en"]}, pieces))


def test_the_manifest_is_a_few_strings_that_read_back_as_the_pages(manifest):
    docs = manifest["docs"]
    assert len(docs) == 8 and all(isinstance(column, str) for column in docs)
    rows = manifest_rows(manifest)
    folders = manifest["config"]["sop_pieces"]["folders"]
    assert [location_of(row, folders) for row in rows] == [location for location, _, _ in PAGES]
    assert [row[2] for row in rows] == [title for _, title, _ in PAGES]
    assert [row[3] for row in rows] == [len(f.sop_id) if f.sop_id else 0 for _, _, f in PAGES]
    assert [row[5] for row in rows] == [1] * (len(PAGES) - 1) + [0.5]
    assert rows[2][7] == 1 and rows[1][7] == 1  # a translation is in its SOP's group
    langs = manifest["config"]["sop_pieces"]["langs"]
    assert [langs[row[6]] for row in rows] == [f.lang for _, _, f in PAGES]
    names = docs[1].split("\n")
    assert names[1] == ID_STEM + "/" and names[2] == ID_STEM + ".en/"  # the id, not spelled again
    assert names[3] == ID_STEM + "-灌装/"  # decoded: a third of the bytes of %E7%81%8C...
    assert not names[5].startswith(ID_STEM)  # an id that is not ASCII is spelled out
    assert "text of" not in json.dumps(manifest, ensure_ascii=False)  # the text is in the pieces


def test_no_pages_is_an_empty_manifest():
    pieces = build_pieces([], {})
    index = json.loads(manifest_text({}, pieces))
    assert manifest_rows(index) == [] and index["config"]["sop_pieces"]["pages"] == 0
    assert manifest_columns([]) == [""] * 8


def test_the_manifest_costs_a_third_less_than_a_list_per_page():
    many = []
    for n in range(2000):
        location = f"qc/sop-qc-{n:04d}/"
        many.append({"location": location, "title": f"SOP-QC-{n:04d} Cleaning of line {n}", "text": "x " * n})
    pieces = build_pieces(many, {e["location"]: PageFacts(e["title"][:11], e["title"][:11], "en") for e in many})
    rows = manifest_rows(json.loads(manifest_text({}, pieces)))
    as_lists = json.dumps(rows, separators=(",", ":"))
    assert len(manifest_text({}, pieces)) < 0.7 * len(as_lists), (len(manifest_text({}, pieces)), len(as_lists))


@pytest.mark.browser
def test_the_engine_reads_the_columns_as_python_does(page, tmp_path, manifest):
    """rows() of the engine, run in Chromium as the file:// shim runs it (a script in a page)."""
    shutil.copyfile(WORKER, tmp_path / "search-worker.js")
    (tmp_path / "index.html").write_text(
        '<!doctype html><meta charset="utf-8"><script src="search-worker.js"></script>', encoding="utf-8"
    )
    page.goto((tmp_path / "index.html").as_uri())
    got = page.evaluate(
        "([docs, config]) => rows(docs, config).map(p => [p.location, p.title, p.idLength, p.length, p.boost, "
        "p.lang, p.group])",
        [manifest["docs"], manifest["config"]["sop_pieces"]],
    )
    config = manifest["config"]["sop_pieces"]
    want = [
        [location_of(row, config["folders"]), row[2], row[3], row[4], row[5], config["langs"][row[6]], row[7]]
        for row in manifest_rows(manifest)
    ]
    assert got == want
    assert [g[0] for g in got] == [location for location, _, _ in PAGES]
