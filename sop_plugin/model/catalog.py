"""The whole knowledge base as one validated :class:`Catalog`: SOPs, roles, departments, quizzes.

:func:`load_catalog` is the one entry point used by the MkDocs plugin and the ``sop`` command
alike, so a check run before merge reports exactly what the build will.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from pydantic import ValidationError

from sop_plugin.model.cache import ParseCache
from sop_plugin.model.checks import check_roles_file, check_sops, page_problems, read_problem
from sop_plugin.model.messages import field_name as _field_name
from sop_plugin.model.messages import plain_errors, yaml_message
from sop_plugin.model.problems import Problem, Problems
from sop_plugin.model.schema import Department, Role, RolesFile
from sop_plugin.model.sop import Sop, front_matter_lines, parse_sop
from sop_plugin.model.source import MAX_BYTES, Located, SourceError, YamlError, links_leaving, load_yaml, read_text
from sop_plugin.model.steps import StepReader, find_sop_links

ROLES_FILE = "roles.yml"


def localized(text, lang: str | None) -> str:
    """Pick ``lang`` from a ``{zh: ..., en: ...}`` mapping (falling back to en, then any)."""
    if text is None or isinstance(text, str):
        return text or ""
    return text.get(lang or "en") or text.get("en") or next(iter(text.values()), "")


@dataclass
class Catalog:
    """Every SOP, role, department and quiz of a knowledge base, and every problem found."""

    sops: list[Sop] = field(default_factory=list)
    roles: dict[str, Role] = field(default_factory=dict)
    departments: dict[str, Department] = field(default_factory=dict)
    quizzes: dict = field(default_factory=dict)  # quiz id -> sop_plugin.model.quiz.Quiz
    problems: Problems = field(default_factory=Problems)

    def __post_init__(self) -> None:
        self.by_id: dict[str, Sop] = {}
        self.by_path: dict[str, Sop] = {}
        self.translations: dict[str, list[Sop]] = {}
        self.superseded_by: dict[str, list[str]] = {}
        self.referenced_by: dict[str, list[str]] = {}
        #: Files (and folders) of docs_dir never to be read or published: Markdown that is not UTF-8
        #: text, symbolic links that lead outside docs_dir. Reported; the adapter drops them.
        self.unreadable: set[str] = set()
        #: Role and department ids refused (unsafe, or differing only in case): reported once, where
        #: they are defined, not again wherever they are named.
        self.refused: set[str] = set()
        #: SOP ids left out of this plant copy (see :mod:`sop_plugin.model.filters`); links to them
        #: say "not part of this copy". Empty for a full build.
        self.left_out: set[str] = set()

    def index(self) -> None:
        """(Re)build the look-up tables from :attr:`sops`."""
        self.by_path = {sop.path: sop for sop in self.sops}
        self.by_id, self.translations = {}, {}
        for sop in sorted(self.sops, key=lambda s: s.path):
            if sop.is_translation:
                self.translations.setdefault(sop.meta.translation_of, []).append(sop)
            else:
                self.by_id.setdefault(sop.id, sop)
        self.superseded_by, self.referenced_by = {}, {}
        for sop in self.by_id.values():
            for target in sop.meta.supersedes:
                self.superseded_by.setdefault(target, []).append(sop.id)
            linked = set(sop.meta.references) | {target for target, _ in find_sop_links(sop.body)}
            for target in sorted(linked - {sop.id}):
                self.referenced_by.setdefault(target, []).append(sop.id)

    def is_unreadable(self, path: str) -> bool:
        """True for a file of :attr:`unreadable`, or one inside a folder of it."""
        return path in self.unreadable or any(path.startswith(folder + "/") for folder in self.unreadable)

    def get(self, sop_id: str) -> Sop | None:
        return self.by_id.get(sop_id)

    def is_left_out(self, sop_id: str) -> bool:
        """True when ``sop_id`` exists in the knowledge base but not in this plant copy."""
        return sop_id in self.left_out

    def problems_of(self, path: str) -> list[Problem]:
        """Every problem of one file (its own and those found across files)."""
        return self.problems.for_file(path)


def load_roles(docs_dir: Path, problems: Problems, name: str = ROLES_FILE) -> tuple[RolesFile, Located]:
    """Load ``docs/roles.yml`` (``!include`` allowed), reporting problems with lines."""
    path = docs_dir / name
    if path.is_symlink() and not path.resolve().is_relative_to(docs_dir.resolve()):
        return RolesFile(), Located(None)  # reported as a link leaving the docs folder
    if not path.is_file():
        problems.add(name, None, "", f"missing: the roles and departments catalog docs/{name} is required")
        return RolesFile(), Located(None)
    try:
        located = load_yaml(read_text(path, MAX_BYTES), include_base=docs_dir, include_folder="the docs folder")
    except SourceError as exc:
        problems.add(name, None, "", str(exc))
        return RolesFile(), Located(None)
    except YamlError as exc:
        problems.add(exc.file or name, exc.line, "", yaml_message(str(exc)))
        return RolesFile(), Located(None)
    if located.data is None or located.data == {}:
        problems.add(name, None, "", "is empty: list the departments and roles that SOPs may name")
    elif not isinstance(located.data, dict):
        problems.add(name, 1, "", "must be a mapping with 'departments:' and 'roles:' lists")
    try:
        return RolesFile.model_validate(located.data or {}), located
    except ValidationError as exc:
        for loc, message in plain_errors(exc):
            problems.add(name, located.line_of(loc), _field_name(loc), message)
    # Keep every entry that is valid on its own, so one typo does not hide every role.
    data = located.data if isinstance(located.data, dict) else {}
    kept = RolesFile()
    for key, model, target in (("departments", Department, kept.departments), ("roles", Role, kept.roles)):
        for entry in data.get(key) or []:
            try:
                target.append(model.model_validate(entry))
            except ValidationError:
                pass
    return kept, located


def read_markdown_sources(docs_dir: Path) -> Iterable[tuple[str, str | Callable[[], str]]]:
    """Every Markdown file under ``docs_dir`` as ``(posix path, reader)``, sorted by path."""
    for path in sorted(docs_dir.rglob("*.md")):
        yield path.relative_to(docs_dir).as_posix(), partial(read_text, path)


def load_catalog(
    docs_dir: Path,
    sources: Iterable[tuple[str, str]] | None = None,
    quizzes_dir: Path | None = None,
    roles_file: str = ROLES_FILE,
    step_reader: StepReader | None = None,
    cache: ParseCache | None = None,
) -> Catalog:
    """Load and validate a whole knowledge base.

    ``sources`` are the Markdown files as ``(path relative to docs_dir, text)``, where the text may
    be a function that reads it (a file that is not UTF-8 is then reported and listed in
    :attr:`Catalog.unreadable`); by default every ``*.md`` under ``docs_dir`` is read. ``quizzes_dir``
    is the quiz bank folder, if any. ``step_reader`` finds the steps of bodies with the site's
    Markdown settings (``model/steps.py``). ``cache`` (``model/cache.py``, kept by a process that
    builds again and again) skips reading and parsing files that did not change; the checks
    across files run all the same.
    """
    # Parsing thousands of front-matters allocates millions of small objects that all stay alive;
    # each automatic collection would walk them again (about a third of the time at 3,000 SOPs).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_catalog(Path(docs_dir), sources, quizzes_dir, roles_file, step_reader, cache)
    finally:
        if enabled:
            gc.enable()


def _load_catalog(docs_dir: Path, sources, quizzes_dir, roles_file: str, step_reader=None, cache=None) -> Catalog:
    catalog = Catalog()
    for link in links_leaving(docs_dir):
        catalog.problems.add(link, None, "", "a symbolic link to outside the docs folder: not read, not published")
        catalog.unreadable.add(link)
    roles_data, roles_located = load_roles(docs_dir, catalog.problems, roles_file)
    catalog.refused = check_roles_file(roles_located, roles_file, catalog.problems)
    for department in roles_data.departments:
        if department.id not in catalog.refused:
            catalog.departments.setdefault(department.id, department)
    for role in roles_data.roles:
        if role.id not in catalog.refused:
            catalog.roles.setdefault(role.id, role)
    seen = set()
    if cache is not None:
        cache.begin(step_reader)
    for path, text in read_markdown_sources(docs_dir) if sources is None else sources:
        if catalog.is_unreadable(path):
            continue
        seen.add(path)
        parse = partial(_parse_file, path, step_reader)
        try:
            if cache is not None:
                sop, problems = cache.parse(path, docs_dir / path, text, parse)
            else:
                sop, problems = parse(text() if callable(text) else text)
        except (SourceError, OSError, UnicodeDecodeError) as exc:
            catalog.problems.items.append(read_problem(path, exc))
            catalog.unreadable.add(path)
            continue
        if sop is not None:
            catalog.sops.append(sop)
            # Checked on its own: its line map goes now (a quarter of a parsed SOP), before the next
            # file is parsed; a message found later (across files, versions, record forms)
            # recomputes it from the file (Located.release).
            sop.located.release(partial(_relocate, text))
        catalog.problems.extend(problems)
    if cache is not None:
        cache.forget(seen)
    catalog.index()
    check_sops(catalog)
    _check_ids(catalog)
    _check_names(catalog, roles_file, roles_located)
    if quizzes_dir is not None:
        from sop_plugin.model.quiz import load_quizzes  # the quiz layer is optional for callers without quizzes

        load_quizzes(Path(quizzes_dir), catalog, yaml_loader=cache.yaml if cache is not None else None)
    for sop in catalog.sops:
        catalog.problems.extend(sop.problems)
    catalog.problems.items.sort(key=lambda p: (p.file, p.line or 0))
    return catalog


def _relocate(text: str | Callable[[], str]) -> dict:
    """The front-matter line map of an SOP file, again (see :meth:`Located.release`)."""
    try:
        return front_matter_lines(text() if callable(text) else text)
    except (SourceError, OSError, UnicodeDecodeError):
        return {}


def _parse_file(path: str, step_reader: StepReader | None, text: str) -> tuple[Sop | None, list[Problem]]:
    """One Markdown file: ``(its SOP, [])``, or ``(None, the problems of a page that is not an SOP)``."""
    sop = parse_sop(path, text, step_reader)
    return (sop, []) if sop is not None else (None, page_problems(path, text))


def _check_ids(catalog: Catalog) -> None:
    first: dict[tuple[str, str | None], Sop] = {}
    for sop in sorted(catalog.sops, key=lambda s: s.path):
        key = (sop.id, sop.meta.lang if sop.is_translation else None)
        if key in first:
            sop.problem(("id",), f"duplicate SOP id {sop.id!r}: also in {first[key].path}")
        first.setdefault(key, sop)
        if sop.is_translation:
            source = catalog.get(sop.meta.translation_of)
            if source is None:
                sop.problem(("translation_of",), f"no SOP with id {sop.meta.translation_of!r}")
            elif source.meta.lang == sop.meta.lang:
                sop.problem(("lang",), f"a translation needs a language other than its source's ({source.meta.lang})")


def _check_names(catalog: Catalog, roles_file: str, roles_located: Located) -> None:
    """Role, department and SOP ids named anywhere must exist."""
    roles, departments = catalog.roles, catalog.departments

    def role(sop: Sop, value: str | None, *path) -> None:
        if value and value not in roles and value not in catalog.refused:
            sop.problem(path, _unknown("role", value, roles))

    for sop in catalog.sops:
        meta = sop.meta
        if (
            "department" not in sop.patched
            and meta.department not in departments
            and meta.department not in catalog.refused
        ):
            sop.problem(("department",), _unknown("department", meta.department, departments))
        if "owner" not in sop.patched:
            role(sop, meta.owner.role, "owner", "role")
        for index, item in enumerate(meta.roles):
            role(sop, item.role, "roles", index, "role")
        for index, item in enumerate(meta.approvals):
            role(sop, item.role, "approvals", index, "role")
        for index, point in enumerate(meta.control_points):
            if point.monitoring:
                role(sop, point.monitoring.who, "control_points", index, "monitoring", "who")
        for index, item in enumerate(meta.exceptions):
            role(sop, item.escalate_to, "exceptions", index, "escalate_to")
        if meta.training:
            for index, name in enumerate(meta.training.roles):
                role(sop, name, "training", "roles", index)
        for key in ("references", "supersedes"):
            for index, target in enumerate(getattr(meta, key)):
                if target not in catalog.by_id:
                    sop.problem((key, index), f"no SOP with id {target!r}")
                elif target == sop.id:
                    sop.problem((key, index), "an SOP cannot name itself")
        for target, line in find_sop_links(sop.body, sop.body_line):
            if target not in catalog.by_id:
                sop.problems.append(Problem(sop.path, line, "body", f"[[{target}]]: no SOP with this id"))
    raw_roles = roles_located.data.get("roles") if isinstance(roles_located.data, dict) else None
    position = {entry.get("id"): index for index, entry in enumerate(raw_roles or []) if isinstance(entry, dict)}
    for role_item in roles.values():
        base = ("roles", position.get(role_item.id, 0))

        def report(path: tuple, message: str, base: tuple = base) -> None:
            catalog.problems.add(roles_file, roles_located.line_of(base + path), _field_name(base + path), message)

        for index, target in enumerate(role_item.onboarding):
            if target not in catalog.by_id:
                report(("onboarding", index), f"no SOP with id {target!r}")
        if (
            role_item.department
            and role_item.department not in departments
            and role_item.department not in catalog.refused
        ):
            report(("department",), _unknown("department", role_item.department, departments))


def _unknown(kind: str, value: str, known: dict) -> str:
    import difflib

    near = difflib.get_close_matches(value, list(known), n=1)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    return f"unknown {kind} {value!r}{hint}; {kind}s are defined in docs/{ROLES_FILE}"
