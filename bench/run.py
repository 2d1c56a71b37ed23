"""The SOP plugin's benchmark: build a synthetic knowledge base with and without the plugin.

Speed and size targets of the issues live here, not in timed tests: this script PRINTS figures
and the ratio of each to plain Material built from the same corpus in the same run (the machine
is noisy, so ratios are what count). Every build is a child process
(``python -m mkdocs build -q -f <config> -d <out>``); its peak memory is the child's own maximum
resident set size.

Scenarios (``--scenario``):

foundation  issue 2. N SOPs with and without the plugin, same navigation (SOP pages out of the nav
            in both: the plain build gets ``nav: [index.md]``). Wall time, peak memory, median SOP
            page size; plain Material with every SOP in the nav for the page-size comparison.
            Targets: plugin/plain <= 1.3; median SOP page < 80 KB, independent of N.
history     issue 3. A git repository of N SOPs with 5 commits each (``git fast-import``), built
            with the plugin's history on and off. Targets: history adds < 2 s at N=3000; archived
            versions keep the build within 2x of the build without them.
pages       issue 4. N SOPs and 40 roles, generated role/register pages on and off.
            Targets: adds < 15 %; no generated page over 2 MB.
scale       issue 6. 3000 SOPs, half Chinese, every feature of the plugin on, against plain Material
            with department folders and ``navigation.prune``. Targets: build <= 1.5x, peak memory
            < 1.5 GB, search index <= 0.6x Material's default index; with ``--browser``, first
            search results in headless Chromium within 1.5 s of typing.
group       issue 14. 10,000 SOPs (half Chinese, 5 commits each, quizzes on every fifth) built with
            every feature of the plugin (and Material's offline plugin, for file://) against plain
            Material with ``navigation.prune``: build wall/CPU time and peak memory; in headless
            Chromium, bytes loaded and time until the first result for the plugin (file:// and
            http; typed one key at a time, as a person types), Material's default search (http) and Pagefind (http, indexed from the plugin's
            site); Chinese recall of the plugin and Pagefind; the preview of one edited SOP
            (``sop serve FILE --once``) at 3,000 SOPs; the plugin without archived versions
            (``archive_versions: 0``), on the corpus and on one with 3 archived versions per SOP
            (7 commits each, ``--archive-sops`` SOPs: 3,000), in one process and with
            ``archive_process: true`` (memory of both processes summed: PSS), every body
            converted (``archive_cache: false``, as in every other build of the plugin here) and
            with the bodies and diffs of the build before from the cache (``archive_cache: true``;
            one unmeasured build fills it). Targets: build <= 1.2x, memory <= 2x, <= 1.5 MB before the
            first result, first result <= 0.5 s, preview <= 3 s, archived versions <= 1.5x.
            ``--no-search``, ``--no-preview``, ``--no-archive-ratio`` leave parts out.
all         every scenario above (group included: expensive).

Scenarios whose plugin option has not landed yet print ``skipped: ...``.

Corpora are reused: when ``--workdir`` already holds the same corpus (same arguments, same
generator) with its git history, nothing is generated again (``--no-reuse`` forces it); the
50,000 commits of the 10,000-SOP corpus take minutes to write even with ``git fast-import``.
``bench/memory.py`` shows where a build's memory goes (resident size after every event).

Each ratio is printed twice: wall time (the target as the issues state it) and CPU time (user +
system of the build and its children), which is the steadier figure when other work shares the
two cores; the ``load`` column shows how busy the machine was. ``--repeat K`` builds the variants
interleaved K times and takes medians. To see where a build's time goes, run
``bench/phases.py <corpus> -f mkdocs-plugin.yml`` (per event handler and per page kind).

Examples::

    .venv/bin/python bench/run.py                          # foundation at N=1000
    .venv/bin/python bench/run.py --scenario all --repeat 3 --json /tmp/bench.json
    .venv/bin/python bench/run.py --scenario scale --sops 500 --browser
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus as corpus_mod  # noqa: E402
import gitrepo  # noqa: E402
import yaml  # noqa: E402
from measure import BUILD_ENV, Build, median_build, run_build  # noqa: E402
from report import KB, MB, Check, print_scenario  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = ("foundation", "history", "pages", "scale", "group")
#: N of each scenario's targets, used when --sops is not given.
DEFAULT_SOPS = {"foundation": 1000, "history": 1000, "pages": 1000, "scale": 3000, "group": 10000}
DEFAULT_ROLES = {"foundation": 12, "history": 12, "pages": 40, "scale": 40, "group": 40}
#: N at which the preview of one edited SOP is timed (issue 14).
PREVIEW_SOPS = 3000
SEARCH_QUERIES = ("杀菌釜", "metal detector")
#: Names the plugin's options may land under (the first that exists in SopConfig is used).
HISTORY_OPTIONS = ("history", "git_history")
ARCHIVE_OPTIONS = ("archive_versions", "keep_versions", "max_versions", "archives", "archive")
PAGES_OPTIONS = ("generated_pages", "role_pages", "registers", "indexes", "pages")
SEARCH_OPTIONS = ("tune_search",)
#: Folders of the role and register pages that must stay under 2 MB (issue 4).
LISTING_FOLDERS = ("roles", "registers")
GIT_REVISION_DATE_S_PER_1000 = 55  # mkdocs-git-revision-date-localized-plugin, measured here (issue 3)
MATERIAL_SEARCH_BASELINE = "Material's default search on 2000 Chinese SOPs here: 6.6 s, 37 MB index"


# --------------------------------------------------------------------------- plugin options


def plugin_schema() -> dict:
    """The plugin's config options by name (empty when the plugin cannot be imported)."""
    try:
        from sop_plugin.adapter.plugin import SopConfig
    except Exception as exc:  # the plugin is being edited by others; say so and carry on
        print(f"warning: cannot import sop_plugin.adapter.plugin ({exc}); plugin options unknown", file=sys.stderr)
        return {}
    return dict(SopConfig._schema)


def _unwrap(option):
    """The option inside ``c.Optional(...)``."""
    return getattr(option, "option", option)


def switch_value(option, on: bool):
    """The value that turns an option on or off: a bool, ``{enabled: ...}``, or 0 for an int limit."""
    from mkdocs.config import config_options as c

    inner = _unwrap(option)
    if isinstance(inner, c.SubConfig):
        return {"enabled": on}
    kind = getattr(inner, "_type", None)
    if kind is int or (isinstance(kind, tuple) and int in kind):
        return None if on else 0  # an archive limit: 0 keeps no archived version, None keeps all
    return on


def find_option(schema: dict, names) -> str | None:
    return next((name for name in names if name in schema), None)


def options_set(schema: dict, names, on: bool, override: str | None) -> dict | None:
    """Plugin options that turn a feature on/off; ``override`` is YAML given on the command line.
    None when the feature has no option (yet)."""
    if override and not on:
        return yaml.safe_load(override)
    name = find_option(schema, names)
    if name is None:
        return None
    value = switch_value(schema[name], on)
    return {} if value is None else {name: value}


def every_option_on(schema: dict) -> dict:
    """The plugin options that switch history, generated pages and search tuning on (scale and group)."""
    every = {}
    for names in (HISTORY_OPTIONS, PAGES_OPTIONS, SEARCH_OPTIONS):
        every.update(options_set(schema, names, True, None) or {})
    if "archive_cache" in schema:  # cold builds: every archived body converted (warm ones measured apart)
        every["archive_cache"] = False
    return every


# --------------------------------------------------------------------------- running variants


@dataclass
class Variant:
    """One build configuration of a scenario."""

    name: str
    config: Path
    repeat: bool = True  # False: build once whatever --repeat says (reference builds)
    keep: bool = False  # keep the built site (the browser test needs it)
    python: str | None = None  # the Python that runs mkdocs for this variant (None: --python)
    warm: bool = False  # built once, unmeasured, before the measured builds (a cache filled by it)


@dataclass
class Result:
    """What a scenario measured, for printing and for --json."""

    scenario: str
    sops: int
    builds: list[Build] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: str | None = None

    def build(self, variant: str) -> Build:
        return next(b for b in self.builds if b.variant == variant)

    def as_dict(self) -> dict:
        return {
            "scenario": self.scenario,
            "sops": self.sops,
            "skipped": self.skipped,
            "notes": self.notes,
            "builds": [b.as_dict() for b in self.builds],
            "checks": [c.as_dict() for c in self.checks],
        }


def measure(corpus, variants: list[Variant], args) -> list[Build]:
    """Build every variant ``--repeat`` times, interleaved (a, b, a, b ...) so that noise hits all
    alike, and return the median build of each, in the order given."""
    runs: dict[str, list[Build]] = {v.name: [] for v in variants}
    sources = corpus.sop_paths()
    for v in [v for v in variants if v.warm]:
        log(f"  build {v.name} once, not measured (fills its cache) ...")
        run_build(v.name, corpus.root, v.config, sources, python=v.python or args.python, strict=args.strict)
    for round_ in range(args.repeat):
        for v in variants:
            if round_ and not v.repeat:
                continue
            log(f"  build {v.name} ({round_ + 1}/{args.repeat if v.repeat else 1}) ...")
            build = run_build(
                v.name,
                corpus.root,
                v.config,
                sources,
                python=v.python or args.python,
                strict=args.strict,
                keep=v.keep or args.keep_sites,
            )
            log(
                f"    {build.wall_s:.1f} s wall, {build.cpu_s:.1f} s cpu, {build.maxrss_mb:.0f} MB peak "
                f"({build.pss_peak_mb:.0f} MB PSS, all processes), load {build.load:.1f}"
            )
            runs[v.name].append(build)
    return [median_build(runs[v.name]) for v in variants]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def make_corpus(
    args, scenario: str, *, git: bool = False, quizzes: bool = False, sops: int | None = None, revisions: int = 5
):
    """Generate the corpus of a scenario under ``--workdir``, optionally with its git history
    (``revisions`` commits per SOP: 5 give 3 versions, 2 of them archived; 7 give 3 archived)."""
    n = sops or args.sops or DEFAULT_SOPS[scenario]
    roles = args.roles or DEFAULT_ROLES[scenario]
    root = args.workdir / (f"{scenario}-{n}" + (f"-r{revisions}" if revisions != 5 else ""))
    start = time.perf_counter()
    made = dict(roles=roles, seed=args.seed, quizzes=quizzes, revisions=revisions)
    corpus = corpus_mod.generate(root, n, reuse=args.reuse, **made)
    reused = corpus.reused and (not git or gitrepo.has_repository(corpus))
    if corpus.reused and not reused:  # the files are there, the history is not: write both again
        corpus = corpus_mod.generate(root, n, **made)
    message = f"corpus: {n} SOPs, {roles} roles in {root} ({time.perf_counter() - start:.1f} s"
    if reused:
        message += ", reused from an earlier run" + (" with its git history" if git else "")
    elif git:
        start = time.perf_counter()
        commits = gitrepo.make_repository(corpus, seed=args.seed)
        message += f"; git history: {commits} commits in {time.perf_counter() - start:.1f} s"
    log(message + ")")
    return corpus


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def build_ratio(label: str, a: Build, b: Build, target: float | None, note: str = "") -> list[Check]:
    """``label`` as wall-time ratio a/b (the target) and as CPU-time ratio (the same target: on a
    busy machine CPU time is the steadier figure; on an idle one the two agree)."""
    op = "<=" if target is not None else None
    return [
        Check(f"{label} (wall)", ratio(a.wall_s, b.wall_s), op, target, note=note),
        Check(f"{label} (cpu)", ratio(a.cpu_s, b.cpu_s), op, target, note="steadier on a busy machine"),
    ]


# --------------------------------------------------------------------------- scenarios


def warm_up(args) -> None:
    """Build a tiny corpus once with and without the plugin, with ``--strict``: proves the generated
    front-matter is valid and warms the caches (bytecode, jieba's dictionary) before timing."""
    corpus = corpus_mod.generate(args.workdir / "warm-up", 24, roles=12, seed=args.seed, quizzes=True)
    corpus_mod.write_config(corpus.root, "plugin", sop_options={})
    corpus_mod.write_config(corpus.root, "plain", nav=["index.md"])
    for name in ("plugin", "plain"):
        build = run_build(
            name, corpus.root, corpus.root / f"mkdocs-{name}.yml", corpus.sop_paths(), python=args.python, strict=True
        )
        log(f"warm-up: --strict build of 24 SOPs ({name}) ok in {build.wall_s:.1f} s")


def foundation(args) -> Result:
    """Issue 2: the plugin against plain Material with the same (light) navigation."""
    corpus = make_corpus(args, "foundation")
    root, n = corpus.root, len(corpus.specs)
    variants = [
        Variant("plain", corpus_mod.write_config(root, "plain", nav=["index.md"])),
        Variant("plugin", corpus_mod.write_config(root, "plugin", sop_options={})),
        Variant("plain-full-nav", corpus_mod.write_config(root, "plain-full-nav"), repeat=False),
    ]
    core = options_set(plugin_schema(), PAGES_OPTIONS, False, args.pages_off)
    if core is not None:  # information: how much of the plugin's time its generated pages take
        variants.insert(
            2,
            Variant(
                "plugin-no-generated-pages",
                corpus_mod.write_config(root, "plugin-no-generated-pages", sop_options=core),
                repeat=False,
            ),
        )
    result = Result("foundation", n, measure(corpus, variants, args))
    plain, plugin, full = (result.build(v) for v in ("plain", "plugin", "plain-full-nav"))
    small = foundation_small(args, n)
    result.builds.append(small)
    median_kb = plugin.stats.median_sop_bytes / KB
    result.checks = [
        *build_ratio("build ratio plugin/plain", plugin, plain, 1.3),
        Check("peak memory ratio plugin/plain", ratio(plugin.maxrss_mb, plain.maxrss_mb), note="information"),
    ]
    if core is not None:
        bare = result.build("plugin-no-generated-pages")
        result.checks.append(
            Check(
                f"build ratio plugin with {core}/plain (wall)",
                ratio(bare.wall_s, plain.wall_s),
                note="information: the plugin without its generated pages (issue 4)",
            )
        )
    result.checks += [
        Check("median SOP page, plugin", median_kb, "<", 80, " KB"),
        Check("median SOP page, plain, same nav", plain.stats.median_sop_bytes / KB, unit=" KB", note="reference"),
        Check(
            "median SOP page, plain, every SOP in nav",
            full.stats.median_sop_bytes / KB,
            unit=" KB",
            note="reference: about 350 KB at N=1000",
        ),
        Check(
            f"median SOP page ratio plugin N={n} / N={small.stats.sop_pages}",
            ratio(plugin.stats.median_sop_bytes, small.stats.median_sop_bytes),
            "<=",
            1.1,
            note="page size independent of N",
        ),
    ]
    if n != DEFAULT_SOPS["foundation"]:
        result.notes.append(f"targets are stated for N={DEFAULT_SOPS['foundation']}; this run has N={n}")
    return result


def foundation_small(args, n: int) -> Build:
    """The plugin on a tenth of the corpus (at least 50 SOPs): shows the page size does not grow with N."""
    small_n = max(50, n // 10)
    corpus = make_corpus(args, "foundation", sops=small_n)
    config = corpus_mod.write_config(corpus.root, "plugin", sop_options={})
    build = measure(corpus, [Variant(f"plugin N={small_n}", config, repeat=False)], args)[0]
    return build


def history(args) -> Result:
    """Issue 3: history from git on and off; archived versions on and off."""
    schema = plugin_schema()
    off = options_set(schema, HISTORY_OPTIONS, False, args.history_off)
    n = args.sops or DEFAULT_SOPS["history"]
    if off is None:
        return Result(
            "history",
            n,
            skipped="no history option yet (looked for "
            f"{', '.join(HISTORY_OPTIONS)} in sop_plugin.adapter.plugin.SopConfig)",
        )
    on = options_set(schema, HISTORY_OPTIONS, True, None) or {}
    corpus = make_corpus(args, "history", git=True)
    root = corpus.root
    variants = [
        Variant("history-off", corpus_mod.write_config(root, "history-off", sop_options=off)),
        Variant("history-on", corpus_mod.write_config(root, "history-on", sop_options=on)),
    ]
    no_archives = options_set(schema, ARCHIVE_OPTIONS, False, args.archives_off)
    if no_archives is not None:
        variants.append(
            Variant(
                "history-on-no-archives",
                corpus_mod.write_config(root, "history-on-no-archives", sop_options={**on, **no_archives}),
            )
        )
    result = Result("history", n, measure(corpus, variants, args))
    result.notes.append(f"options: off={off} on={on or '(defaults)'} no-archives={no_archives}")
    off_b, on_b = result.build("history-off"), result.build("history-on")
    # What history itself costs (the git pass, history tables) is measured without archived pages
    # when the plugin can turn them off; archived pages are the second target.
    base = result.build("history-on-no-archives") if no_archives is not None else on_b
    baseline = GIT_REVISION_DATE_S_PER_1000 * n / 1000
    what = "git pass + history tables, no archives" if no_archives is not None else "with archives"
    result.checks += [
        Check(
            f"history adds ({what}, wall, N={n})",
            base.wall_s - off_b.wall_s,
            "<",
            2.0,
            " s",
            note=f"target at N=3000; git-revision-date-localized-plugin: ~{baseline:.0f} s here "
            f"({GIT_REVISION_DATE_S_PER_1000} s per 1000 files)",
        ),
        Check(
            f"history adds ({what}, cpu)", base.cpu_s - off_b.cpu_s, "<", 2.0, " s", note="steadier on a busy machine"
        ),
    ]
    if no_archives is not None:
        result.checks += build_ratio("build ratio with/without archives, 3 versions per SOP", on_b, base, 2.0)
    else:
        result.notes.append(f"archives: skipped: no archive-limit option yet (looked for {', '.join(ARCHIVE_OPTIONS)})")
    return result


def pages(args) -> Result:
    """Issue 4: generated role, department and register pages on and off."""
    schema = plugin_schema()
    off = options_set(schema, PAGES_OPTIONS, False, args.pages_off)
    n = args.sops or DEFAULT_SOPS["pages"]
    if off is None:
        return Result(
            "pages",
            n,
            skipped="no option to turn generated pages off yet (looked for "
            f"{', '.join(PAGES_OPTIONS)} in sop_plugin.adapter.plugin.SopConfig)",
        )
    on = options_set(schema, PAGES_OPTIONS, True, None) or {}
    corpus = make_corpus(args, "pages")
    root = corpus.root
    variants = [
        Variant("pages-off", corpus_mod.write_config(root, "pages-off", sop_options=off)),
        Variant("pages-on", corpus_mod.write_config(root, "pages-on", sop_options=on)),
    ]
    if args.baseline_python:  # the same builds with another checkout (issue 10.1: before the templates)
        variants += [
            Variant("pages-off-baseline", variants[0].config, python=args.baseline_python),
            Variant("pages-on-baseline", variants[1].config, python=args.baseline_python),
        ]
    result = Result("pages", n, measure(corpus, variants, args))
    result.notes.append(f"options: off={off} on={on or '(defaults)'}; {len(corpus.roles)} roles")
    off_b, on_b = result.build("pages-off"), result.build("pages-on")
    result.checks += build_ratio(
        f"build ratio pages on/off, N={n}", on_b, off_b, 1.15, note="target at N=3000, 40 roles" if n != 3000 else ""
    )
    cost = on_b.cpu_s - off_b.cpu_s  # what the generated pages cost: the same build with and without them
    result.checks.append(Check(f"generated-pages cost, N={n} (cpu, pages on - off)", cost, unit=" s"))
    if args.baseline_python:
        base = result.build("pages-on-baseline").cpu_s - result.build("pages-off-baseline").cpu_s
        result.checks += [
            Check(f"generated-pages cost, N={n}, baseline (cpu)", base, unit=" s", note=args.baseline_python),
            Check("generated-pages cost ratio this/baseline (cpu)", ratio(cost, base), "<=", 1.10, note="issue 10.1"),
        ]
    folders = on_b.stats.largest_by_folder
    biggest = max((folders[f] for f in LISTING_FOLDERS if f in folders), key=lambda item: item[1], default=None)
    if biggest is not None:
        result.checks.append(Check(f"largest role/register page ({biggest[0]})", biggest[1] / MB, "<", 2.0, " MB"))
    else:
        result.notes.append(f"no page under {', '.join(LISTING_FOLDERS)}/ was generated")
    for path, size in on_b.stats.largest_other[:3]:
        result.notes.append(f"largest pages overall: {path} {size / MB:.2f} MB")
    return result


def scale(args) -> Result:
    """Issue 6: every feature on at 3000 SOPs against plain Material with folders and pruning."""
    schema = plugin_schema()
    corpus = make_corpus(args, "scale", git=True, quizzes=True)
    root, n = corpus.root, len(corpus.specs)
    every = every_option_on(schema)
    prune = ["navigation.prune"]
    variants = [
        Variant("plain-prune", corpus_mod.write_config(root, "plain-prune", features=prune), keep=args.browser),
        Variant(
            "plugin-all",
            corpus_mod.write_config(root, "plugin-all", sop_options=every, features=prune),
            keep=args.browser,
        ),
    ]
    result = Result("scale", n, measure(corpus, variants, args))
    result.notes.append(
        f"plugin options: {every or '(defaults)'}; quizzes for every fifth SOP; git history, 5 commits per SOP"
    )
    plain, plugin = result.build("plain-prune"), result.build("plugin-all")
    note = "target at N=3000" if n != 3000 else ""
    result.checks += [
        *build_ratio("build ratio plugin/plain-prune", plugin, plain, 1.5, note=note),
        Check("peak memory, plugin", plugin.maxrss_mb, "<", 1536, " MB", note=f"plain: {plain.maxrss_mb:.0f} MB"),
        Check(
            "search index ratio plugin/Material default, SOP pages only",
            ratio(plugin.stats.search_index_sop_bytes, plain.stats.search_index_sop_bytes),
            "<=",
            0.6,
            note=f"{plugin.stats.search_index_sop_bytes / MB:.1f} MB vs {plain.stats.search_index_sop_bytes / MB:.1f} MB",
        ),
        Check(
            "search index ratio plugin/Material default, whole file",
            ratio(plugin.stats.search_index_bytes, plain.stats.search_index_bytes),
            "<=",
            0.6,
            note=f"{plugin.stats.search_index_bytes / MB:.1f} MB vs {plain.stats.search_index_bytes / MB:.1f} MB; "
            "the plugin's file also indexes its generated pages",
        ),
        Check(
            "median SOP page, plugin",
            plugin.stats.median_sop_bytes / KB,
            "<",
            80,
            " KB",
            note=f"plain-prune: {plain.stats.median_sop_bytes / KB:.0f} KB",
        ),
    ]
    if args.browser:
        result.checks += search_latency_checks(root, corpus, [plain, plugin])
    else:
        result.notes.append(
            f"search latency in Chromium: not measured (add --browser); baseline: {MATERIAL_SEARCH_BASELINE}"
        )
    if not args.keep_sites and args.browser:
        for build in (plain, plugin):
            subprocess.run(["rm", "-rf", str(root / f"site-{build.variant}")], check=False)
    return result


def search_latency_checks(root: Path, corpus, builds: list[Build]) -> list[Check]:
    """Time to first search result in headless Chromium, for each kept site."""
    from browser import first_result_seconds

    query = "杀菌釜"
    checks = []
    for build in builds:
        seconds = first_result_seconds(root / f"site-{build.variant}", query)
        target = ("<", 1.5) if build.variant.startswith("plugin") else (None, None)
        checks.append(
            Check(
                f"first search result for {query!r}, {build.variant}",
                seconds,
                *target,
                " s",
                note=MATERIAL_SEARCH_BASELINE if target[0] else "reference",
            )
        )
    return checks


def group(args) -> Result:
    """Issue 14: a plant group's 10,000 SOPs; search in pieces against Material and Pagefind; preview."""
    schema = plugin_schema()
    corpus = make_corpus(args, "group", git=True, quizzes=True)
    root, n = corpus.root, len(corpus.specs)
    every = every_option_on(schema)
    prune = ["navigation.prune"]
    variants = [
        Variant("plain-prune", corpus_mod.write_config(root, "plain-prune", features=prune), keep=True),
        Variant(
            "plugin-all",
            corpus_mod.write_config(root, "plugin-all", sop_options=every, features=prune),
            keep=True,
        ),
    ]
    no_archives = options_set(schema, ARCHIVE_OPTIONS, False, args.archives_off) if args.archive_ratio else None
    if no_archives is not None:  # archived versions on and off (the light path, issue 14)
        variants.append(
            Variant(
                "plugin-no-archives",
                corpus_mod.write_config(
                    root, "plugin-no-archives", sop_options={**every, **no_archives}, features=prune
                ),
            )
        )
    result = Result("group", n, measure(corpus, variants, args))
    result.notes.append(
        f"plugin options: {every}; plain: Material, navigation.prune; file://: the plugin's site with what "
        "Material's offline plugin adds for search (search_index.js, the iframe-worker shim), see search_browser.py"
    )
    plain, plugin = result.build("plain-prune"), result.build("plugin-all")
    note = "target at N=10000" if n != 10000 else ""
    result.checks += [
        *build_ratio("build ratio plugin/plain-prune", plugin, plain, 1.2, note=note),
        # Both build in one process (archive_process is off by default): the kernel's exact peak
        # RSS is the figure; the sampled PSS sum (which can miss a short peak) is for reference.
        Check(
            "peak memory ratio plugin/plain-prune (RSS)",
            ratio(plugin.maxrss_mb, plain.maxrss_mb),
            "<=",
            2.0,
            note=f"{plugin.maxrss_mb:.0f} MB vs {plain.maxrss_mb:.0f} MB",
        ),
        Check(
            "peak memory ratio plugin/plain-prune (PSS, sampled every 0.5 s)",
            ratio(plugin.pss_peak_mb, plain.pss_peak_mb),
            note=f"{plugin.pss_peak_mb:.0f} MB vs {plain.pss_peak_mb:.0f} MB",
        ),
        *(
            build_ratio(
                "build ratio with/without archived versions (2 archived, 3 versions per SOP)",
                plugin,
                result.build("plugin-no-archives"),
                1.5,
            )
            if no_archives is not None
            else []
        ),
        Check(
            "search files on disk, plugin (manifest + pieces)",
            plugin.stats.search_index_bytes / MB,
            unit=" MB",
            note=f"Material's search_index.json: {plain.stats.search_index_bytes / MB:.1f} MB",
        ),
    ]
    if no_archives is not None and args.archive_sops:
        result.checks += three_archived_checks(args, every, no_archives, prune)
    if args.search:
        result.checks += search_checks(root, corpus, plain, plugin, result.notes)
    else:
        result.notes.append("search in Chromium and Pagefind: not measured (--no-search)")
    if not args.no_preview:
        result.checks += preview_checks(args, corpus if n == PREVIEW_SOPS else None)
    if not args.keep_sites:
        for build in (plain, plugin):
            subprocess.run(["rm", "-rf", str(root / f"site-{build.variant}")], check=False)
    return result


def three_archived_checks(args, every: dict, no_archives: dict, prune: list[str]) -> list[Check]:
    """Issue 14.3: 3 archived versions per SOP (7 commits each) at ``--archive-sops`` SOPs, the
    plugin with and without them (on two CPUs the plugin writes them on a second process)."""
    corpus = make_corpus(args, "group", git=True, quizzes=True, sops=args.archive_sops, revisions=7)
    root = corpus.root
    options = (
        ("archives3-off", {**every, **no_archives}),
        ("archives3-on", every),
        ("archives3-on-process", {**every, "archive_process": True}),
    )
    variants = [
        Variant(name, corpus_mod.write_config(root, name, sop_options=o, features=prune)) for name, o in options
    ]
    if (
        "archive_cache" in plugin_schema()
    ):  # the bodies and diffs of the build before taken from the cache (archive_cache: true)
        warm = {**every, "archive_cache": True, "cache_dir": ".cache/bench-archives3-warm"}
        config = corpus_mod.write_config(root, "archives3-warm", sop_options=warm, features=prune)
        variants.append(Variant("archives3-warm", config, warm=True))
    off, on, process, *warm_build = measure(corpus, variants, args)
    label = f"build ratio with/without archived versions (3 archived per SOP, N={len(corpus.specs)})"
    pages = on.stats.html_files - off.stats.html_files
    checks = [
        *build_ratio(f"{label}, every body converted", on, off, 1.5, note=f"{pages} archived pages"),
        Check(
            "CPU per archived page, every body converted",
            (on.cpu_s - off.cpu_s) / max(1, pages) * 1000,
            unit=" ms",
            note=f"one process: peak {on.maxrss_mb:.0f} MB vs {off.maxrss_mb:.0f} MB without them",
        ),
    ]
    if warm_build:
        checks += [
            *build_ratio(f"{label}, bodies from the cache of the build before", warm_build[0], off, 1.5),
            Check(
                "CPU per archived page, bodies from the cache",
                (warm_build[0].cpu_s - off.cpu_s) / max(1, pages) * 1000,
                unit=" ms",
                note=f"peak {warm_build[0].maxrss_mb:.0f} MB",
            ),
        ]
    return [
        *checks,
        *build_ratio(f"{label}, archive_process: true", process, off, None),
        Check(
            "memory ratio, archive_process: true / one process (PSS, all processes)",
            ratio(process.pss_peak_mb, on.pss_peak_mb),
            note=f"{process.pss_peak_mb:.0f} MB vs {on.pss_peak_mb:.0f} MB",
        ),
    ]


def search_checks(root: Path, corpus, plain: Build, plugin: Build, notes: list[str]) -> list[Check]:
    """Bytes and seconds until the first result in Chromium for ours (file://, http), Material's
    default (http) and Pagefind (http); Chinese recall of ours and Pagefind."""
    import search_browser as sb
    from measure import sop_page_path

    ours, material = root / f"site-{plugin.variant}", root / f"site-{plain.variant}"
    start = time.perf_counter()
    pagefind = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(ours), "--output-subdir", "pagefind"],
        capture_output=True,
        text=True,
    )
    pagefind_s = time.perf_counter() - start
    has_pagefind = pagefind.returncode == 0
    notes.append(
        f"pagefind index of the plugin's site: {pagefind_s:.0f} s" if has_pagefind else "pagefind: not installed"
    )
    checks = []
    for query in SEARCH_QUERIES:
        runs = [
            sb.material_box(ours, query, "http", "ours"),
            sb.material_box(ours, query, "file", "ours"),
            sb.material_box(material, query, "http", "material"),
        ]
        if has_pagefind:
            runs.append(sb.pagefind(ours, query))
        for f in runs:
            target = f.engine == "ours"
            label = f"{f.engine} {f.mode}, {query!r}"
            checks += [
                Check(f"first result, {label}", f.seconds, "<=" if target else None, 0.5 if target else None, " s"),
                Check(
                    f"bytes before first result, {label}",
                    f.search_bytes / MB,
                    "<=" if target else None,
                    1.5 if target else None,
                    " MB",
                    note=f"{f.requests} requests",
                ),
            ]
    sources = [
        (
            sop_page_path(src)[: -len("index.html")],
            (corpus.docs / src).read_text(encoding="utf-8").split("\n---", 1)[-1],
        )
        for src in corpus.sop_paths()
    ]
    pairs = sb.chinese_terms(ours, sources, 60)
    checks.append(Check("Chinese recall, ours", sb.recall_ours(ours, pairs), note=f"{len(pairs)} terms from pages"))
    if has_pagefind:
        checks.append(Check("Chinese recall, pagefind", sb.recall_pagefind(ours, pairs), note="reference"))
    return checks


def preview_checks(args, corpus=None) -> list[Check]:
    """``sop serve FILE`` for one edited SOP of a 3,000-SOP corpus with git history (the scenario's
    own corpus when it has 3,000 SOPs): the first build (``--once``, with start-up), then the
    edit-save-see time of saves in one serve session (bench/preview_loop.py)."""
    from measure import sop_page_path
    from preview_loop import edit_save_see

    corpus = corpus or make_corpus(args, "group", git=True, quizzes=True, sops=PREVIEW_SOPS)
    every = {"history": True, "generated_pages": True}
    config = corpus_mod.write_config(corpus.root, "plugin-all", sop_options=every, features=["navigation.prune"])
    source = corpus.sop_paths()[len(corpus.sop_paths()) // 2]
    edited, env = corpus.docs / source, {**os.environ, **BUILD_ENV}
    command = [args.python, "-m", "sop_plugin.cli.sop", "serve", "--once", "-f", str(config), str(edited)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=corpus.root, env=env)
    first = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"sop serve failed: {done.stderr[-2000:]}")
    log(f"  preview, first build: {done.stdout.strip()} ({first:.1f} s with start-up)")
    loop = edit_save_see(
        args.python, config, edited, sop_page_path(source)[: -len("index.html")], cwd=corpus.root, env=env
    )
    log("  preview, serve session: " + " | ".join(line for line in loop.output.splitlines() if "built in" in line))
    log(f"  preview, saves: seen after {loop.see_s} s, rebuilt in {loop.rebuild_s} s (CPU {loop.rebuild_cpu_s} s)")
    label = f"preview of one edited SOP at N={PREVIEW_SOPS}"
    return [
        Check(f"{label}: edit-save-see (median of {len(loop.see_s)} saves)", loop.see_median, "<=", 3.0, " s"),
        Check(f"{label}: rebuild after a save (median)", loop.rebuild_median, unit=" s"),
        Check(f"{label}: rebuild after a save, CPU (median)", loop.rebuild_cpu_median, unit=" s"),
        Check(f"{label}: first build (command, with start-up)", first, unit=" s"),
        Check(f"{label}: first build of a serve session, until served", loop.first_s, unit=" s"),
    ]


# --------------------------------------------------------------------------- main


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--sops",
        type=int,
        default=None,
        help="number of SOPs (default: the N of each scenario's target: foundation 1000, "
        "history 1000, pages 1000, scale 3000)",
    )
    parser.add_argument("--scenario", choices=SCENARIOS + ("all",), default="foundation")
    parser.add_argument("--repeat", type=int, default=1, help="build each variant K times and take the median")
    parser.add_argument("--roles", type=int, default=None, help="roles in roles.yml (default 12; pages and scale: 40)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the corpus generator")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path("/tmp/sop-bench"),
        help="where corpora and sites go (outside any git repository)",
    )
    parser.add_argument(
        "--no-reuse",
        dest="reuse",
        action="store_false",
        help="always write the corpus (and its git history) again, even when --workdir holds the same one",
    )
    parser.add_argument("--python", default=sys.executable, help="the Python that runs mkdocs")
    parser.add_argument("--strict", action="store_true", help="build with --strict (fails on any warning)")
    parser.add_argument("--keep-sites", action="store_true", help="keep the built sites under --workdir")
    parser.add_argument("--browser", action="store_true", help="scale: time the first search result in Chromium")
    parser.add_argument(
        "--archive-sops",
        type=int,
        default=3000,
        metavar="N",
        help="group: SOPs of the corpus with 3 archived versions each (0: not built; default 3000)",
    )
    parser.add_argument(
        "--no-archive-ratio",
        dest="archive_ratio",
        action="store_false",
        help="group: skip the build without archived versions (one build fewer)",
    )
    parser.add_argument(
        "--no-search", dest="search", action="store_false", help="group: skip the search figures (Chromium, Pagefind)"
    )
    parser.add_argument("--no-preview", action="store_true", help="group: skip the preview timing at 3,000 SOPs")
    parser.add_argument(
        "--no-warm-up", dest="warm_up", action="store_false", help="skip the --strict warm-up build of a tiny corpus"
    )
    parser.add_argument(
        "--history-off", metavar="YAML", help="plugin options that turn history off, e.g. '{history: false}'"
    )
    parser.add_argument("--archives-off", metavar="YAML", help="plugin options that turn archived versions off")
    parser.add_argument("--pages-off", metavar="YAML", help="plugin options that turn generated pages off")
    parser.add_argument(
        "--baseline-python",
        metavar="PYTHON",
        help="pages: also build with this Python (another checkout's venv, e.g. the commit before the page "
        "templates) and compare the generated-pages cost (issue 10.1: at most +10 %%)",
    )
    return parser.parse_args(argv)


def machine() -> dict:
    """Where and on what the figures were taken."""

    def version(package: str) -> str:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as v

        try:
            return v(package)
        except PackageNotFoundError:
            return "?"

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "sop_plugin"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    if commit and dirty:
        commit += "+uncommitted changes in sop_plugin/"
    return {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "mkdocs": version("mkdocs"),
        "mkdocs-material": version("mkdocs-material"),
        "sop-plugin commit": commit or None,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    info = machine()
    print("SOP plugin benchmark  " + "  ".join(f"{k}={v}" for k, v in info.items()))
    print(f"scenario={args.scenario} repeat={args.repeat} (medians) workdir={args.workdir}")
    if args.warm_up:
        warm_up(args)
    names = SCENARIOS if args.scenario == "all" else (args.scenario,)
    if args.scenario == "group" and args.python != sys.executable:
        log("note: the browser and Pagefind run from this Python; builds from --python")
    results = []
    for name in names:
        log(f"scenario {name} ...")
        try:
            result = globals()[name](args)
        except RuntimeError as exc:  # a build failed: report it and go on with the next scenario
            result = Result(name, args.sops or DEFAULT_SOPS[name], skipped=f"FAILED: {exc}")
        results.append(result)
        if result.skipped:
            print(f"\n== {name} ==\n{'' if result.skipped.startswith('FAILED') else 'skipped: '}{result.skipped}")
        else:
            print_scenario(
                f"{name} (N={result.sops}, repeat={args.repeat})", result.builds, result.checks, result.notes
            )
        sys.stdout.flush()
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": info,
                    "args": {k: str(v) for k, v in vars(args).items()},
                    "results": [r.as_dict() for r in results],
                },
                ensure_ascii=False,
                indent=2,
            ),
            encoding="utf-8",
        )
        print(f"\nfigures written to {args.json}")
    missed = [c for r in results for c in r.checks if c.met is False]
    print(f"\n{len(missed)} target(s) missed" + (": " + "; ".join(c.label for c in missed) if missed else ""))
    failed = [r.scenario for r in results if r.skipped and r.skipped.startswith("FAILED")]
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0  # missed targets are figures to read, not failures


if __name__ == "__main__":
    sys.exit(main())
