"""The HTML toolkit of the generated pages: templates, links, badges, UI strings with links.

One way to write HTML: Jinja templates with autoescaping (``templates/pages/`` and
``templates/sop/`` of the package, looked up through the theme's loader, so a site overrides any
one of them from its ``custom_dir``), and the helpers below, which return
:class:`markupsafe.Markup` built with ``Markup.format`` (every value escaped). Nothing here
escapes by hand, swaps placeholders or wraps a raw string in ``Markup``.

- :func:`environment` is the Jinja environment of a build (one per :class:`SiteContext`), with
  the globals every template may use: ``t`` (a UI string), ``tm`` (a UI string whose
  ``{placeholders}`` take HTML, see :func:`ui`), ``localized``, ``links`` (:class:`Links`),
  ``lang``, ``today`` (the build date), ``names``, ``cp_badge``, ``role_src``,
  ``relative_url``.
- :func:`render_page` renders a page template (which extends ``pages/page.html``: the H1 and the
  body) into a :class:`~sop_plugin.pages.GeneratedFile`.
- :class:`Links` caches the links of one build: SOP links (``data-sop-ref``), role links, status
  badges, control-point badges. Links are ``root + url`` (``root``: ``../`` to the site root,
  :func:`.urls.root_of`): MkDocs does not rewrite links inside raw HTML.

No MkDocs import.
"""

from __future__ import annotations

import json
from pathlib import Path

import jinja2
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape
from pymdownx.slugs import slugify

from sop_plugin.model import Sop, localized
from sop_plugin.model.schema import ControlPoint
from sop_plugin.pages import GeneratedFile
from sop_plugin.pages.context import SiteContext
from sop_plugin.pages.urls import relative_url, role_src, root_of

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
_EMPTY = Markup("")
_SLUG = slugify(case="lower")


def heading_id(title: str) -> str:
    """The id of a generated page's H1: the title as the adapter's default heading ids make it
    (``pymdownx.slugs``, lower case), so the page keeps the anchor it had as Markdown."""
    return _SLUG(title, "-") or "title"


def environment(site: SiteContext) -> jinja2.Environment:
    """The Jinja environment of this build (made once per site context): autoescaped, over
    ``site.loader`` (the theme's loader under MkDocs) or the package's ``templates/``."""
    env = site.cache.get("env")
    if env is None:
        loader = site.loader or jinja2.FileSystemLoader(str(TEMPLATES))
        env = jinja2.Environment(
            loader=loader,
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,  # one build: no file-date check at every lookup
        )
        env.globals.update(
            t=site.t,
            tm=lambda key, **values: ui(site, key, **values),
            localized=localized,
            links=links(site),
            lang=site.t.language,
            today=site.today,
            names=names,
            cp_badge=cp_badge,
            role_src=role_src,
            relative_url=relative_url,
        )
        site.cache["env"] = env
    return env


def render(site: SiteContext, template: str, **context) -> Markup:
    """A template of this build rendered with ``context`` (HTML)."""
    return escape(environment(site).get_template(template).make_module(context))  # its __html__: the body


def render_page(
    site: SiteContext, src: str, title: str, template: str, in_nav: bool = True, meta: dict | None = None, **context
) -> GeneratedFile:
    """The generated page ``src``: ``template`` (extending ``pages/page.html``) rendered with the
    page's ``title``, ``page_url``, ``root`` and ``context``; ``meta`` goes to its front-matter."""
    url, anchor = site.url_for_src(src), heading_id(title)
    body = (
        environment(site)
        .get_template(template)
        .render(title=title, anchor=anchor, page_url=url, root=root_of(url), **context)
    )
    return GeneratedFile.page(src, title, body, in_nav=in_nav, anchor=anchor, **(meta or {}))


def macros(site: SiteContext, template: str):
    """The macros of ``template`` as Python callables returning Markup (e.g. a register's ``rows``)."""
    key = ("macros", template)
    module = site.cache.get(key)
    if module is None:
        module = site.cache[key] = environment(site).get_template(template).module
    return module


def ui(site: SiteContext, key: str, **values) -> Markup:
    """A UI string whose ``{placeholders}`` take HTML (links, Markup) or text (escaped); the
    string itself is escaped too (a site may override it)."""
    return escape(site.t(key)).format(**values)


def sop_ref(href: str, sop_id: str, title: str) -> Markup:
    """The link to an SOP (CONTRACT section 4): ``<a data-sop-ref>`` with its id and title."""
    return _SOP_REF % (href, sop_id, sop_id, title)


def missing_ref(sop_id: str, text: str | None = None) -> Markup:
    """An SOP with no page in this build: ``text``, its id and why, where the reader needs to know
    (``t("ref_missing", id=..., reason=t("not_in_copy"))``: "SOP-QA-011（不在本副本中）"); without
    ``text`` the id alone (tables, lists)."""
    if text is None:
        return Markup('<span class="sop-ref--missing">{}</span>').format(sop_id)
    return Markup('<span class="sop-ref sop-ref--missing" data-sop-ref="{}">{}</span>').format(sop_id, text)


def script_json(value, sort_keys: bool = True) -> Markup:
    """``value`` as JSON that is safe inside a ``<script>`` element (``< > & '`` as JSON escapes:
    no ``</script>``, no ``<!--``), compact, keys sorted unless ``sort_keys`` is False."""
    return htmlsafe_json_dumps(value, dumps=json.dumps, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)


def names(name, lang: str) -> Markup:
    """Every language of a name, the site language first: ``QC检验员 · QC Inspector``."""
    if isinstance(name, str):
        return Markup("<span>{}</span>").format(name)
    order = sorted(name, key=lambda code: (code != lang, code))
    return Markup(" · ").join(Markup('<span lang="{}">{}</span>').format(code, name[code]) for code in order)


# Markup's % formatting escapes every value like .format, at half the cost (registers have
# tens of thousands of cells).
_CP_SPAN = Markup('<span class="sop-cp-badge sop-cp-badge--%s">%s</span>')
_CP_LINK = Markup('<a class="sop-cp-badge sop-cp-badge--%s" href="%s#cp-%s">%s</a>')
_SOP_REF = Markup('<a href="%s" data-sop-ref="%s" class="sop-ref"><span class="sop-ref__id">%s</span> %s</a>')
_SOP_ID_REF = Markup('<a href="%s%s" data-sop-ref="%s" title="%s">%s</a>')
_ROLE_REF = Markup('<a href="%s%s" data-role-ref="%s">%s</a>')


def cp_badge(point: ControlPoint, sop_url: str | None) -> Markup:
    """A control point's badge, linking to it on its SOP's page when ``sop_url`` is given."""
    kind = point.kind.lower()
    text = point.id if point.id.upper().startswith(point.kind) else f"{point.kind} {point.id}"
    if sop_url is None:
        return _CP_SPAN % (kind, text)
    return _CP_LINK % (kind, sop_url, point.id, text)


def links(site: SiteContext) -> Links:
    """The link cache of this build (one per site context)."""
    cached = site.cache.get("links")
    if cached is None:
        cached = site.cache["links"] = Links(site)
    return cached


class Links:
    """Cached links of one build: SOPs, roles, generated pages, status badges (all Markup)."""

    def __init__(self, site: SiteContext):
        self.site = site
        self.t = site.t
        self._sop_url: dict[str, str | None] = {}
        self._sop: dict[tuple, Markup] = {}
        self._src: dict[str, str] = {}
        self._role: dict[tuple[str, str], Markup] = {}
        self._badge: dict[str, Markup] = {}

    def url(self, src: str) -> str:
        """The site-root-relative URL of the generated page ``src``."""
        url = self._src.get(src)
        if url is None:
            url = self._src[src] = self.site.url_for_src(src)
        return url

    def sop_url(self, sop: Sop) -> str | None:
        """The site-root-relative URL of the page showing ``sop``, or None when it has no page in this build."""
        key = sop.path if sop.is_translation else sop.id
        if key not in self._sop_url:
            # By id: a version in force shown while a newer one is upcoming lives at the SOP's page.
            self._sop_url[key] = self.site.url_of_path(sop.path) if sop.is_translation else self.site.url_of(sop.id)
        return self._sop_url[key]

    def sop(self, sop: Sop, root: str, title: bool = True) -> Markup:
        """``<a data-sop-ref>SOP-ID title</a>``; the id alone (title on hover) when ``title`` is False;
        ``<span class="sop-ref--missing">`` when the SOP has no page in this build."""
        key = (sop.path if sop.is_translation else sop.id, sop.title, root, title)
        html = self._sop.get(key)
        if html is None:
            url = self.sop_url(sop)
            if url is None:
                html = missing_ref(sop.id)
            elif title:
                html = sop_ref(root + url, sop.id, sop.title)
            else:
                html = _SOP_ID_REF % (root, url, sop.id, sop.title, sop.id)
            self._sop[key] = html
        return html

    def role_name(self, role_id: str) -> str:
        """The role's name in the site language; the id when it is not in roles.yml."""
        role = self.site.catalog.roles.get(role_id)
        return localized(role.name, self.t.language) if role else role_id

    def role(self, role_id: str, root: str) -> Markup:
        """A link to a role's page (``data-role-ref``); plain text for a role not in roles.yml."""
        key = (role_id, root)
        html = self._role.get(key)
        if html is None:
            if role_id in self.site.catalog.roles:
                html = _ROLE_REF % (root, self.url(role_src(role_id)), role_id, self.role_name(role_id))
            else:
                html = Markup("<span>{}</span>").format(role_id)
            self._role[key] = html
        return html

    def badge(self, sop: Sop) -> Markup:
        """The SOP's status badge (state on the build date)."""
        state = sop.state(self.site.today)
        html = self._badge.get(state)
        if html is None:
            html = self._badge[state] = Markup('<span class="sop-badge sop-badge--{}">{}</span>').format(
                state, self.t("status." + state)
            )
        return html
