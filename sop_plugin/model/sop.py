"""One SOP file: parse its front-matter, validate what a single file can tell, keep line numbers."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from functools import cached_property

from pydantic import BaseModel, ValidationError

from sop_plugin.model.messages import field_name, plain_errors, plain_message, yaml_message
from sop_plugin.model.problems import Problem
from sop_plugin.model.schema import (
    EXTRA_PREFIX,
    PAGE_KEYS,
    AppliesTo,
    Approval,
    Change,
    ControlPoint,
    ExceptionRule,
    Owner,
    RecordRule,
    RoleAssignment,
    SopFrontMatter,
    Training,
)
from sop_plugin.model.source import Located, YamlError, load_yaml, split_front_matter
from sop_plugin.model.steps import Step, StepReader, find_steps, repeated_steps, step_key

_KNOWN_KEYS = frozenset(SopFrontMatter.model_fields) | PAGE_KEYS
#: The versions of a first issue: no ``changes`` entry is required for them.
FIRST_VERSIONS = frozenset({"1.0", "1.0.0"})


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day (and to 9999-12-31)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if year > dt.MAXYEAR:
        return dt.date.max
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass
class Sop:
    """An SOP page: its validated front-matter, body steps, and the problems found in its file."""

    path: str  # POSIX path relative to the docs folder
    meta: SopFrontMatter
    located: Located
    body: str
    body_line: int
    steps: list[Step]
    problems: list[Problem] = field(default_factory=list)
    valid: bool = True  # False when the front-matter had to be patched to be shown at all
    patched: frozenset = frozenset()  # top-level fields replaced by placeholders (not checked further)

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def version(self) -> str:
        return self.meta.version

    @property
    def major(self) -> int:
        return int(self.meta.version.split(".")[0])

    @property
    def is_translation(self) -> bool:
        return self.meta.translation_of is not None

    def translation_behind(self, source: Sop) -> bool:
        """Whether this translation's ``source_version`` differs from ``source``'s version in MAJOR or
        MINOR. A PATCH bump of the source (``3.1`` -> ``3.1.1``) is editorial: the translation still matches."""
        matched = self.meta.source_version
        return bool(matched) and matched.split(".")[:2] != source.version.split(".")[:2]

    @cached_property
    def next_review(self) -> dt.date | None:
        """Effective date plus the review interval; None while not yet effective."""
        if self.meta.effective_date is None:
            return None
        return add_months(self.meta.effective_date, self.meta.review_interval_months)

    @property
    def faulty(self) -> bool:
        """True when any error was found in this SOP (its own file or across files)."""
        return not self.valid or any(problem.severity == "error" for problem in self.problems)

    def state(self, today: dt.date) -> str:
        """The status to show, everywhere: ``draft`` for a faulty SOP (one with an error, whatever
        its front-matter says), else the front-matter status, or ``upcoming`` before the effective date."""
        if self.faulty:
            return "draft"
        effective = self.meta.effective_date
        if self.meta.status == "effective" and effective is not None and effective > today:
            return "upcoming"
        return self.meta.status

    def review_overdue(self, today: dt.date) -> bool:
        """True when an SOP in force is past its next review date."""
        return self.state(today) == "effective" and self.next_review is not None and self.next_review < today

    def line(self, *path) -> int | None:
        """The file line of a front-matter field path, e.g. ``sop.line("control_points", 0, "step")``."""
        return self.located.line_of(path)

    def problem(self, field_path: tuple, message: str, severity: str = "error") -> Problem:
        """Record a problem at a front-matter field of this file and return it."""
        found = Problem(self.path, self.line(*field_path), _field_name(field_path), message, severity)
        self.problems.append(found)
        return found


def _field_name(path: tuple) -> str:
    return field_name(path)


def _pydantic_message(error: dict) -> str:
    """One pydantic error in plain words (kept for callers; see :mod:`sop_plugin.model.messages`)."""
    return plain_message(error)


_H1 = re.compile(r"^#[ \t]+(.+?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_SETEXT_H1 = re.compile(r"^[ ]{0,3}=+[ \t]*$")


def body_title(body: str) -> str | None:
    """The text of the body's first level-1 heading (``# Title``, or ``Title`` underlined with
    ``===``), outside code fences; None without one."""
    fence, previous = None, ""
    for line in body.splitlines():
        opened = _FENCE.match(line)
        if opened:
            mark = opened.group(1)[0]
            fence = None if fence == mark else (fence or mark)
            previous = ""
            continue
        if fence is None:
            found = _H1.match(line)
            if found and found.group(1).strip():
                return found.group(1).strip()
            if _SETEXT_H1.match(line) and previous.strip() and not previous.startswith(("    ", "\t")):
                return previous.strip()
        previous = line
    return None


def front_matter_lines(text: str) -> dict:
    """The line of every front-matter field of a Markdown text (as :func:`parse_sop` records
    them): what :meth:`Located.release` recomputes from; ``{}`` when it cannot be read."""
    source = split_front_matter(text)
    if source.front_matter is None:
        return {}
    try:
        return load_yaml(source.front_matter, first_line=2).lines
    except YamlError:
        return {}


def parse_sop(path: str, text: str, step_reader: StepReader | None = None) -> Sop | None:
    """Parse one Markdown file; None when it is not an SOP (no ``id`` in its front-matter).

    ``step_reader`` parses the body with the site's Markdown settings (default: MkDocs' defaults).

    Problems are recorded on the returned :class:`Sop`. A file whose YAML cannot be read at all
    but looks like an SOP is returned as a minimal invalid SOP so its page can show the problem.
    """
    source = split_front_matter(text)
    if source.front_matter is None:
        return None
    try:
        located = load_yaml(source.front_matter, first_line=2)
    except YamlError as exc:
        if "\nid:" not in "\n" + source.front_matter:
            return None
        meta = _placeholder(path, {})
        sop = Sop(
            path,
            meta,
            Located(None),
            source.body,
            source.body_line,
            [],
            valid=False,
            patched=frozenset(_PLACEHOLDERS) | {"id", "title"},
        )
        sop.problems.append(Problem(path, exc.line, "front-matter", yaml_message(str(exc))))
        return sop
    data = located.data
    if not isinstance(data, dict) or "id" not in data:
        return None
    problems: list[Problem] = []
    if data.get("title") is None:  # the page's own H1 names it (a plant's documents have one)
        heading = body_title(source.body)
        if heading is not None:
            data = {**data, "title": heading}
        else:
            problems.append(
                Problem(
                    path,
                    located.line_of(("id",)),
                    "title",
                    "required: write title: ... or start the body with '# Title'",
                )
            )
    try:
        meta, valid = SopFrontMatter.model_validate(data), True
    except ValidationError as exc:
        errors = plain_errors(exc)
        for loc, message in errors:
            problems.append(Problem(path, located.line_of(loc), field_name(loc), message))
        bad_keys = {loc[0] for loc, _ in errors if loc}
        meta, valid = _patched(path, data, bad_keys), False
    if meta.title is None:
        meta.title = str(meta.id)
    sop = Sop(
        path,
        meta,
        located,
        source.body,
        source.body_line,
        find_steps(source.body, source.body_line, step_reader, data.get("steps_from")),
        problems,
        valid,
        frozenset() if valid else frozenset(_PLACEHOLDERS) - (set(data) - bad_keys),
    )
    _check_single_file(sop, data)
    share_field_sets(meta)
    return sop


#: Sets of field names shared by the models that were given the same fields (bounded: hostile
#: input with endless combinations just stops being shared).
_FIELD_SETS: dict[frozenset, set] = {}
_MAX_FIELD_SETS = 4096


def share_field_sets(model: BaseModel) -> None:
    """Give ``model`` and the models in it one shared set of "fields given" per combination.

    pydantic keeps, beside each model's values, the set of field names the input gave (read
    only by ``model_dump(exclude_unset=True)``, ``model_fields_set`` and ``==``, which the plugin
    never relies on for these): a set per SOP, owner, change, control point ... is about 7 KB of
    each SOP's 30 KB, the same few dozen sets over and over. Assigning a field afterwards would
    add its name to the shared set: the catalog never assigns to a parsed model (it copies one
    with ``model_copy``).
    """
    pending = [model]
    while pending:
        current = pending.pop()
        given = current.__pydantic_fields_set__
        key = frozenset(given)
        shared = _FIELD_SETS.get(key)
        if shared is None and len(_FIELD_SETS) < _MAX_FIELD_SETS:
            shared = _FIELD_SETS[key] = set(key)
        if shared is not None:
            object.__setattr__(current, "__pydantic_fields_set__", shared)
        for value in current.__dict__.values():
            if isinstance(value, BaseModel):
                pending.append(value)
            elif isinstance(value, list):
                pending.extend(item for item in value if isinstance(item, BaseModel))


_PLACEHOLDERS = {"version": "0.0", "owner": {"name": "?", "role": "?"}, "department": "?", "status": "draft"}


def _placeholder_id(path: str) -> str:
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return "INVALID-" + ("".join(c for c in stem.upper() if c.isascii() and c.isalnum()) or "X")


def _placeholder(path: str, data: dict) -> SopFrontMatter:
    """A minimal draft front-matter so that a broken SOP can still be shown with its problems."""
    title = str(data.get("title") or data.get("id") or path).strip() or path  # " " is no title either
    return SopFrontMatter.model_validate({**_PLACEHOLDERS, "id": _placeholder_id(path), "title": title})


def _patched(path: str, data: dict, bad_keys: set) -> SopFrontMatter:
    """The front-matter without its invalid fields, shown as a draft so the page is flagged."""
    kept = {key: value for key, value in data.items() if key not in bad_keys}
    kept = {**_PLACEHOLDERS, **kept, "status": "draft"}
    kept.setdefault("title", str(data.get("id", path)))
    if "id" in bad_keys:
        kept["id"] = _placeholder_id(path)
    try:
        return SopFrontMatter.model_validate(kept)
    except ValidationError:
        return _placeholder(path, data)


def _check_single_file(sop: Sop, data: dict) -> None:
    """Rules that need the whole front-matter and the body, but not other files."""
    meta = sop.meta
    for key in data:
        if key not in _KNOWN_KEYS and not str(key).startswith(EXTRA_PREFIX):
            sop.problem((key,), _unknown_field(str(key)), "warning")
    if sop.valid and meta.effective_date is None and meta.status not in ("draft", "in-review"):
        sop.problem(("effective_date",), f"required unless status is draft or in-review (status is {meta.status})")
    if sop.valid and meta.version not in FIRST_VERSIONS and not any(c.version == meta.version for c in meta.changes):
        sop.problem(
            ("changes",) if "changes" in data else ("version",),
            f'no entry for the current version "{meta.version}" (required when version is not "1.0")',
        )
    if meta.source_version and not meta.translation_of:
        sop.problem(("source_version",), "only meaningful together with translation_of")
    step_numbers = {str(step.number) for step in sop.steps}  # "4", or "5.1" for a heading step
    repeated = repeated_steps(sop.steps)
    if repeated:
        sop.problems.append(Problem(sop.path, repeated[0], "body", repeated[1], "warning"))
    seen: dict[str, int] = {}
    for index, point in enumerate(meta.control_points):
        if point.id in seen:
            sop.problem(
                ("control_points", index, "id"),
                f"duplicate control point id {point.id!r} (also control_points[{seen[point.id]}])",
            )
        seen.setdefault(point.id, index)
        if point.step is not None and str(point.step) not in step_numbers:
            sop.problem(("control_points", index, "step"), no_steps([point.step], [s.number for s in sop.steps]))
    for index, assignment in enumerate(meta.roles):
        missing = [number for number in assignment.steps if str(number) not in step_numbers]
        if missing:  # one line for the run, not one per number
            where = ("roles", index, "steps", assignment.steps.index(missing[0])) if len(missing) == 1 else ()
            sop.problem(where or ("roles", index, "steps"), no_steps(missing, [s.number for s in sop.steps]))


#: Where the fields of nested entries belong, for an unknown top-level field that is one of them.
_NESTED = {
    "owner": Owner,
    "applies_to": AppliesTo,
    "approvals[]": Approval,
    "changes[]": Change,
    "roles[]": RoleAssignment,
    "control_points[]": ControlPoint,
    "exceptions[]": ExceptionRule,
    "records[]": RecordRule,
    "training": Training,
}


def _unknown_field(key: str) -> str:
    """Why a top-level field is not known, and what to write instead."""
    homes = [where for where, model in _NESTED.items() if key in model.model_fields]
    if homes:
        shown = " or ".join(h.replace("[]", " entries") for h in homes[:2])
        return f"unknown top-level field: {key!r} belongs inside {shown}"
    near = difflib.get_close_matches(key, sorted(SopFrontMatter.model_fields), n=1, cutoff=0.75)
    if near:
        return f"unknown field (did you mean {near[0]!r}?)"
    return (
        f"unknown field: a plant's own field is written {EXTRA_PREFIX}{key} or under extra: "
        "(both are kept and passed through into sop-catalog.json)"
    )


def step_list(numbers) -> str:
    """Step numbers as runs: ``[1, 2, 3, 5]`` -> ``1-3, 5``."""
    values = sorted(set(numbers), key=step_key)  # 2, 5, "5.1", "5.2", 10
    parts: list[str] = []
    run: list[int] = []
    for value in values + [None]:
        if isinstance(value, int) and run and value == run[-1] + 1:
            run.append(value)
            continue
        if run:
            parts.append(f"{run[0]}-{run[-1]}" if len(run) > 2 else ", ".join(map(str, run)))
        run = [value] if isinstance(value, int) else []
        if value is not None and not isinstance(value, int):
            parts.append(str(value))
    return ", ".join(parts)


def no_steps(missing: list, numbers: list) -> str:
    """The message for step numbers the body does not have (one line for all of them)."""
    which = f"step {missing[0]} does not exist" if len(missing) == 1 else f"steps {step_list(missing)} do not exist"
    if not numbers:
        return (
            f"{which}: the body has no numbered steps (steps are the items of a numbered list, or "
            'headings numbered like "## 1. Scope" and "### 5.1 Sampling")'
        )
    return f"{which}: the body has steps {step_list(numbers)}"
