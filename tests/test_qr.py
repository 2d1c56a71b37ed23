"""QR codes (pages/qr.py): they decode to the right absolute URLs, on screen and on the printed sheet.

Decoded with a real decoder (zxing-cpp) from Chromium's own rendering: a screenshot of the code
on the SOP page, and the printed PDF's bottom margin rendered by pdfium. Archived versions carry
their pinned address; without a base URL no code is drawn.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from conftest import run_build, sop_text, write_project
from test_history import LI, WANG, Repo

from sop_plugin.pages.qr import QrLinks, qr_svg

zxingcpp = pytest.importorskip("zxingcpp")
Image = pytest.importorskip("PIL.Image")

BASE = "http://sop.plant.local/kb/"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("qr")
    repo = Repo(root)
    write_project(
        root,
        {},
        site_url="https://public.example.com/",
        use_directory_urls=False,
        plugins=["search", {"sop": {"build_date": "2026-03-01", "qr_base_url": BASE}}],
    )
    repo.commit("v1", {"qc/a.md": sop_text("SOP-QC-001", "巴氏杀菌")}, author=WANG, date="2025-01-05T09:00:00+08:00")
    v2 = sop_text("SOP-QC-001", "巴氏杀菌", version="2.0", effective_date="2026-02-01")
    repo.commit("v2", {"qc/a.md": v2}, author=LI, date="2026-01-20T09:00:00+08:00")
    result = run_build(root, "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "site"


def decode(png: bytes) -> list[str]:
    return [found.text for found in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


@pytest.mark.browser
def test_sop_page_code_decodes_to_the_stable_id_address(built, page):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto((built / "qc/a.html").as_uri())
    code = page.locator(".sop-header .sop-qr svg")
    assert code.get_attribute("viewBox")
    assert decode(code.screenshot()) == [BASE + "id/SOP-QC-001/index.html"]
    assert page.locator(".sop-qr figcaption").inner_text() == "Scan for the current version"
    assert page.external == []


@pytest.mark.browser
def test_archived_version_code_is_pinned_to_that_version(built, page):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto((built / "id/SOP-QC-001/v1.0/index.html").as_uri())
    code = page.locator(".sop-header .sop-qr svg")
    assert decode(code.screenshot()) == [BASE + "id/SOP-QC-001/v1.0/index.html"]
    assert page.locator(".sop-qr figcaption").inner_text() == "Scan for this version"


@pytest.mark.browser
def test_every_printed_sheet_carries_the_code_beside_the_uncontrolled_line(built, page):
    pdfium = pytest.importorskip("pypdfium2")
    page.goto((built / "qc/a.html").as_uri())
    pdf = pdfium.PdfDocument(page.pdf(format="A4"))
    assert len(pdf) >= 1
    for sheet in pdf:
        image = sheet.render(scale=3).to_pil()
        width, height = image.size
        margin = image.crop((width // 2, int(height * 0.88), width, height))  # the bottom-right margin
        found = [f.text for f in zxingcpp.read_barcodes(margin)]
        assert found == [BASE + "id/SOP-QC-001/index.html"]


def test_no_base_url_no_code_and_one_info_line(tmp_path):
    write_project(tmp_path, {"docs/qc/a.md": sop_text()}, plugins=["search", "sop"])
    result = run_build(tmp_path, "--strict")
    assert result.returncode == 0, result.stderr
    assert len(re.findall(r"INFO .*no QR codes drawn", result.stderr)) == 1
    assert "sop-qr" not in (tmp_path / "site/qc/a/index.html").read_text(encoding="utf-8")


def test_matrix_round_trip_without_a_browser():
    """segno's matrix of the SVG we emit equals a fresh encoding of the address (no decoder needed)."""
    segno = pytest.importorskip("segno")
    links = QrLinks("http://intranet/sop", directory_urls=True)  # no trailing slash: added
    url = links.current_url("SOP-QC-012")
    assert url == "http://intranet/sop/id/SOP-QC-012/"
    assert links.version_url("SOP-QC-012", "3.1") == "http://intranet/sop/id/SOP-QC-012/v3.1/"
    expected = segno.make(url, error="m", micro=False, mask=0).svg_inline(scale=1, border=2, omitsize=True)
    assert re.search(r' d="([^"]+)"', qr_svg(url)).group(1) == re.search(r' d="([^"]+)"', expected).group(1)
    assert QrLinks(None).current("SOP-QC-012") is None
