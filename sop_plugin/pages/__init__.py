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


def generate_all(site) -> list[GeneratedFile]:
    """Every generated file of the site, from each generator module in turn.

    To add a generator: write a module in this package with a function ``(site) -> list[GeneratedFile]``
    and add it here. The adapter needs no change.
    """
    from .catalog_json import catalog_file
    from .departments import department_pages
    from .directory import directory_page
    from .redirects import redirect_files

    generators = [
        lambda site: [catalog_file(site, site.stamp)],
        redirect_files,
        directory_page,  # directory/: every SOP, filtered in the browser
        department_pages,
    ]
    files: list[GeneratedFile] = []
    for generator in generators:
        files.extend(generator(site))
    return files
