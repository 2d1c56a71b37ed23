"""Offline checks of content: what a built page would fetch from outside the site.

The configuration checks (:mod:`sop_plugin.adapter.offline`) cannot see an image, a video or an
iframe with an external URL written in a page's own Markdown or HTML; on the intranet it breaks.
After each page is rendered, :func:`scan` reads its HTML (regular expressions, no DOM; only the
tags that hold ``//`` are parsed) and finds every *resource* that leaves the site:

- ``src`` of any element (``img``, ``script``, ``iframe``, ``video``, ``audio``, ``source``,
  ``embed``, ``track``, ``input``), ``srcset`` (``img``, ``source``), ``poster`` (``video``),
  ``data`` (``object``), ``href``/``xlink:href`` of SVG ``image``/``use``;
- ``href`` of ``<link>`` whose ``rel`` fetches (stylesheet, icon, preload, modulepreload,
  prefetch, preconnect, dns-prefetch, manifest);
- CSS ``url(...)`` and ``@import`` in ``style`` attributes and ``<style>`` blocks.

A URL leaves the site when it has a scheme (``https:``, ``http:``, ``ftp:``, ``file:`` ...; not
``data:``, ``blob:``, ``about:``, ``javascript:``) or starts with ``//``. Links (``<a href>``,
``<area href>``, other ``<link rel>``) to outside are allowed: they need the internet only when
followed, and :class:`ContentCheck` lists them once at INFO.

Each resource is attributed to the page's source file when it is in the page body
(``page.content``), else to the theme's templates (``custom_dir`` or theme settings), once per URL
for the whole build. No MkDocs import.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SCRIPT_BODY = re.compile(r"(<script\b[^>]*>).*?(</script\s*>)", re.S | re.I)
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.S | re.I)
_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9:-]*)(\s[^<>]*?)?/?>", re.S)
_ATTR = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
LOCAL_SCHEMES = frozenset({"data", "blob", "about", "javascript", "mailto", "tel"})
#: ``<link rel>`` values that make the browser fetch (or connect to) the URL.
FETCHING_RELS = frozenset(
    {
        "stylesheet",
        "icon",
        "apple-touch-icon",
        "preload",
        "modulepreload",
        "prefetch",
        "preconnect",
        "dns-prefetch",
        "manifest",
    }
)
RESOURCE_ATTRS = ("src", "poster", "data")
LINK_TAGS = frozenset({"a", "area"})
SVG_REF_TAGS = frozenset({"image", "use", "feimage"})


def leaves_site(url: str) -> bool:
    """True when ``url`` is fetched from outside the site (a scheme other than data:, or ``//``)."""
    url = url.strip()
    if url.startswith("//"):
        return True
    match = _SCHEME.match(url)
    return bool(match) and match.group(1).lower() not in LOCAL_SCHEMES


@dataclass(frozen=True)
class Found:
    """One URL in a page: what refers to it (``<img src>``, ``CSS url()``) and whether it is a link."""

    what: str
    url: str
    link: bool = False


def _srcset_urls(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def _css_urls(css: str) -> list[str]:
    return [next(group for group in match.groups() if group is not None) for match in _CSS_URL.finditer(css)]


def _tags_with_urls(text: str):
    """The tags of ``text`` that hold ``//`` (every URL that leaves the site does: ``https://``,
    ``//host``, ``file:///``), as regex matches of :data:`_TAG`: a page is mostly tags without any,
    and this skips them without parsing (the scan is about a millisecond for a Material page)."""
    done = 0
    position = text.find("//")
    while position != -1:
        start = text.rfind("<", 0, position)
        if start >= done and text.rfind(">", start, position) == -1:  # inside a tag
            match = _TAG.match(text, start)
            if match:
                done = match.end()
                yield match
                position = text.find("//", done)
                continue
        position = text.find("//", position + 2)


def scan(page_html: str) -> list[Found]:
    """Every URL of ``page_html`` that leaves the site: resources, and links (``link=True``)."""
    if "//" not in page_html:
        return []
    text = _SCRIPT_BODY.sub(r"\1\2", _COMMENT.sub("", page_html) if "<!--" in page_html else page_html)
    found: list[Found] = []
    if "<style" in text:
        for css in _STYLE_BLOCK.findall(text):
            found += [Found("<style> url()", url) for url in _css_urls(css) if leaves_site(url)]
    for match in _tags_with_urls(text):
        tag, attrs = match.group(1).lower(), match.group(2)
        if not attrs or ("=" not in attrs):
            continue
        values = {}
        for name, raw in _ATTR.findall(attrs):
            if raw:
                values.setdefault(name.lower(), html.unescape(raw[1:-1] if raw[0] in "\"'" else raw))
        for name in RESOURCE_ATTRS:
            if name in values and leaves_site(values[name]):
                found.append(Found(f"<{tag} {name}>", values[name].strip()))
        if "srcset" in values:
            found += [Found(f"<{tag} srcset>", url) for url in _srcset_urls(values["srcset"]) if leaves_site(url)]
        if "style" in values:
            found += [Found(f"<{tag} style> url()", url) for url in _css_urls(values["style"]) if leaves_site(url)]
        href = values.get("href") or values.get("xlink:href")
        if not href or not leaves_site(href):
            continue
        if tag == "link":
            rels = set(values.get("rel", "").lower().split())
            found.append(Found(f"<link rel={values.get('rel', '')}>", href.strip(), link=not rels & FETCHING_RELS))
        elif tag in SVG_REF_TAGS:
            found.append(Found(f"<{tag} href>", href.strip()))
        elif tag in LINK_TAGS:
            found.append(Found(f"<{tag} href>", href.strip(), link=True))
    return found


def _fix(url: str) -> str:
    """What to do about an external resource, in plain words."""
    if "twemoji" in url or "emojione" in url:
        return (
            "pymdownx.emoji draws emoji from a CDN: use Material's inline SVG emoji "
            "(emoji_index: material.extensions.emoji.twemoji, emoji_generator: material.extensions.emoji.to_svg)"
        )
    return "copy the file into docs/ and link it relatively"


def _none_known(url: str) -> bool:
    return False


@dataclass
class ContentCheck:
    """The findings of one build: external resources per source file, external links for INFO."""

    #: (source file, what, url) of every external resource in page bodies, in build order.
    resources: list[tuple[str, str, str]] = field(default_factory=list)
    #: url -> (what, number of pages) of external resources of the theme's templates.
    template: dict[str, list] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)  # external link -> first source file
    pages: int = 0
    #: URLs of the theme's templates already reported by the configuration checks (``extra_css``,
    #: ``theme.font``...): not reported a second time.
    known: Callable[[str], bool] = _none_known

    def page(self, source: str, output: str, content: str | None) -> None:
        """Check the rendered ``output`` of a page whose body is ``content``, written in ``source``."""
        self.pages += 1
        body, rest = ("", output) if not content else (content, output.replace(content, "", 1))
        seen = set()
        for item in scan(body):
            if item.link:
                self.links.setdefault(item.url, source)
            elif (item.what, item.url) not in seen:  # the same image twice on a page: once
                seen.add((item.what, item.url))
                self.resources.append((source, item.what, item.url))
        for item in scan(rest):
            if item.link or self.known(item.url):
                continue  # the theme's links (repository, social), or reported with the configuration
            entry = self.template.setdefault(item.url, [item.what, 0])
            entry[1] += 1

    def emptied(self) -> ContentCheck:
        """A check with no findings yet and the same ``known`` test (for a second process's pages)."""
        return dataclasses.replace(self, resources=[], template={}, links={}, pages=0)

    def portable(self) -> ContentCheck:
        """These findings without the ``known`` test, so that they pickle (sent back by a second process)."""
        return dataclasses.replace(self, known=_none_known)

    def take_earlier(self, earlier: ContentCheck) -> None:
        """Add the findings of pages checked before this check's own (by a second process), in the
        order one process would have found them."""
        self.resources[:0] = earlier.resources
        for url, (what, count) in earlier.template.items():
            self.template.setdefault(url, [what, 0])[1] += count
        self.links = {
            **earlier.links,
            **{url: source for url, source in self.links.items() if url not in earlier.links},
        }
        self.pages += earlier.pages

    def messages(self) -> list[str]:
        """One message per external resource: the source file first (``--strict`` names it)."""
        out = [
            f"{source}: {what} loads {url} from outside the site: {_fix(url)} (plant copies have no internet)"
            for source, what, url in self.resources
        ]
        out += [
            f"theme templates (custom_dir or theme settings): {what} loads {url} from outside the site "
            f"on {count} page(s)"
            for url, (what, count) in sorted(self.template.items())
        ]
        return out

    def links_line(self, shown: int = 10) -> str | None:
        """The one INFO line about links to outside (allowed): how many, and the first ones."""
        if not self.links:
            return None
        first = ", ".join(f"{url} ({source})" for url, source in list(self.links.items())[:shown])
        more = f" and {len(self.links) - shown} more" if len(self.links) > shown else ""
        return f"offline: {len(self.links)} link(s) to outside the site (allowed; they open only with internet): {first}{more}"
