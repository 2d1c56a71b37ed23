"""The core without MkDocs: ``pages.core.generate_site`` turns the authored inputs (the example
knowledge base's SOPs, roles and quizzes) into every generated page, file and asset, called
directly: no build, no theme, no MkDocs."""

from __future__ import annotations

import datetime as dt
import json
import posixpath
import re
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sop_plugin.i18n import strings_for
from sop_plugin.model import load_catalog
from sop_plugin.model.filters import CopyFilter
from sop_plugin.pages import BODY_MARKER, front_matter
from sop_plugin.pages.context import SiteContext
from sop_plugin.pages.core import generate_site
from sop_plugin.pages.html import TEMPLATES
from sop_plugin.pages.urls import file_slug, page_src, page_url, relative_url

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def catalog():
    docs = ROOT / "docs"
    sources = [(p.relative_to(docs).as_posix(), p.read_text(encoding="utf-8")) for p in sorted(docs.rglob("*.md"))]
    return load_catalog(docs, sources, ROOT / "quizzes", "roles.yml")


def site_of(catalog, **options) -> SiteContext:
    return SiteContext.standalone(catalog, strings_for("zh"), TODAY, **options)


@pytest.fixture(scope="module")
def output(catalog):
    return generate_site(site_of(catalog), copy=CopyFilter(), copy_name="测试副本")


def test_every_family_is_generated(catalog, output):
    pages = {page.src_uri for page in output.pages}
    files = {item.src_uri for item in output.files}
    for src in (
        "roles/index.md",
        "roles/qc-inspector.md",
        "departments/index.md",
        "departments/QC.md",
        "registers/index.md",
        "registers/control-points.md",
        "registers/records.md",
        "registers/exceptions.md",
        "registers/training-matrix.md",
        "sites/index.md",
        "owners/index.md",
        "training/index.md",
        "training/qc-incoming-inspection.md",
        "changes/index.md",
        "reviews/index.md",
        "directory/index.md",
    ):
        assert src in pages, src
    assert {"sop-catalog.json", "sop-build.json", "registers/training-matrix.csv", "changes/feed.xml"} <= files
    assert {f"id/{sop_id}/index.html" for sop_id in catalog.by_id} <= files  # a redirect per SOP
    assert all(path.is_file() for path in output.assets.values())
    assert "assets/sop/registers.js" in output.assets and "assets/sop/quiz.js" in output.assets


def test_a_page_is_front_matter_and_an_html_body_with_its_h1(output):
    roles = output.page("roles/index.md")
    assert roles.title == "角色" and roles.in_nav and roles.meta == {"hide": ["toc"], "search": {"boost": 2}}
    assert roles.content == front_matter(title="角色", hide=["toc"], search={"boost": 2}) + BODY_MARKER + "\n"
    assert roles.body.startswith('<h1 id="角色">角色</h1>')
    for page in output.pages:
        if page.body is None:  # an archived version: the author's Markdown
            assert page.meta["search"] == {"exclude": True}
            continue
        markdown = page.content.split("---\n", 2)[2]
        assert markdown.strip() == BODY_MARKER, page.src_uri  # nothing of the page goes through Markdown
        assert page.body.count("<h1") == 1 and page.body.startswith(f'<h1 id="{page.anchor}">'), page.src_uri


def test_role_page_links_and_contract_hooks(output):
    body = output.page("roles/qc-inspector.md").body
    assert '<div class="sop-role" data-role="qc-inspector">' in body
    assert 'href="../../qc/incoming-inspection/" data-sop-ref="SOP-QC-012" class="sop-ref"' in body
    assert 'data-training-quiz="qc-incoming-inspection" data-sop-id="SOP-QC-012"' in body
    assert 'href="../../registers/control-points/#roles=qc-inspector"' in body
    assert '<div data-raci="R">' in body


def test_machine_readable_outputs(catalog, output):
    document = json.loads(output.page("sop-catalog.json").content)
    ids = [record["id"] for record in document["sops"]]
    assert ids == sorted(catalog.by_id) and "SOP-QC-012" in ids
    info = json.loads(output.page("sop-build.json").content)
    assert info["sops"] == len(catalog.by_id) and info["copy"]["name"] == "测试副本"
    matrix = output.page("registers/training-matrix.csv").content
    assert matrix.startswith("\ufeffsop_id,title,version,status,department,quiz,")
    assert "SOP-QC-012," in matrix
    redirect = output.page("id/SOP-QC-012/index.html").content
    assert 'href="../../qc/incoming-inspection/"' in redirect and "<script>location.replace(" in redirect


def test_deterministic(catalog, output):
    again = generate_site(site_of(catalog), copy=CopyFilter(), copy_name="测试副本")
    assert [(f.src_uri, f.content, f.body) for f in again.all_files()] == [
        (f.src_uri, f.content, f.body) for f in output.all_files()
    ]


def test_without_directory_urls_and_without_generated_pages(catalog):
    flat = generate_site(site_of(catalog, directory_urls=False), generated_pages=False)
    pages = {page.src_uri for page in flat.pages}
    assert "departments/QC.md" in pages and "training/index.md" in pages
    assert not any(src.startswith(("roles/", "registers/", "sites/", "owners/")) for src in pages)
    assert "assets/sop/registers.js" not in flat.assets
    assert "sop-build.json" not in {item.src_uri for item in flat.files}  # no copy given
    body = flat.page("departments/QC.md").body
    assert 'href="../qc/incoming-inspection.html" data-sop-ref="SOP-QC-012"' in body
    assert "registers/" not in body and 'data-role-ref="' not in body  # no links to pages not built


def test_a_site_overrides_one_template(catalog):
    shell = '<h1 class="plant" id="{{ anchor }}">{{ title }}</h1><p>Plant header</p>{% block content %}{% endblock %}'
    loader = jinja2.ChoiceLoader([jinja2.DictLoader({"pages/page.html": shell}), jinja2.FileSystemLoader(TEMPLATES)])
    output = generate_site(site_of(catalog, loader=loader))
    body = output.page("departments/index.md").body
    assert body.startswith('<h1 class="plant" id="部门">部门</h1><p>Plant header</p><ul class="sop-departments">')


def test_urls_one_rule():
    assert page_src("roles", "qc-inspector") == "roles/qc-inspector.md"
    assert page_src("roles") == "roles/index.md"
    assert page_src("registers", "control-points", "QC--2") == "registers/control-points/QC--2.md"
    for hostile in ("../../../../outside/x", "../index", "/etc/passwd", "a/../../b", ".hidden", "..", "a\\b"):
        src = page_src("departments", hostile)
        assert src.startswith("departments/") and src.count("/") == 1 and ".." not in src.split("/"), src
        assert not file_slug(hostile).startswith("."), hostile
    assert page_url("roles/质检员.md") == "roles/%E8%B4%A8%E6%A3%80%E5%91%98/"
    assert page_url("roles/index.md", directory_urls=False) == "roles/index.html"
    assert page_url("index.md") == "./"


def test_the_core_imports_no_mkdocs():
    """In a fresh interpreter: the core runs, and neither MkDocs nor Material gets imported."""
    code = (
        "import sys, datetime\n"
        "from pathlib import Path\n"
        "from sop_plugin.i18n import strings_for\n"
        "from sop_plugin.model import load_catalog\n"
        "from sop_plugin.pages.context import SiteContext\n"
        "from sop_plugin.pages.core import generate_site\n"
        f"docs = Path({str(ROOT / 'docs')!r})\n"
        "catalog = load_catalog(docs, None, None, 'roles.yml')\n"
        "out = generate_site(SiteContext.standalone(catalog, strings_for('en'), datetime.date(2026, 12, 1)))\n"
        "print(len(out.pages), sorted(m for m in sys.modules if m.split('.')[0] in ('mkdocs', 'material')))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    count, modules = re.fullmatch(r"(\d+) (\[.*\])\n", run.stdout).groups()
    assert int(count) > 40 and modules == "[]"


_SEGMENT = st.sampled_from(["id", "SOP-QC-001", "v1.0", "qc", "a b", "巴氏", "index.html", "assets", "..", "."])


@given(
    target=st.lists(_SEGMENT, max_size=5).map("/".join),
    page=st.lists(_SEGMENT.filter(lambda s: s != ".."), max_size=5).map("/".join),
    slash=st.booleans(),
)
def test_relative_url_gives_what_posixpath_relpath_gives(target, page, slash):
    """urls.relative_url works from the strings alone (relpath asks for the working folder each call)."""
    page_url = page + ("/" if slash and page else "")
    base = posixpath.dirname(page_url) if not page_url.endswith("/") else page_url.rstrip("/")
    expected = posixpath.relpath(target or ".", base or ".")
    if posixpath.normpath(target or ".").startswith(".."):
        return  # above the site root: no site link is (relpath's answer names the working folder)
    if target.endswith("/") and not expected.endswith("/"):
        expected += "/"
    assert relative_url(target, page_url) == ("./" if expected in (".", "./") else expected)
