"""Iterate on the search index format in seconds, not a 20-minute build.

``python bench/search_rebuild.py build CONFIG SITE`` builds a site with MkDocs in-process and keeps
what the plugin gives :func:`sop_plugin.pages.search_index.build_pieces` (the sections, the pages'
facts, the synonyms) in ``SITE/../<site name>-search-input.pickle``.

``python bench/search_rebuild.py rebuild SITE [--input PICKLE] [--old DIR]`` cuts that input again with the current
``build_pieces`` and rewrites ``search/search_index.json`` and ``search/pieces/`` of SITE (and
copies the current ``assets/sop/search-worker.js``), exactly as a build would. Then measure with
``python bench/search_browser.py SITE``.
"""

from __future__ import annotations

import importlib.util
import json
import pickle
import shutil
import sys
from pathlib import Path

import sop_plugin.adapter.search as adapter_search
from sop_plugin.adapter.search import WORKER_URI
from sop_plugin.pages import search_index


def input_file(site: Path) -> Path:
    return site.parent / f"{site.name}-search-input.pickle"


def build(config_file: Path, site: Path) -> None:
    """A full build that also saves the search index's input."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    original = adapter_search.build_pieces

    def keeping(entries, facts, synonyms=()):
        with input_file(site).open("wb") as out:
            pickle.dump((list(entries), dict(facts), [list(g) for g in synonyms]), out, protocol=5)
        return original(entries, facts, synonyms)

    adapter_search.build_pieces = keeping
    try:
        mkdocs_build(load_config(config_file=str(config_file), site_dir=str(site.resolve())))
    finally:
        adapter_search.build_pieces = original


def rebuild(site: Path, source: Path | None = None, old: Path | None = None) -> None:
    """The search files of ``site`` cut again from the saved input (or ``source``) with the current
    code, or with the ``search_index.py`` and ``search-worker.js`` in the folder ``old``."""
    with (source or input_file(site)).open("rb") as f:
        entries, facts, synonyms = pickle.load(f)
    module, worker = search_index, Path(adapter_search.__file__).parent.parent / "assets" / "search-worker.js"
    if old is not None:
        spec = importlib.util.spec_from_file_location("old_search_index", old / "search_index.py")
        module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        worker = old / "search-worker.js"
    manifest = site / "search" / "search_index.json"
    config = {k: v for k, v in json.loads(manifest.read_text(encoding="utf-8"))["config"].items() if k != "sop_pieces"}
    pieces = module.build_pieces(entries, {k: module.PageFacts(**vars(v)) for k, v in facts.items()}, synonyms)
    shutil.rmtree(site / search_index.PIECES_DIR, ignore_errors=True)
    for name, content in pieces.files.items():
        path = site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    text = search_index.manifest_text(config, pieces)  # as the build writes it (old pieces too)
    manifest.write_text(text, encoding="utf-8")
    shutil.copyfile(worker, site / WORKER_URI)
    keys = sum(p.stat().st_size for p in (site / search_index.PIECES_DIR / "k").iterdir())
    texts = sum(p.stat().st_size for p in (site / search_index.PIECES_DIR / "p").iterdir())
    print(
        f"{len(json.loads(text)['docs']) if old else pieces.config['sop_pieces']['pages']} pages: manifest "
        f"{len(text.encode()) / 1e6:.3f} MB, {pieces.config['sop_pieces']['shards']} key shards {keys / 1e6:.1f} MB, "
        f"text pieces {texts / 1e6:.1f} MB"
    )


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("build")
    one.add_argument("config", type=Path)
    one.add_argument("site", type=Path)
    two = sub.add_parser("rebuild")
    two.add_argument("site", type=Path)
    two.add_argument("--input", type=Path, help="a saved input (default: the site's own; see search_synth.py)")
    two.add_argument("--old", type=Path, help="a folder with another search_index.py and search-worker.js")
    args = parser.parse_args(argv)
    if args.command == "build":
        build(args.config, args.site)
    else:
        rebuild(args.site, args.input, args.old)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
