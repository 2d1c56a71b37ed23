"""URL rules of the generated pages: which file each page is, and how one page links to another.

:func:`page_src` is the one place that turns an id (role, department, site, quiz, owner part,
SOP id ...) into the file name of a generated page; every page module asks it. Ids are checked
against a safe pattern when the catalog loads (``model/``); here :func:`file_slug` makes sure, as
a second line of defence, that no id can leave its folder (no ``/``, no leading ``.``).

Leaf module: nothing from the rest of ``pages/``, no MkDocs.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote

ROLES_DIR = "roles"
REGISTERS_DIR = "registers"
DEPARTMENTS_DIR = "departments"
SITES_DIR = "sites"
OWNERS_DIR = "owners"
TRAINING_DIR = "training"
CHANGES_DIR = "changes"
REVIEWS_DIR = "reviews"
DIRECTORY_DIR = "directory"
ID_DIR = "id"  # id/<SOP-ID>/: the stable address of an SOP (redirect), id/<SOP-ID>/v<version>/: archived

_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


def file_slug(value: str) -> str:
    """An id as one file-name segment: letters (any script), digits, ``.``, ``-``, ``_`` kept; the rest ``-``.

    Ids are written as they are (``roles/qc-inspector``, ``roles/质检员``), so their URLs are
    stable; only characters a file name cannot hold are replaced, and leading or trailing ``.`` and
    ``-`` are dropped, so a segment is never ``..`` and never hidden.
    """
    return _UNSAFE.sub("-", value.strip()).strip("-.") or "-"


def page_src(folder: str, *ids: str, suffix: str = ".md") -> str:
    """The file (``src_uri``) of a generated page: ``<folder>/index.md`` without ids, else
    ``<folder>/<id>.md`` or ``<folder>/<id>/<part>.md``, every id through :func:`file_slug`.

    ``page_src("roles", "qc-inspector")`` -> ``roles/qc-inspector.md``;
    ``page_src("registers", "control-points", "QC--2")`` -> ``registers/control-points/QC--2.md``;
    ``page_src("id", "SOP-QA-001", "index", suffix=".html")`` -> ``id/SOP-QA-001/index.html``.
    """
    if not ids:
        return f"{folder}/index{suffix}"
    return "/".join([folder, *(file_slug(value) for value in ids)]) + suffix


def relative_url(target: str, page_url: str) -> str:
    """``target`` (a site-root-relative URL) as seen from the page at ``page_url``."""
    base = posixpath.dirname(page_url) if not page_url.endswith("/") else page_url.rstrip("/")
    rel = _relpath(target or ".", base or ".")
    if target.endswith("/") and not rel.endswith("/"):
        rel += "/"
    return "./" if rel in (".", "./") else rel


def _relpath(target: str, base: str) -> str:
    """``posixpath.relpath(target, base)`` for two site-root-relative paths, from the strings
    alone: ``relpath`` asks the operating system for the working folder on every call (once per
    link of every page)."""
    to = [part for part in posixpath.normpath(target).split("/") if part not in ("", ".")]
    start = [part for part in posixpath.normpath(base).split("/") if part not in ("", ".")]
    common = 0
    for one, other in zip(to, start):
        if one != other:
            break
        common += 1
    return "/".join([".."] * (len(start) - common) + to[common:]) or "."


def root_of(page_url: str) -> str:
    """The relative way from the page at ``page_url`` up to the site root: ``""``, ``../`` ...

    Generated pages write links as ``root + url`` (MkDocs does not rewrite links inside raw HTML,
    and the prefix is the same for every link of a page)."""
    folder = page_url if page_url.endswith("/") else posixpath.dirname(page_url)
    folder = folder.strip("/")
    return "../" * (folder.count("/") + 1) if folder else ""


def page_url(src_uri: str, directory_urls: bool = True) -> str:
    """The site URL of the page built from ``src_uri``, by MkDocs' rule (``a/b.md`` -> ``a/b/`` or
    ``a/b.html``; ``a/index.md`` -> ``a/`` or ``a/index.html``; other files keep their name),
    percent-encoded as MkDocs gives it. For builds without MkDocs (:mod:`sop_plugin.pages.core`)."""
    stem, ext = posixpath.splitext(src_uri)
    if ext.lower() in (".md", ".markdown"):
        folder, name = posixpath.split(stem)
        if name.lower() in ("index", "readme"):
            dest = posixpath.join(folder, "index.html")
        else:
            dest = f"{stem}/index.html" if directory_urls else f"{stem}.html"
    else:
        dest = src_uri
    dirname, filename = posixpath.split(dest)
    if directory_urls and filename == "index.html":
        dest = (dirname or ".") + "/"
    return quote(dest)


# --- the pages of each family (each through page_src) -------------------------------------------


def role_src(role_id: str) -> str:
    """``roles/<role-id>.md``."""
    return page_src(ROLES_DIR, role_id)


def department_src(department_id: str) -> str:
    """``departments/<department-id>.md``."""
    return page_src(DEPARTMENTS_DIR, department_id)


def register_src(name: str) -> str:
    """``registers/<name>.md`` (``control-points``, ``records``, ``exceptions``, ``training-matrix``)."""
    return page_src(REGISTERS_DIR, name)


def site_src(site_id: str) -> str:
    """``sites/<site-id>.md``."""
    return page_src(SITES_DIR, site_id)


def quiz_src(quiz_id: str) -> str:
    """``training/<quiz-id>.md``: the page of one quiz."""
    return page_src(TRAINING_DIR, quiz_id)


def changes_src(role_id: str) -> str:
    """``changes/<role-id>.md``: the recent changes that concern one role."""
    return page_src(CHANGES_DIR, role_id)


def redirect_src(sop_id: str) -> str:
    """``id/<SOP-ID>/index.html``: the redirect to the current version (the same with or without directory URLs)."""
    return page_src(ID_DIR, sop_id, "index", suffix=".html")


def sop_address(sop_id: str) -> str:
    """``id/<SOP-ID>/``: the stable address of an SOP (CONTRACT section 4), site-root relative."""
    return page_src(ID_DIR, sop_id, suffix="/")
