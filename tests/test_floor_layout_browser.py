"""Floor layout in real Chromium: the SOP page, the control-point register and the directory at a
phone (390x844), a small laptop (1024x768) and a desktop (1366x900), and printed on A4.

- No element wider than its container: the content column, every table wrapper and every control
  point block have ``scrollWidth <= clientWidth``, and no box sticks out of the column.
- Every field of every control point can be read: in the viewport after scrolling to it, on every
  width; and in the PDF text of the printed page.
- The printed register holds every column and starts on page one.
"""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
from floor_support import served

pypdf = pytest.importorskip("pypdf")

pytestmark = pytest.mark.browser

SOP = "production/htst-pasteurisation.html"
PAGES = {"sop": SOP, "register": "registers/control-points.html", "directory": "directory/index.html"}
VIEWPORTS = {"phone": (390, 844), "laptop": (1024, 768), "desktop": (1366, 900)}

OVERFLOW = """() => {
  const col = document.querySelector('article.md-content__inner');
  const bad = [];
  const check = (e, name) => { if (e.scrollWidth > e.clientWidth + 1) bad.push(`${name}: ${e.scrollWidth} > ${e.clientWidth}`); };
  check(document.documentElement, 'document');
  check(col, 'content column');
  col.querySelectorAll('.md-typeset__scrollwrap, .md-typeset__table, .sop-cps, .sop-cp, .sop-header').forEach(
    e => check(e, e.className));
  const r = col.getBoundingClientRect();
  col.querySelectorAll('*').forEach(e => {
    const b = e.getBoundingClientRect();
    if (b.width && (b.right > r.right + 1 || b.left < r.left - 1)) bad.push(`box ${e.tagName}.${e.className} sticks out by ${Math.round(Math.max(b.right - r.right, r.left - b.left))}px`);
  });
  return bad.slice(0, 12);
}"""

FIELDS_VISIBLE = """() => {
  const hidden = [];
  document.querySelectorAll('.sop-cp dt, .sop-cp dd, .sop-cp__head').forEach(e => {
    e.scrollIntoView({block: 'center'});
    const b = e.getBoundingClientRect();
    const inView = b.width > 0 && b.height > 0 && b.left >= 0 && b.right <= innerWidth + 0.5 && b.top < innerHeight && b.bottom > 0;
    if (!inView || !e.checkVisibility({opacityProperty: true, visibilityProperty: true})) hidden.push(e.textContent.trim().slice(0, 40));
  });
  return hidden;
}"""


@pytest.fixture(scope="module")
def base(example_site):
    with served(example_site) as url:
        yield url


#: CJK Radicals Supplement characters that PDF text extraction returns for simplified ideographs
#: (NFKC leaves this block alone).
RADICALS = str.maketrans(
    "\u2ea0\u2ec5\u2ec6\u2ec9\u2ecb\u2ed3\u2ed4\u2ed8\u2eda\u2edb\u2edd\u2ee2\u2ee3\u2ee4\u2ee5\u2ee6\u2ee7\u2ee8\u2ee9\u2eec\u2ef0\u2ef3",
    "民见角贝车长门青页风食马骨鬼鱼鸟卤麦黄齐龙龟",
)


def squash(text: str) -> str:
    """Text without white space, NFKC-normalised: PDF text of CJK fonts often comes out as Kangxi
    radicals (U+2F70 for 示), which NFKC maps back to the ideographs."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(RADICALS))


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(data)).pages]


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("kind", PAGES)
def test_nothing_wider_than_its_column(new_page, base, kind, viewport):
    width, height = VIEWPORTS[viewport]
    page = new_page(viewport={"width": width, "height": height})
    try:
        page.goto(base + PAGES[kind])
        page.wait_for_function("document.querySelector('table[data-sop-table]') || !document.querySelector('table')")
        if kind == "directory":
            page.wait_for_selector("[data-directory-table] tbody tr")
        assert page.evaluate(OVERFLOW) == []
    finally:
        page.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_control_point_field_readable_on_screen(new_page, base, viewport):
    width, height = VIEWPORTS[viewport]
    page = new_page(viewport={"width": width, "height": height})
    try:
        page.goto(base + SOP)
        assert page.locator(".sop-cp").count() == 2  # CCP-1 and KCP-1 of SOP-PROD-010
        assert page.locator(".sop-cp dd").count() >= 10
        assert page.evaluate(FIELDS_VISIBLE) == []
    finally:
        page.close()


def test_phone_shows_one_card_per_control_point_and_register_row(new_page, base):
    page = new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(base + SOP)
        widths = page.evaluate("[...document.querySelectorAll('.sop-cp')].map(e => e.getBoundingClientRect().width)")
        column = page.evaluate("document.querySelector('article.md-content__inner').clientWidth")
        assert widths and all(abs(w - column) <= 1 for w in widths)  # one full-width card each
        page.goto(base + PAGES["register"])
        cell = page.locator("table[data-register-table] tbody tr").first.locator("td").nth(4)
        assert cell.get_attribute("data-label")  # labelled with its column for the card layout
        assert (
            page.evaluate("getComputedStyle(document.querySelector('table[data-register-table] tbody tr')).display")
            == "block"
        )
    finally:
        page.close()


def test_printed_sop_holds_every_control_point_field(new_page, base):
    page = new_page()
    try:
        page.goto(base + SOP)
        fields = page.evaluate("[...document.querySelectorAll('.sop-cp dd, .sop-cp dt')].map(e => e.textContent)")
        page.emulate_media(media="print")
        pages = pdf_pages(page.pdf(format="A4"))
    finally:
        page.close()
    text = squash("".join(pages))
    missing = [f for f in fields if squash(f) not in text]
    assert not missing, missing
    heading_page = next(i for i, p in enumerate(pages) if "关键控制点" in p)
    assert "CCP-1" in pages[heading_page]  # the heading is kept with the first control point
    assert all("SOP-PROD-010" in p and "2.2" in p for p in pages)  # every sheet: id and version
    assert all(squash("非受控") in squash(p) for p in pages)  # and the uncontrolled-copy line


def test_printed_register_has_every_column_from_page_one(new_page, base):
    page = new_page()
    try:
        page.goto(base + PAGES["register"])
        heads = page.evaluate(
            "[...document.querySelectorAll('table[data-register-table] thead th')].map(e => e.textContent)"
        )
        records = page.evaluate(
            "[...document.querySelectorAll('table[data-register-table] tbody tr')].map(r => r.lastElementChild.textContent)"
        )
        first = page.evaluate("document.querySelector('table[data-register-table] tbody tr td').textContent")
        page.emulate_media(media="print")
        pages = pdf_pages(page.pdf(format="A4", prefer_css_page_size=True))
    finally:
        page.close()
    text = squash("".join(pages))
    assert all(squash(h) in text for h in heads), heads
    assert sum(text.count(squash(r)) for r in set(records)) >= len(set(records))  # the last column printed
    assert squash(first)[:12] in squash(pages[0])  # rows start on page one
    assert len(pages) >= 2 and all(p.strip() for p in pages)  # no blank sheet


def test_directory_usable_on_a_phone(new_page, base):
    page = new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(base + PAGES["directory"])
        page.wait_for_selector("[data-directory-table] tbody tr")
        first = page.locator("[data-directory-table] tbody tr").first
        box = first.bounding_box()
        assert box["width"] <= 390 and box["height"] < 400  # a compact card, not one character per line
        page.fill("[data-directory-filter] input[type=search]", "巴氏杀菌")
        page.wait_for_function("document.querySelectorAll('[data-directory-table] tbody tr').length <= 3")
        assert "SOP-PROD-010" in page.locator("[data-directory-table] tbody").inner_text()
    finally:
        page.close()
