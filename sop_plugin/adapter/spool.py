"""Page bodies kept on disk between the two passes of a build, not in memory.

MkDocs converts every page first and renders them all afterwards, holding each page's content in
between. The generated pages' HTML bodies (registers, role and department pages: megabytes at
thousands of SOPs) wait here, in a temporary folder, from ``on_files`` until their page is
rendered; :meth:`Spool.take` reads one back and forgets it. :meth:`Spool.close` removes the folder.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from pathlib import Path


class Spool:
    """HTML bodies by key (a page's ``src_uri``), each in its own file until taken."""

    def __init__(self) -> None:
        self._folder: Path | None = None
        self._files: dict[str, Path] = {}
        self._count = itertools.count()

    def put(self, key: str, text: str) -> None:
        """Keep ``text`` under ``key`` (on disk)."""
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="sop-bodies-"))
        path = self._folder / f"{len(self._files)}.html"
        path.write_text(text, encoding="utf-8")
        self._files[key] = path

    def file(self, text: str) -> Path:
        """A file holding ``text``, kept until :meth:`close` (a generated file MkDocs copies
        from disk rather than from memory)."""
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="sop-bodies-"))
        path = self._folder / f"file-{next(self._count)}"
        path.write_text(text, encoding="utf-8")
        return path

    def __contains__(self, key: str) -> bool:
        return key in self._files

    def take(self, key: str) -> str | None:
        """The text kept under ``key`` (then forgotten), or None."""
        path = self._files.pop(key, None)
        if path is None:
            return None
        text = path.read_text(encoding="utf-8")
        path.unlink()
        return text

    def close(self) -> None:
        """Remove every file left (pages a build did not render) and the folder."""
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
        self._folder, self._files = None, {}
