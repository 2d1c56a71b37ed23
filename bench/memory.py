"""Where does a build's memory go? Resident size at every plugin event, and what Python holds.

Runs ``mkdocs build`` in-process (like ``bench/phases.py``) and prints, after each plugin event
(first and last call of the page events), the process's resident size (``VmRSS``) and the memory
Python's allocator has handed out (``tracemalloc``, when ``--trace``; that slows the build about
threefold). With ``--trace`` it also prints the allocation sites holding the most memory at the
point where the build holds the most (after the last page's Markdown is converted, ``on_env``)
and at the end (``on_post_build``). Usage::

    python bench/memory.py /tmp/sop-bench/group-1000 -f mkdocs-plugin-all.yml --trace
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import BUILD_ENV  # noqa: E402

PAGE_EVENTS = {"pre_page", "page_read_source", "page_markdown", "page_content", "page_context", "post_page"}


def rss_mb() -> float:
    """Resident set size of this process, MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def report(label: str, trace: bool) -> None:
    traced = f"  python {tracemalloc.get_traced_memory()[0] / 2**20:7.0f} MB" if trace else ""
    print(
        f"{time.strftime('%H:%M:%S')}  {label:42} rss {rss_mb():7.0f} MB  peak {hwm_mb():7.0f} MB{traced}", flush=True
    )


def top(label: str, limit: int = 25) -> None:
    snapshot = tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen importlib._bootstrap>")]
    )
    print(f"\n-- largest holders at {label} (by allocation site, 3 frames) --")
    for stat in snapshot.statistics("traceback")[:limit]:
        frames = " <- ".join(f"{Path(f.filename).name}:{f.lineno}" for f in stat.traceback)
        print(f"{stat.size / 2**20:8.1f} MB {stat.count:8d} blocks  {frames}")
    print(flush=True)


def instrument(config, trace: bool) -> None:
    """Report memory after each plugin event (page events: the first and every 1000th call)."""
    plugins = config.plugins
    for name, methods in plugins.events.items():
        if not methods:
            continue
        calls = [0]

        def wrap(func, name=name, calls=calls, last=methods[-1]):
            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                result = func(*args, **kwargs)
                if func is last:
                    calls[0] += 1
                    if name not in PAGE_EVENTS or calls[0] == 1 or calls[0] % 2000 == 0:
                        report(f"after on_{name} #{calls[0]}", trace)
                    if trace and name in ("files", "env", "post_build"):
                        top(f"on_{name}")
                return result

            return wrapper

        for i, method in enumerate(methods):
            origin = plugins._event_origins.get(method, "?")
            methods[i] = wrap(method)
            plugins._event_origins[methods[i]] = origin


def instrument_handlers(trace: bool) -> None:
    """Report memory after each handler of the sop plugin's combined ``on_files`` (the catalog,
    the site context with git history, the generated pages, the archived versions ...)."""
    from mkdocs.plugins import CombinedEvent

    from sop_plugin.adapter.plugin import SopPlugin

    event = SopPlugin.__dict__["on_files"]
    if not isinstance(event, CombinedEvent):
        return

    def wrap(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            result = func(*args, **kwargs)
            report(f"  after sop.{func.__name__}", trace)
            return result

        return wrapper

    event.methods = tuple(wrap(method) for method in event.methods)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=Path, help="a corpus written by bench/corpus.py or bench/run.py")
    parser.add_argument("-f", "--config", default="mkdocs-plugin-all.yml")
    parser.add_argument("-d", "--site-dir", default=None)
    parser.add_argument("--trace", action="store_true", help="tracemalloc: what Python holds, and where")
    args = parser.parse_args()
    os.environ.update(BUILD_ENV)
    os.chdir(args.root)
    if args.trace:
        tracemalloc.start(3)

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    report("start", args.trace)
    instrument_handlers(args.trace)
    config = load_config(args.config, site_dir=args.site_dir or str(args.root / "site-memory"))
    config.plugins.on_startup(command="build", dirty=False)
    instrument(config, args.trace)
    build(config)
    config.plugins.on_shutdown()
    report("end", args.trace)


if __name__ == "__main__":
    main()
