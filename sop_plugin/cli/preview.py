"""``sop serve FILE...``: a preview of the SOPs being edited, rebuilt in seconds on every save.

A full ``mkdocs serve`` renders every page on every save (minutes at thousands of SOPs). This
builds the site with the plugin's ``preview`` option (:mod:`sop_plugin.adapter.preview`): the whole
catalog is loaded and validated as in a full build (every problem is printed on every rebuild),
but only the edited SOPs, their department and quiz pages and the home page are rendered. The
result is served on http://127.0.0.1:PORT/ by MkDocs' live-reload server, rebuilt when anything
in the docs folder, the quizzes or ``mkdocs.yml`` changes, and the open page reloads itself.
Files that did not change are not parsed again (``model/cache.py``).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import tempfile
from pathlib import Path

from sop_plugin.adapter.preview import MkDocsException, docs_dir_of, preview_build
from sop_plugin.adapter.preview import serve as serve_preview


def docs_relative(config_file: Path, files: list[str]) -> tuple[Path, list[str]]:
    """The docs folder of ``config_file`` and ``files`` relative to it (an error names a file outside)."""
    docs = docs_dir_of(config_file)
    out = []
    for name in files:
        path = Path(name).resolve()
        try:
            out.append(path.relative_to(docs).as_posix())
        except ValueError:
            raise SystemExit(f"sop serve: {name} is not under the docs folder {docs}") from None
        if not path.is_file():
            raise SystemExit(f"sop serve: no such file: {name}")
    return docs, out


def serve(config_file: Path, files: list[str], port: int = 8000, once: bool = False) -> int:
    """Build the preview, serve it and rebuild on changes until interrupted (``once``: build and return)."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    _, sources = docs_relative(config_file, files)
    site = Path(tempfile.mkdtemp(prefix="sop-preview-"))
    try:
        if once:
            seconds = preview_build(config_file, sources, site)
            print(f"preview of {', '.join(sources)} built in {seconds:.1f} s")
            return 0
        print(f"preview of {', '.join(sources)}: building the whole catalog once, then only what changes")
        serve_preview(config_file, sources, site, port, report=lambda line: print(line, flush=True))
    except MkDocsException as exc:
        raise SystemExit(f"sop serve: {exc}") from None
    finally:
        shutil.rmtree(site, ignore_errors=True)
    return 0


def add_parser(commands, command) -> None:
    """Register ``sop serve`` on the ``sop`` command's sub-parsers (``command`` makes a sub-parser)."""
    sub = command("serve", cmd_serve, "preview the SOPs you edit, rebuilt in seconds on every save")
    sub.add_argument("files", nargs="+", metavar="FILE", help="the SOP files to preview (under docs/)")
    sub.add_argument("-f", "--config-file", default="mkdocs.yml", help="the site's mkdocs.yml (default: ./mkdocs.yml)")
    sub.add_argument("-p", "--port", type=int, default=8000, help="port on 127.0.0.1 (default: 8000; 0: any)")
    sub.add_argument("--once", action="store_true", help="build the preview once, print the time, and exit")


def cmd_serve(args: argparse.Namespace) -> int:
    """``sop serve``."""
    config = Path(args.config_file).resolve()
    if not config.is_file():
        raise SystemExit(f"sop serve: no {args.config_file} here (use -f)")
    return serve(config, args.files, port=args.port, once=args.once)


__all__ = ["add_parser", "cmd_serve", "serve"]
