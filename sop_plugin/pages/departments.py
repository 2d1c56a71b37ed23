"""Department pages: the light way into the SOPs, so navigation does not grow with their number.

SOP pages are kept out of the navigation; each department page lists its SOPs instead, and the
departments overview is what the navigation shows.
"""

from __future__ import annotations

import json

from markupsafe import Markup, escape

from ..model import Sop, localized
from ..render import SiteContext, relative_url
from . import GeneratedFile

DEPARTMENTS_DIR = "departments"


def department_src(department_id: str) -> str:
    return f"{DEPARTMENTS_DIR}/{department_id}.md"


def sop_table(sops: list[Sop], site: SiteContext, page_url: str) -> str:
    """A table of SOPs (id, title, version, status) with ``data-sop-ref`` links."""
    t = site.t
    rows = []
    for sop in sops:
        url = site.url_of_path(sop.path)
        if url is None:
            continue
        state = sop.state(site.today)
        rows.append(Markup(
            '<tr><td><a href="{href}" data-sop-ref="{id}">{id}</a></td><td><a href="{href}">{title}</a></td>'
            '<td>{version}</td><td><span class="sop-badge sop-badge--{state}">{status}</span></td></tr>'
        ).format(href=relative_url(url, page_url), id=sop.id, title=sop.title, version=sop.version,
                 state=state, status=t("status." + state)))
    head = Markup("<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>").format(
        t("id"), t("title"), t("version"), t("status"))
    return f'<div class="md-typeset__table"><table class="sop-list">{head}<tbody>{"".join(rows)}</tbody></table></div>'


def markdown_page(title: str, body_html: str, **meta) -> str:
    """A generated Markdown page: front-matter (as JSON, which is YAML), an H1 and an HTML body."""
    front = "".join(f"{key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in {"title": title, **meta}.items())
    return f"---\n{front}---\n\n# {escape(title)!s}\n\n{body_html}\n"


def department_pages(site: SiteContext) -> list[GeneratedFile]:
    """``departments/index.md`` and one page per department with its current SOPs, sorted by id."""
    catalog, lang = site.catalog, site.t.language
    by_department: dict[str, list[Sop]] = {}
    for sop in sorted(catalog.by_id.values(), key=lambda s: s.id):
        by_department.setdefault(sop.meta.department, []).append(sop)
    files, items = [], []
    overview_url = site.url_for_src(f"{DEPARTMENTS_DIR}/index.md")
    for department_id, department in sorted(catalog.departments.items()):
        name = localized(department.name, lang)
        src = department_src(department_id)
        url = site.url_for_src(src)
        sops = by_department.get(department_id, [])
        files.append(GeneratedFile(src, markdown_page(name, sop_table(sops, site, url))))
        items.append(Markup('<li><a href="{}">{}</a> — {}</li>').format(
            relative_url(url, overview_url), name, site.t("sop_count", n=len(sops))))
    files.append(GeneratedFile(f"{DEPARTMENTS_DIR}/index.md",
                               markdown_page(site.t("departments"), f'<ul class="sop-departments">{"".join(items)}</ul>')))
    return files
