"""Flowcharts offline (adapter/offline.py): Material's Mermaid integration with the vendored Mermaid.

A page with a diagram renders an SVG in Chromium from file:// with no request outside the site,
in light and dark (Material's own theme CSS); a page without one loads no Mermaid byte, and a
site without any diagram carries no copy of it.
"""

from __future__ import annotations

import pytest
from conftest import build_site, run_build, sop_text, write_project

from sop_plugin.adapter.offline import MERMAID_URI

FENCE = {
    "pymdownx.superfences": {
        "custom_fences": [
            {"name": "mermaid", "class": "mermaid", "format": "!!python/name:pymdownx.superfences.fence_code_format"}
        ]
    }
}
DIAGRAM = "## Flow\n\n```mermaid\nflowchart TD\n  A[检查] --> B{合格?}\n  B -->|是| C[放行]\n  B -->|否| D[隔离]\n```\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("mermaid")

    write_project(
        root,
        {
            "docs/qc/flow.md": sop_text("SOP-QC-001", "With a diagram", body="1. Check.\n2. Release.\n\n" + DIAGRAM),
            "docs/qc/plain.md": sop_text("SOP-QC-002", "Without"),
        },
        use_directory_urls=False,
        theme={
            "name": "material",
            "font": False,
            "palette": [
                {"scheme": "default", "toggle": {"icon": "material/brightness-7", "name": "dark"}},
                {"scheme": "slate", "toggle": {"icon": "material/brightness-4", "name": "light"}},
            ],
        },
        markdown_extensions=["PYMDOWNX_PLACEHOLDER"],
    )
    # The fence's format is a Python name tag: write it as YAML text, not through safe_dump.
    text = (
        (root / "mkdocs.yml")
        .read_text(encoding="utf-8")
        .replace(
            "- PYMDOWNX_PLACEHOLDER",
            "- pymdownx.superfences:\n    custom_fences:\n    - name: mermaid\n      class: mermaid\n"
            "      format: !!python/name:pymdownx.superfences.fence_code_format",
        )
    )
    (root / "mkdocs.yml").write_text(text, encoding="utf-8")
    result = run_build(root, "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "site"


def test_only_pages_with_a_diagram_load_the_vendored_mermaid(built):
    flow = (built / "qc/flow.html").read_text(encoding="utf-8")
    plain = (built / "qc/plain.html").read_text(encoding="utf-8")
    assert '<script src="../assets/sop/vendor/mermaid/mermaid.min.js"></script>' in flow
    assert flow.index("mermaid.min.js") < flow.index("bundle.")  # defined before Material's bundle looks
    assert "mermaid" not in plain.lower()
    assert (built / MERMAID_URI).stat().st_size > 1_000_000 and (built / "assets/sop/vendor/mermaid/LICENSE").is_file()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_diagram_renders_from_file_url_without_internet(built, page, scheme):
    page.goto((built / "qc/flow.html").as_uri())
    if scheme == "slate":  # Material's own palette toggle: the diagram follows its CSS variables
        page.locator("form[data-md-component=palette] label:visible").first.click()
    host = page.locator("div.mermaid")
    host.wait_for(timeout=30000)
    # Material renders into a closed shadow root: the SVG is there when the host has a size.
    page.wait_for_function(
        "() => { const d = document.querySelector('div.mermaid'); return d && d.getBoundingClientRect().height > 100 }",
        timeout=30000,
    )
    assert page.locator("pre.mermaid").count() == 0
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == scheme
    assert page.external == []


def test_a_site_without_diagrams_carries_no_mermaid(tmp_path):
    site = build_site(tmp_path, {"docs/qc/a.md": sop_text()}, "--strict")
    assert not (site / "assets/sop/vendor/mermaid").exists()
