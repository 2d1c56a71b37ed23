"""The edit-save-see loop of ``sop serve`` (issue 14.4), timed as an author lives it.

:func:`edit_save_see` starts ``sop serve FILE`` (one process, as an author runs it), waits for the
first build, then saves the file ``saves`` times with a new line each time and measures, for each
save, the seconds from the write until the page shows the new line, the way the open page's
live-reload script sees it (it waits on ``/livereload/<build>/`` for a newer build, then reloads):
the file watcher, the rebuild and the reload included. Also the rebuild time (wall and CPU) the
command prints. Used by ``bench/run.py`` (``preview_checks``).
"""

from __future__ import annotations

import queue
import re
import socket
import statistics
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

_EPOCH = re.compile(r"livereload\(([0-9]+),\s*[0-9]+\)")
_REBUILT = re.compile(r"rebuilt in ([0-9.]+) s \(CPU ([0-9.]+) s")


@dataclass
class Loop:
    """What one ``sop serve`` session measured."""

    first_s: float  # start of the command until the first build is served
    see_s: list[float] = field(default_factory=list)  # per save: write -> the served page shows it
    rebuild_s: list[float] = field(default_factory=list)  # per save: the rebuild time the command printed
    rebuild_cpu_s: list[float] = field(default_factory=list)  # per save: the CPU time of that rebuild
    output: str = ""

    @property
    def see_median(self) -> float:
        return statistics.median(self.see_s)

    @property
    def rebuild_median(self) -> float:
        return statistics.median(self.rebuild_s) if self.rebuild_s else float("nan")

    @property
    def rebuild_cpu_median(self) -> float:
        return statistics.median(self.rebuild_cpu_s) if self.rebuild_cpu_s else float("nan")


def edit_save_see(
    python: str, config: Path, edited: Path, page: str, *, cwd: Path, env: dict, saves: int = 3, timeout: float = 900
) -> Loop:
    """Time ``saves`` edit-save-see rounds of one ``sop serve`` session (``page``: the edited SOP's
    URL path, e.g. ``qc/sop-qc-0001/``)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [python, "-m", "sop_plugin.cli.sop", "serve", "-p", str(port), "-f", str(config), str(edited)]
    start = time.perf_counter()
    server = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in server.stdout], daemon=True).start()
    url = f"http://127.0.0.1:{port}/{quote(page)}"
    seen: list[str] = []
    try:
        _wait(url, "</html>", timeout)
        loop = Loop(time.perf_counter() - start)
        _drain(lines, seen)
        original = edited.read_text(encoding="utf-8")
        for number in range(saves):
            marker = f"Saved for the preview benchmark, round {number}."
            time.sleep(1.0)  # an author's pause; lets the watcher settle
            epoch = _epoch(_get(url))  # the open page, as the browser holds it
            written = time.perf_counter()
            edited.write_text(original + f"\n\n{marker}\n", encoding="utf-8")
            while True:  # what the page's live-reload script does: wait for a newer build, reload
                epoch = int(_get(f"http://127.0.0.1:{port}/livereload/{epoch}/1", timeout) or epoch)
                if marker in _get(url):
                    break
            loop.see_s.append(time.perf_counter() - written)
            time.sleep(0.5)
            _drain(lines, seen)
        edited.write_text(original, encoding="utf-8")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    _drain(lines, seen)
    loop.output = "".join(seen)
    found = _REBUILT.findall(loop.output)[:saves]
    loop.rebuild_s, loop.rebuild_cpu_s = [float(w) for w, _ in found], [float(c) for _, c in found]
    return loop


def _drain(lines: queue.Queue, into: list[str]) -> None:
    while True:
        try:
            into.append(lines.get_nowait())
        except queue.Empty:
            return


def _get(url: str, timeout: float = 60) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode("utf-8", "replace")


def _epoch(html: str) -> int:
    """The build a served page belongs to (MkDocs' live-reload script: ``livereload(EPOCH, ID)``)."""
    found = _EPOCH.search(html)
    if found is None:
        raise RuntimeError("sop serve: no live-reload script in the served page")
    return int(found.group(1))


def _wait(url: str, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                if text in response.read().decode("utf-8", "replace"):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"sop serve: {url} did not show {text!r} within {timeout:.0f} s")
