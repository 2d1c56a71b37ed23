"""HTML for SOP pages (header card, banners, control points, exceptions, records, relations).

Templates live in ``templates/sop/`` of the package and are looked up through the theme's loader,
so a site may override any of them from its ``custom_dir``. Autoescaping is on: every value from
front-matter is escaped (a title may contain ``<script>``). No MkDocs import.
"""

from __future__ import annotations

from urllib.parse import quote

import jinja2
from markupsafe import Markup

from sop_plugin.model import Sop, localized
from sop_plugin.pages.context import SiteContext
from sop_plugin.pages.forms import template_path
from sop_plugin.pages.html import environment, missing_ref, sop_ref
from sop_plugin.pages.swimlane import swimlane
from sop_plugin.pages.urls import relative_url


class SopRenderer:
    """Renders the SOP partials with the build's Jinja environment (:func:`.html.environment`).

    ``loader``: the theme's template loader, when the site context does not name one yet."""

    def __init__(self, loader: jinja2.BaseLoader | None, site: SiteContext):
        self.site = site
        if site.loader is None and loader is not None:
            site.loader = loader
        self.env = environment(site)
        self._last: tuple[Sop, str, dict] | None = None  # a page's header and sections share one context

    def context(self, sop: Sop, page_url: str) -> dict:
        """What every SOP template gets for ``sop`` on the page at ``page_url`` (do not change it:
        the header card and the sections of one page are rendered from the same dict)."""
        last = self._last
        if last is not None and last[0] is sop and last[1] == page_url:
            return last[2]
        context = self._context(sop, page_url)
        self._last = (sop, page_url, context)
        return context

    def _context(self, sop: Sop, page_url: str) -> dict:
        site, catalog, lang = self.site, self.site.catalog, self.site.t.language

        def link(sop_id: str) -> Markup:
            target, url = catalog.get(sop_id), site.url_of(sop_id)
            if target is None or url is None:
                reason = "not_in_copy" if target or catalog.is_left_out(sop_id) else "unknown_sop"
                return missing_ref(sop_id, site.t("ref_missing", id=sop_id, reason=site.t(reason)))
            return sop_ref(relative_url(url, page_url), sop_id, target.title)

        def role_name(role_id: str) -> str:
            role = catalog.roles.get(role_id)
            return localized(role.name, lang) if role else role_id

        department = catalog.departments.get(sop.meta.department)
        source = catalog.get(sop.meta.translation_of) if sop.is_translation else None
        return {
            "sop": sop,
            "meta": sop.meta,
            "state": sop.state(site.today),
            "overdue": sop.review_overdue(site.today),
            "link": link,
            "role_name": role_name,
            "department_name": localized(department.name, lang) if department else sop.meta.department,
            "superseded_by": catalog.superseded_by.get(sop.id, []),
            "referenced_by": catalog.referenced_by.get(sop.id, []) if not sop.is_translation else [],
            "problems": catalog.problems_of(sop.path),
            "source": source,
            "edit_url": site.edit_url_of(sop.path),
            "report_href": site.report_href(sop),
            "qr": site.qr.for_page(sop.id, sop.version, page_url),
            "exception_report": lambda rule: site.report_href(sop, exception=rule.trigger, step=rule.step),
            "form_href": lambda record: _form_href(record, page_url),
            "swimlane": swimlane(sop),
        }

    def header(self, sop: Sop, page_url: str, **extra) -> str:
        """The header card and status banners shown above the SOP body (``extra`` overrides context)."""
        return self.render("sop/header.html", sop, page_url, **extra)

    def sections(self, sop: Sop, page_url: str, **extra) -> str:
        """Control points, exceptions, records and relations shown below the SOP body."""
        return self.render("sop/sections.html", sop, page_url, **extra)

    def render(self, template: str, sop: Sop, page_url: str, **extra) -> str:
        """Any SOP template with the page context, ``extra`` added or overriding."""
        return self.env.get_template(template).render({**self.context(sop, page_url), **extra})


def _form_href(record, page_url: str) -> str | None:
    """The download link of a record's blank form (``records[].template``, a file under docs/)."""
    path = template_path(record.template)
    return relative_url(quote(path), page_url) if path else None
