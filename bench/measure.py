"""Run one ``mkdocs build`` as a child process and measure it; measure the site it wrote.

Peak memory is the child's own ``ru_maxrss`` from ``os.wait4`` (Linux: KiB), so it is exact per
build and needs no ``/usr/bin/time``. CPU time (user + system) is reported beside wall time: on a
noisy two-core machine it is the steadier of the two.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import unquote

from corpus import BUILD_DATE

from sop_plugin.pages.search_index import location_of, manifest_rows

#: Environment of every build: the same "today" for the plugin, a fixed build time, no banners.
BUILD_ENV = {
    "SOP_BUILD_DATE": BUILD_DATE,
    "SOURCE_DATE_EPOCH": "1768435200",
    "NO_MKDOCS_2_WARNING": "1",
    "PYTHONHASHSEED": "0",
}


@dataclass
class SiteStats:
    """Sizes in the built site."""

    total_bytes: int = 0
    files: int = 0
    html_files: int = 0
    sop_pages: int = 0
    median_sop_bytes: float = 0
    max_sop_bytes: int = 0
    search_index_bytes: int = 0
    search_index_sop_bytes: int = 0  # the part of the index that comes from SOP pages
    largest_other: list = field(default_factory=list)  # [(path, bytes)] of the biggest non-SOP pages
    largest_by_folder: dict = field(default_factory=dict)  # top folder -> [path, bytes] of its biggest page


@dataclass
class Build:
    """One measured build."""

    variant: str
    wall_s: float
    cpu_s: float
    maxrss_mb: float
    returncode: int
    warnings: list[str]
    stats: SiteStats
    load: float = 0.0  # 1-minute load average when the build ended: how busy the machine was
    #: Peak of the build's memory summed over its processes (the plugin writes archived pages on a
    #: second one): proportional set size, so memory two processes share counts once. Sampled.
    pss_peak_mb: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def sop_page_path(src: str) -> str:
    """``qc/sop-qc-0001.md`` -> ``qc/sop-qc-0001/index.html`` (``use_directory_urls: true``)."""
    stem = src[:-3]
    if stem == "index" or stem.endswith("/index"):
        return stem + ".html"
    return stem + "/index.html"


def site_stats(site: Path, sop_sources: list[str], skip_prefixes=("assets/", "search/", "id/")) -> SiteStats:
    """Total size, SOP page sizes and search index size of the built ``site``."""
    stats = SiteStats()
    sop_pages = {sop_page_path(src) for src in sop_sources}
    sop_sizes, others = [], []
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        size = path.stat().st_size
        rel = path.relative_to(site).as_posix()
        stats.total_bytes += size
        stats.files += 1
        if rel.endswith(".html"):
            stats.html_files += 1
            if rel in sop_pages:
                sop_sizes.append(size)
            elif not rel.startswith(skip_prefixes):
                others.append((rel, size))
                top = rel.split("/", 1)[0] if "/" in rel else ""
                if size > stats.largest_by_folder.get(top, ("", -1))[1]:
                    stats.largest_by_folder[top] = (rel, size)
    index = site / "search" / "search_index.json"
    if index.exists():  # with the plugin's pieces, if any: the whole index on disk
        stats.search_index_bytes = index.stat().st_size + sum(
            p.stat().st_size for p in (site / "search" / "pieces").rglob("*.js")
        )
        stats.search_index_sop_bytes = sop_index_bytes(index, sop_sources)
    stats.sop_pages = len(sop_sizes)
    if sop_sizes:
        stats.median_sop_bytes = statistics.median(sop_sizes)
        stats.max_sop_bytes = max(sop_sizes)
    stats.largest_other = sorted(others, key=lambda item: -item[1])[:3]
    return stats


def sop_index_bytes(index: Path, sop_sources: list[str]) -> int:
    """Bytes of the search index entries whose location is an SOP page, serialized as the file is
    (ASCII-escaped or UTF-8, compact): compares two indexes on the same pages only."""
    raw = index.read_bytes()
    ascii_only = raw.isascii()
    urls = {sop_page_path(src)[: -len("index.html")] for src in sop_sources}
    total = 0
    data = json.loads(raw)
    pieces = data.get("config", {}).get("sop_pieces")
    if pieces:  # the plugin's index in pieces: the SOP pages' share of the manifest, their text pieces
        rows = manifest_rows(data)
        for number, row in enumerate(rows):
            if unquote(location_of(row, pieces["folders"])) in urls:
                piece = index.parent / "pieces" / "p" / f"{number}.js"
                total += len(raw) // max(1, len(rows)) + piece.stat().st_size
        return total
    for doc in data.get("docs", []):
        location = unquote(doc.get("location", "")).split("#", 1)[0]
        if location in urls:
            total += len(json.dumps(doc, ensure_ascii=ascii_only, separators=(",", ":")).encode("utf-8")) + 1
    return total


def _warnings(stderr: str) -> list[str]:
    """The WARNING/ERROR lines of a build's output (``-q`` hides INFO)."""
    return [line.strip() for line in stderr.splitlines() if "WARNING" in line or "ERROR" in line]


def run_build(
    variant: str,
    root: Path,
    config: Path,
    sop_sources: list[str],
    *,
    python: str = sys.executable,
    strict: bool = False,
    keep: bool = False,
    extra_env: dict | None = None,
) -> Build:
    """Build ``config`` in a child process into ``root/site-<variant>`` and measure it."""
    out = root / f"site-{variant}"
    if out.exists():
        shutil.rmtree(out)
    cmd = [python, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(out)]
    if strict:
        cmd.append("--strict")
    env = {**os.environ, **BUILD_ENV, **(extra_env or {})}
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
        memory = TreeMemory(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        memory.stop()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        tail = "\n".join(output.splitlines()[-30:])
        raise RuntimeError(f"build {variant} failed (exit {proc.returncode}): {' '.join(cmd)}\n{tail}")
    stats = site_stats(out, sop_sources)
    if not keep:
        shutil.rmtree(out)
    return Build(
        variant,
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        proc.returncode,
        _warnings(output),
        stats,
        os.getloadavg()[0],
        memory.peak_mb,
    )


class TreeMemory:
    """Samples, every ``interval`` seconds, the summed PSS (``/proc/<pid>/smaps_rollup``) of
    ``pid`` and its descendants while it runs; :attr:`peak_mb` is the highest sum (0 off Linux)."""

    def __init__(self, pid: int, interval: float = 0.5) -> None:
        self.pid, self.interval, self.peak_mb = pid, interval, 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._done.wait(self.interval):
            self.peak_mb = max(self.peak_mb, sum(map(_pss_kb, _tree(self.pid))) / 1024)


def _tree(pid: int) -> list[int]:
    """``pid`` and every live descendant."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    todo += [int(child) for child in children.read().split()]
        except OSError:
            continue
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            return next((int(line.split()[1]) for line in rollup if line.startswith("Pss:")), 0)
    except OSError:
        return 0


def median_build(builds: list[Build]) -> Build:
    """The median of repeated builds of one variant: median wall, CPU and memory; sizes of the first."""
    first = builds[0]
    if len(builds) == 1:
        return first
    return Build(
        first.variant,
        statistics.median(b.wall_s for b in builds),
        statistics.median(b.cpu_s for b in builds),
        statistics.median(b.maxrss_mb for b in builds),
        first.returncode,
        first.warnings,
        first.stats,
        statistics.median(b.load for b in builds),
        statistics.median(b.pss_peak_mb for b in builds),
    )
