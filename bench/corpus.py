"""Deterministic synthetic SOP knowledge base for the benchmark.

``generate(root, n)`` writes, under ``root``:

- ``docs/index.md``                 a home page
- ``docs/roles.yml``                departments and roles (CONTRACT.md section 3)
- ``docs/<dept>/<sop-id>.md``       ``n`` SOPs with the full front-matter of CONTRACT.md section 1,
                                    half Chinese, half English, 6-10 numbered steps, 1-3 control points,
                                    references to other generated SOPs, 2-4 KB of body text
- ``quizzes/<dept>/<sop-id>.yml``   a quiz for every fifth SOP, when ``quizzes=True``
- ``bench-manifest.json``           what was generated (SOP ids, paths, languages)

Every SOP has ``revisions`` revisions (default 5; the version moves every second revision:
1.0, 1.0, 1.1, 1.1, 2.0). The files on disk are the last revision; :mod:`bench.gitrepo` replays
all of them into a git repository. The same seed and arguments give the same bytes.

``write_config`` writes one ``mkdocs.yml`` variant (with or without the plugin, nav or not).

Run on its own: ``python bench/corpus.py /tmp/corpus --sops 50`` then
``mkdocs build --strict -f /tmp/corpus/mkdocs-plugin.yml``.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import hashlib
import json
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from vocab import DEPARTMENTS, EN_PERSON_NAMES, EN_SECTIONS, ROLE_KINDS, SITES, ZH_PERSON_NAMES, ZH_SECTIONS, Phrases

#: Versions a SOP goes through, one per two revisions.
VERSIONS = ["1.0", "1.1", "2.0", "2.1", "3.0", "3.1", "4.0"]
#: Date of the first revision of every SOP; revision r is ``r * REVISION_GAP`` later.
FIRST_REVISION = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
REVISION_GAP = dt.timedelta(days=90)
#: The day the benchmark builds "as of" (SOP_BUILD_DATE), after every revision.
BUILD_DATE = "2026-01-15"
#: libyaml's dumper when present (several times faster); the output is the same YAML.
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
#: Bump when the bytes this module writes for the same arguments change (corpora on disk are
#: reused by ``bench/run.py`` only when their manifest names the same version).
GENERATOR_VERSION = 1
MARKDOWN_EXTENSIONS = ["admonition", "attr_list", "md_in_html", "tables", {"toc": {"permalink": True}}]


def version_of(revision: int) -> str:
    """The version of an SOP at revision ``revision`` (0-based)."""
    return VERSIONS[min(revision // 2, len(VERSIONS) - 1)]


def revision_time(index: int, revision: int) -> dt.datetime:
    """Commit time of revision ``revision`` of SOP ``index``: rounds 90 days apart, a minute per SOP."""
    return FIRST_REVISION + revision * REVISION_GAP + dt.timedelta(minutes=index)


# --------------------------------------------------------------------------- roles


@dataclass(frozen=True)
class Role:
    id: str
    department: str
    name_zh: str
    name_en: str


def make_roles(count: int) -> list[Role]:
    """``count`` roles spread over the departments: every department's operator first, then supervisors..."""
    roles = []
    for i in range(count):
        dept_id, dept_zh, dept_en = DEPARTMENTS[i % len(DEPARTMENTS)]
        round_ = i // len(DEPARTMENTS)
        kind_id, kind_zh, kind_en = ROLE_KINDS[round_ % len(ROLE_KINDS)]
        suffix = "" if round_ < len(ROLE_KINDS) else f"-{round_ // len(ROLE_KINDS) + 1}"
        roles.append(
            Role(
                f"{dept_id.lower()}-{kind_id}{suffix}",
                dept_id,
                f"{dept_zh.rstrip('部')}{kind_zh}{suffix}",
                f"{dept_en} {kind_en}{suffix}",
            )
        )
    return roles


# --------------------------------------------------------------------------- one SOP


@dataclass
class SopSpec:
    """Everything needed to render any revision of one SOP."""

    index: int
    id: str
    department: str
    lang: str
    path: str  # relative to docs/
    title: str = ""
    meta: dict = field(default_factory=dict)  # front-matter fields that do not change across revisions
    sections: dict = field(default_factory=dict)  # purpose/scope/notes paragraphs
    steps: list = field(default_factory=list)  # one list of sentences per step
    control_points: list = field(default_factory=list)
    records: list = field(default_factory=list)


def plan_sops(n: int, rng: random.Random) -> list[SopSpec]:
    """Ids, departments, languages and paths of ``n`` SOPs (even index: Chinese)."""
    specs = []
    for i in range(n):
        dept = DEPARTMENTS[i % len(DEPARTMENTS)][0]
        number = i // len(DEPARTMENTS) + 1
        sop_id = f"SOP-{dept}-{number:04d}"
        lang = "zh" if i % 2 == 0 else "en"
        specs.append(SopSpec(i, sop_id, dept, lang, f"{dept.lower()}/{sop_id.lower()}.md"))
    return specs


def _roles_of(roles: list[Role], department: str) -> list[Role]:
    return [r for r in roles if r.department == department] or roles


def _role_name(role: Role, lang: str) -> str:
    return role.name_zh if lang == "zh" else role.name_en.lower()


def fill_sop(spec: SopSpec, specs: list[SopSpec], roles: list[Role], seed: int, quizzes: bool) -> None:
    """Draw the content of ``spec`` from its own seeded random source."""
    rng = random.Random(f"{seed}:sop:{spec.index}")
    zh = spec.lang == "zh"
    own = _roles_of(roles, spec.department)
    doer = own[0]
    approver = own[1] if len(own) > 1 else rng.choice([r for r in roles if r != doer] or roles)
    others = [r for r in roles if r not in (doer, approver)]
    phrases = Phrases(spec.lang, rng, [_role_name(r, spec.lang) for r in (doer, approver)])
    spec.title = phrases.title()
    if zh and spec.index % 20 == 0:  # some Chinese file names, as real repositories have
        spec.path = spec.path[:-3] + f"-{spec.title}.md"
    form = f"FORM-{spec.department}-{spec.id.rsplit('-', 1)[1]}-1"
    spec.records = [{"form": form, "retention_years": rng.choice([1, 3, 5, 10])}]

    candidates = [s.id for s in specs if s.id != spec.id]
    references = sorted(rng.sample(candidates, k=min(len(candidates), rng.randint(1, 3))))
    n_steps = rng.randint(6, 10)
    spec.steps = [[phrases.sentence(form) for _ in range(rng.randint(1, 3))] for _ in range(n_steps)]
    for ref in references[:2]:  # cite references in the body too
        spec.steps[rng.randrange(n_steps)].append(phrases.sentence(form, ref=ref))

    cp_steps = sorted(rng.sample(range(1, n_steps + 1), k=rng.randint(1, 3)))
    for k, step in enumerate(cp_steps, 1):
        kind = "CCP" if rng.random() < 0.35 else "KCP"
        text = phrases.control_point(form)
        spec.control_points.append(
            {
                "id": f"{kind}-{k}",
                "kind": kind,
                "step": step,
                "hazard": text["hazard"],
                "parameter": text["parameter"],
                "limit": text["limit"],
                "monitoring": {"how": text["how"], "frequency": text["frequency"], "who": doer.id},
                "corrective_action": text["corrective_action"],
                "verification": text["verification"],
                "record": form,
            }
        )

    names = ZH_PERSON_NAMES if zh else EN_PERSON_NAMES
    owner = rng.choice(names)
    sites = sorted(rng.sample(SITES, k=rng.randint(1, 2))) if rng.random() < 0.6 else []
    lines = sorted(rng.sample(["L1", "L2", "L3", "L4", "L5", "L6"], k=rng.randint(1, 2))) if sites else []
    access = rng.choices(["internal", "public", "restricted"], weights=[85, 10, 5])[0]
    roles_meta = [
        {"role": doer.id, "raci": "R", "steps": list(range(1, n_steps + 1))},
        {"role": approver.id, "raci": "A", "steps": [n_steps]},
    ]
    if others and rng.random() < 0.5:
        roles_meta.append({"role": rng.choice(others).id, "raci": rng.choice(["C", "I"]), "steps": []})
    spec.meta = {
        "owner": {"name": owner, "role": approver.id, "handle": f"@user{rng.randint(100, 999)}"},
        "department": spec.department,
        "review_interval_months": rng.choice([12, 12, 24, 36]),
        "applies_to": {"sites": sites, "lines": lines, "workstations": []},
        "access": access,
        "approver": rng.choice(names),
        "roles": roles_meta,
        "exceptions": [{**phrases.exception(), "escalate_to": approver.id}],
        "references": references,
        "tags": [spec.department.lower(), "bench"],
    }
    if quizzes and spec.index % 5 == 0:
        spec.meta["training"] = {"quiz": quiz_id(spec), "roles": [doer.id]}

    s = ZH_SECTIONS if zh else EN_SECTIONS
    spec.sections = {"purpose": phrases.paragraph(form, 2), "scope": phrases.paragraph(form, 2), "notes": []}
    target = rng.randint(2000, 4000)  # bytes of body
    while len(render_body(spec, s).encode("utf-8")) < target:
        spec.sections["notes"].append(phrases.sentence(form))
    spec.meta["_phrases_seed"] = f"{seed}:rev:{spec.index}"
    spec.meta["_role_names"] = phrases.role_names


def quiz_id(spec: SopSpec) -> str:
    return f"quiz-{spec.id.lower()}"


def render_body(spec: SopSpec, s: dict) -> str:
    """The Markdown body of an SOP (after its front-matter)."""
    sep = "" if spec.lang == "zh" else " "
    out = [
        f"## {s['purpose']}",
        "",
        spec.sections["purpose"],
        "",
        f"## {s['scope']}",
        "",
        spec.sections["scope"],
        "",
        f"## {s['procedure']}",
        "",
    ]
    out += [f"{n}. {sep.join(sentences)}" for n, sentences in enumerate(spec.steps, 1)]
    out += ["", f"## {s['records']}", ""]
    out += [f"- {r['form']}" for r in spec.records]
    if spec.sections["notes"]:
        out += ["", f"## {s['notes']}", ""]
        notes = spec.sections["notes"]
        for start in range(0, len(notes), 3):  # paragraphs of three sentences
            out += [sep.join(notes[start : start + 3]), ""]
    return "\n".join(out).rstrip() + "\n"


def at_revision(spec: SopSpec, revision: int) -> SopSpec:
    """A copy of ``spec`` as it was at ``revision``: one sentence edited per revision, and a
    control-point limit changed at each version change. Revision 0 is the first issue."""
    spec = copy.deepcopy(spec)
    names = spec.meta["_role_names"]
    for r in range(1, revision + 1):
        rng = random.Random(f"{spec.meta['_phrases_seed']}:{r}")
        phrases = Phrases(spec.lang, rng, names)
        form = spec.records[0]["form"]
        step = rng.randrange(len(spec.steps))
        spec.steps[step][0] = phrases.sentence(form)
        if version_of(r) != version_of(r - 1):
            point = rng.choice(spec.control_points)
            point["limit"] = _tighten(point["limit"], rng)
    return spec


def _tighten(limit: str, rng: random.Random) -> str:
    """A limit ``"a–b unit"`` with its upper bound lowered a little (a typical revision)."""
    bounds, _, unit = limit.partition(" ")
    low, _, high = bounds.partition("–")
    new_high = max(int(low) + 1, int(high) - rng.randint(1, 3))
    return f"{low}–{new_high} {unit}".strip()


def front_matter(spec: SopSpec, revision: int) -> dict:
    """The front-matter of ``spec`` at ``revision``, in CONTRACT.md order."""
    rng = random.Random(f"{spec.meta['_phrases_seed']}:changes")
    phrases = Phrases(spec.lang, rng, [])
    version = version_of(revision)
    first_of = {}  # version -> first revision with it
    for r in range(revision + 1):
        first_of.setdefault(version_of(r), r)
    changes = []
    for v, r in first_of.items():
        day = revision_time(spec.index, r).date()
        changes.append({"version": v, "date": day, **phrases.change_summary(v)})
    effective = revision_time(spec.index, first_of[version]).date()
    m = spec.meta
    meta = {
        "id": spec.id,
        "title": spec.title,
        "version": version,
        "status": "effective",
        "effective_date": effective,
        "owner": m["owner"],
        "department": m["department"],
        "review_interval_months": m["review_interval_months"],
    }
    if m["applies_to"]["sites"]:
        meta["applies_to"] = {k: v for k, v in m["applies_to"].items() if v}
    meta.update(
        {
            "access": m["access"],
            "approvals": [
                {
                    "name": m["approver"],
                    "role": m["owner"]["role"],
                    "date": effective - dt.timedelta(days=7),
                    "meaning": "approve",
                }
            ],
            "changes": changes,
            "roles": m["roles"],
            "control_points": spec.control_points,
            "exceptions": m["exceptions"],
            "records": spec.records,
            "references": m["references"],
        }
    )
    if "training" in m:
        meta["training"] = m["training"]
    meta["lang"] = spec.lang
    meta["tags"] = m["tags"]
    return meta


def render_sop(spec: SopSpec, revision: int) -> str:
    """The whole Markdown file of ``spec`` at ``revision``."""
    current = at_revision(spec, revision)
    fm = yaml.dump(
        front_matter(current, revision),
        Dumper=DUMPER,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=None,
        width=4096,
    )
    sections = ZH_SECTIONS if spec.lang == "zh" else EN_SECTIONS
    return f"---\n{fm}---\n\n{render_body(current, sections)}"


# --------------------------------------------------------------------------- site files


def roles_yml(roles: list[Role], specs: list[SopSpec]) -> str:
    """docs/roles.yml: every department, every role with an onboarding list of its department's SOPs."""
    first_sops: dict[str, list[str]] = {}
    for spec in specs:
        first_sops.setdefault(spec.department, []).append(spec.id)
    departments = [{"id": d, "name": {"zh": zh, "en": en}} for d, zh, en in DEPARTMENTS]
    role_items = [
        {
            "id": r.id,
            "name": {"zh": r.name_zh, "en": r.name_en},
            "department": r.department,
            "onboarding": first_sops.get(r.department, [])[:3],
        }
        for r in roles
    ]
    return "# Generated by bench/corpus.py\n" + yaml.safe_dump(
        {"departments": departments, "roles": role_items},
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=None,
        width=4096,
    )


def quiz_yml(spec: SopSpec) -> str:
    """A five-question quiz for ``spec``, every question tied to a step."""
    zh = spec.lang == "zh"
    questions = []
    for k in range(5):
        step = k % len(spec.steps) + 1
        questions.append(
            {
                "id": f"q{k + 1}",
                "type": "single",
                "prompt": f"第{step}步的要求是什么？" if zh else f"What does step {step} require?",
                "options": [
                    spec.steps[step - 1][0][:60],
                    "无需记录" if zh else "Nothing to record",
                    "由任何人决定" if zh else "Anyone may decide",
                ],
                "answer": 0,
                "ref": step,
            }
        )
    data = {
        "id": quiz_id(spec),
        "sop": spec.id,
        "title": f"{spec.title} 考核" if zh else f"{spec.title} quiz",
        "pass_mark": 80,
        "shuffle": True,
        "questions": questions,
    }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=4096)


def index_md(n: int) -> str:
    return (
        "# SOP 知识库 · SOP Knowledge Base\n\n"
        f"基准测试语料：{n} 份标准操作规程。\n\n"
        f"Benchmark corpus: {n} standard operating procedures across {len(DEPARTMENTS)} departments.\n"
    )


@dataclass
class Corpus:
    """A generated corpus on disk and what is needed to replay its history."""

    root: Path
    specs: list[SopSpec]
    roles: list[Role]
    revisions: int
    quizzes: bool
    reused: bool = False  # generate(reuse=True) found this corpus already on disk

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    def sop_paths(self) -> list[str]:
        return [s.path for s in self.specs]

    def text(self, spec: SopSpec, revision: int) -> str:
        return render_sop(spec, revision)

    def static_files(self) -> dict[str, str]:
        """Files that do not change across revisions, relative to ``root``."""
        files = {"docs/index.md": index_md(len(self.specs)), "docs/roles.yml": roles_yml(self.roles, self.specs)}
        if self.quizzes:
            for spec in self.specs:
                if "training" in spec.meta:
                    files[f"quizzes/{spec.department.lower()}/{spec.id.lower()}.yml"] = quiz_yml(spec)
        return files


def generator_fingerprint() -> str:
    """What a reused corpus must have been written by: :data:`GENERATOR_VERSION` and a hash of
    ``vocab.py`` (the words). A corpus from another generator is never reused."""
    vocab = (Path(__file__).resolve().parent / "vocab.py").read_bytes()
    return f"{GENERATOR_VERSION}:{hashlib.sha256(vocab).hexdigest()[:12]}"


def generate(
    root: Path,
    n: int,
    roles: int = 12,
    seed: int = 1,
    revisions: int = 5,
    quizzes: bool = False,
    *,
    reuse: bool = False,
) -> Corpus:
    """Write a corpus of ``n`` SOPs under ``root`` (emptied first) and return it.

    ``reuse``: when ``root`` already holds the same corpus (its manifest names the same arguments
    and generator, and every SOP file is there), nothing is written; :attr:`Corpus.reused` says so.
    """
    root = Path(root)
    rng = random.Random(f"{seed}:plan")
    role_list = make_roles(roles)
    specs = plan_sops(n, rng)
    for spec in specs:
        fill_sop(spec, specs, role_list, seed, quizzes)
    corpus = Corpus(root, specs, role_list, revisions, quizzes)
    manifest = {
        "sops": n,
        "roles": roles,
        "seed": seed,
        "revisions": revisions,
        "quizzes": quizzes,
        "generator": generator_fingerprint(),
        "items": [{"id": s.id, "path": s.path, "lang": s.lang} for s in specs],
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=1)
    if reuse and _same_corpus(root, text, corpus):
        corpus.reused = True
        return corpus
    if root.exists():
        shutil.rmtree(root)
    for rel, static in corpus.static_files().items():
        _write(root / rel, static)
    for spec in specs:
        _write(corpus.docs / spec.path, corpus.text(spec, revisions - 1))
    _write(root / "bench-manifest.json", text)
    return corpus


def _same_corpus(root: Path, manifest: str, corpus: Corpus) -> bool:
    path = root / "bench-manifest.json"
    try:
        if path.read_text(encoding="utf-8") != manifest:
            return False
    except OSError:
        return False
    return all((corpus.docs / spec.path).is_file() for spec in corpus.specs)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- mkdocs.yml


def write_config(
    root: Path,
    name: str,
    *,
    sop_options: dict | None = None,
    nav: list | None = None,
    features: list[str] = (),
    offline: bool = False,
) -> Path:
    """Write ``root/mkdocs-<name>.yml``.

    ``sop_options`` None: plain Material (``plugins: [search]``); a dict (maybe empty): with the
    plugin. ``nav`` None: MkDocs' automatic navigation (every page, department folders as sections).
    ``offline``: with Material's ``offline`` plugin (search from ``file://``).
    """
    sop = "sop" if not sop_options else {"sop": sop_options}
    config = {
        "site_name": "SOP 基准 · SOP benchmark",
        "docs_dir": "docs",
        "theme": {"name": "material", "language": "zh", "font": False, "features": list(features)},
        "plugins": (["search"] if sop_options is None else ["search", sop]) + (["offline"] if offline else []),
        "markdown_extensions": MARKDOWN_EXTENSIONS,
    }
    if nav is not None:
        config["nav"] = nav
    path = Path(root) / f"mkdocs-{name}.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=Path)
    parser.add_argument("--sops", type=int, default=50)
    parser.add_argument("--roles", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quizzes", action="store_true", help="a quiz for every fifth SOP")
    args = parser.parse_args()
    corpus = generate(args.root, args.sops, roles=args.roles, seed=args.seed, quizzes=args.quizzes)
    write_config(corpus.root, "plugin", sop_options={})
    write_config(corpus.root, "plain", nav=["index.md"])
    print(f"wrote {args.sops} SOPs to {corpus.docs}; configs mkdocs-plugin.yml, mkdocs-plain.yml")


if __name__ == "__main__":
    main()
