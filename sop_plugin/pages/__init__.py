"""Catalog -> generated files: machine-readable outputs, redirects and generated pages.

Every generator takes the validated :class:`~sop_plugin.model.Catalog` and a
:class:`~sop_plugin.render.SiteContext` and returns :class:`GeneratedFile` objects; the MkDocs
adapter turns them into MkDocs files. No MkDocs import here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GeneratedFile:
    """A file to add to the site: a Markdown page (``.md``) or a static file (anything else)."""

    src_uri: str
    content: str
