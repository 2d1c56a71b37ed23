"""Issue 10.1 (r-pages): the workstation cards and the Atom feed come from the core
(``pages.core.generate_site``) without MkDocs; the feed is rendered from a template with XML
autoescaping and stays well-formed XML whatever the titles hold; :func:`pages.html.fill`, the
fast way the link helpers build Markup, gives exactly what ``Markup.__mod__`` gives."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jinja2
import pytest
from conftest import sop_text
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from sop_plugin.i18n import strings_for
from sop_plugin.model import load_catalog
from sop_plugin.pages.context import SiteContext
from sop_plugin.pages.core import generate_site
from sop_plugin.pages.html import TEMPLATES, fill, xml_text

ROOT = Path(__file__).resolve().parents[1]
ATOM = "{http://www.w3.org/2005/Atom}"
TODAY = dt.date(2026, 2, 1)
HOSTILE = "<script>alert(1)</script> & ]]> <![CDATA[x]]> 'q' \"dq\""
Q = json.dumps  # a YAML double-quoted scalar
ROLES = """\
departments:
  - {id: QC, name: {zh: 质量部, en: Quality}}
roles:
  - {id: qc-inspector, name: {zh: QC检验员, en: QC Inspector}, department: QC}
  - {id: qa-manager, name: {zh: QA经理, en: QA Manager}, department: QC}
"""


def catalog_of(root: Path, files: dict[str, str]):
    docs = root / "docs"
    for name, text in {"roles.yml": ROLES, **files}.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(text, encoding="utf-8")
    sources = [(p.relative_to(docs).as_posix(), p.read_text(encoding="utf-8")) for p in sorted(docs.rglob("*.md"))]
    return load_catalog(docs, sources, root / "quizzes", "roles.yml")


def hostile_sop(sop_id: str, summary: str) -> str:
    extra = f"""\
roles:
  - {{role: qc-inspector, raci: R}}
applies_to: {{sites: [suzhou], workstations: [L1-03]}}
changes:
  - {{version: "1.0", date: 2026-01-10, summary: {Q(summary)}, reason: {Q(HOSTILE)}, author: {Q(HOSTILE)}}}
"""
    return sop_text(sop_id, "Title", extra=extra).replace("title: 'Title'", f"title: {Q(HOSTILE)}")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("r-pages")
    catalog = catalog_of(
        root,
        {
            "qc/a.md": hostile_sop("SOP-QC-001", HOSTILE + " \u0001\u000b\ufffe end"),
            "qc/b.md": hostile_sop("SOP-QC-002", "plain"),
        },
    )
    assert not [p for p in catalog.problems.items if p.severity == "error"], catalog.problems.items
    return catalog


def site_of(catalog, **options) -> SiteContext:
    return SiteContext.standalone(catalog, strings_for("en"), TODAY, **options)


@pytest.mark.parametrize("site_url", [None, "https://kb.example/plant/"])
def test_the_feed_is_well_formed_atom_with_hostile_titles_as_text(hostile, site_url):
    output = generate_site(site_of(hostile, site_url=site_url, site_name=f"KB {HOSTILE}"))
    raw = output.page("changes/feed.xml").content
    assert "<script>" not in raw and "]]>" not in raw.replace("<![CDATA[", "")  # never raw: escaped text only
    feed = ET.fromstring(raw.encode("utf-8"))  # an XML parser: well-formed or it raises
    assert feed.tag == f"{ATOM}feed" and feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert feed.findtext(f"{ATOM}title") == f"KB {HOSTILE} — What changed"
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == f"KB {HOSTILE}"
    entries = {e.find(f"{ATOM}category").get("term"): e for e in feed.findall(f"{ATOM}entry")}
    assert set(entries) == {"SOP-QC-001", "SOP-QC-002"}
    first = entries["SOP-QC-001"]
    # The characters XML 1.0 cannot hold (U+0001, U+000B, U+FFFE) are dropped; everything else is text.
    assert first.findtext(f"{ATOM}title") == f"SOP-QC-001 {HOSTILE} — 1.0: {HOSTILE}  end"
    assert first.findtext(f"{ATOM}summary") == f"{HOSTILE}  end (Reason: {HOSTILE})"
    assert first.findtext(f"{ATOM}author/{ATOM}name") == HOSTILE
    roles = [c for c in first.findall(f"{ATOM}category") if c.get("term") == "qc-inspector"]
    assert [c.get("label") for c in roles] == ["QC Inspector"]
    href = first.find(f"{ATOM}link").get("href")
    assert href == ("https://kb.example/plant/qc/a/" if site_url else "../qc/a/")
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == (
        "https://kb.example/plant/changes/feed.xml" if site_url else "feed.xml"
    )


def test_the_feed_template_is_overridable_like_every_page(hostile, tmp_path):
    custom = tmp_path / "overrides" / "pages"
    custom.mkdir(parents=True)
    (custom / "feed.xml.html").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        "{% for e in entries %}<entry><title>{{ e.title }}</title></entry>{% endfor %}</feed>",
        encoding="utf-8",
    )
    loader = jinja2.ChoiceLoader(
        [jinja2.FileSystemLoader(str(tmp_path / "overrides")), jinja2.FileSystemLoader(str(TEMPLATES))]
    )
    feed = ET.fromstring(generate_site(site_of(hostile, loader=loader)).page("changes/feed.xml").content.encode())
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert len(titles) == 2 and f"SOP-QC-001 {HOSTILE} — 1.0: {HOSTILE}  end" in titles  # still escaped


def test_cards_come_from_generate_site_without_mkdocs(hostile):
    output = generate_site(site_of(hostile))
    cards = sorted(page.src_uri for page in output.pages if page.src_uri.startswith("cards/"))
    assert cards == ["cards/index.md", "cards/site-suzhou.md", "cards/workstation-L1-03.md"]
    card = output.page("cards/workstation-L1-03.md")
    assert card.title == "Card: workstation L1-03" and not card.in_nav and card.meta == {"search": {"exclude": True}}
    assert card.body.startswith(f'<h1 id="{card.anchor}">Card: workstation L1-03</h1>')  # its H1, like every page
    assert card.body.count('data-card-sop="') == 2 and "<script>alert" not in card.body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; ]]&gt;" in card.body  # the title, as text
    index = output.page("cards/index.md")
    assert index.in_nav and index.title == "Workstation cards" and 'href="workstation-L1-03/"' in index.body
    # Both SOPs changed within 90 days: "what changed" (returned once, with the note) names the cards to reprint.
    changes = [page for page in output.pages if page.src_uri == "changes/index.md"]
    assert len(changes) == 1 and 'href="../cards/workstation-L1-03/"' in changes[0].body


def test_no_cards_without_the_generated_pages(hostile):
    output = generate_site(site_of(hostile), generated_pages=False)
    assert not [page for page in output.pages if page.src_uri.startswith("cards/")]
    assert output.page("changes/feed.xml") is not None and output.page("changes/index.md") is not None


def test_the_example_knowledge_base_has_its_cards_from_the_core():
    docs = ROOT / "docs"
    sources = [(p.relative_to(docs).as_posix(), p.read_text(encoding="utf-8")) for p in sorted(docs.rglob("*.md"))]
    catalog = load_catalog(docs, sources, ROOT / "quizzes", "roles.yml")
    output = generate_site(SiteContext.standalone(catalog, strings_for("zh"), dt.date(2026, 12, 1)))
    cards = [page for page in output.pages if page.src_uri.startswith("cards/")]
    assert len(cards) > 3 and all(page.body.startswith(f'<h1 id="{page.anchor}">') for page in cards)
    ET.fromstring(output.page("changes/feed.xml").content.encode("utf-8"))


TEMPLATES_OF_FILL = [
    Markup('<a href="%s" data-sop-ref="%s" class="sop-ref"><span class="sop-ref__id">%s</span> %s</a>'),
    Markup('<span class="sop-cp-badge sop-cp-badge--%s">%s</span>'),
]
VALUES = st.one_of(st.text(), st.none(), st.integers(), st.text().map(Markup))


@given(st.sampled_from(TEMPLATES_OF_FILL), st.lists(VALUES, min_size=4, max_size=4))
def test_fill_gives_what_markup_mod_gives(template, values):
    values = values[: template.count("%s")]
    assert fill(template, *values) == template % tuple(values)
    assert isinstance(fill(template, *values), Markup)


def test_xml_text_drops_only_what_xml_cannot_hold():
    assert xml_text("a\x00b\x0bc\tc\nd\ufffee") == "abc\tc\nde"
    assert xml_text(Markup("<b>\x01</b>")) == Markup("<b>\x01</b>") and xml_text(3) == 3


def test_every_package_template_is_html_so_mkdocs_does_not_publish_it():
    # The package's templates/ folder is a theme folder under MkDocs: any file there that is not
    # *.html would be copied into the site as it is (a feed template at site/pages/feed.xml).
    others = [p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*") if p.is_file() and p.suffix != ".html"]
    assert others == []
