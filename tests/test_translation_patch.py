"""A translation is out of date only when its source moved on in MAJOR or MINOR: a PATCH bump of the
source is editorial (CONTRACT: versions), so the translation banner must not call it stale."""

import pytest
from conftest import build_site, sop_text


@pytest.mark.parametrize(("matched", "stale"), [("1.2", False), ("1.2.1", False), ("1.1", True), ("0.9", True)])
def test_only_a_major_or_minor_bump_of_the_source_makes_a_translation_stale(tmp_path, matched, stale):
    source = sop_text(version="1.2.1", extra="lang: zh\n")
    translation = sop_text(
        title="Incoming inspection (EN)", extra=f'lang: en\ntranslation_of: SOP-QC-001\nsource_version: "{matched}"\n'
    )
    site = build_site(tmp_path, {"docs/qc/a.md": source, "docs/qc/a-en.md": translation}, "--strict")
    html = (site / "qc/a-en/index.html").read_text(encoding="utf-8")
    start = html.index("sop-banner--translation")
    banner = html[start : html.index("</div>", start)]
    assert ("the source is now at version 1.2.1" in banner) is stale, banner
    assert (f"matches version {matched}" in banner) is stale, banner
