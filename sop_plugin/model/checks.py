"""Catalog checks that never switch off: ids that become paths, lookalike letters, duplicates
reported where the duplicate is, step numbers that are numbers, and pages that almost are SOPs.

Called by :func:`sop_plugin.model.catalog.load_catalog` (and the quiz loader for quiz ids), so
``mkdocs build`` and ``sop check`` report the same. No MkDocs imports.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sop_plugin.model.ids import CaseFold, handle_problem, id_problem, lookalike, sop_id_problem
from sop_plugin.model.problems import Problem, Problems
from sop_plugin.model.source import Located, SourceError, YamlError, load_yaml, split_front_matter

if TYPE_CHECKING:  # pragma: no cover
    from sop_plugin.model.catalog import Catalog
    from sop_plugin.model.sop import Sop

#: ``[[...]]`` that is not a plain SOP link: checked for lookalike letters.
_ANY_LINK = re.compile(r"\[\[([^\[\]\n]{1,80})\]\]")
#: Fields that make a front-matter look like an SOP's when its ``id`` is misspelled.
_ID_KEY = re.compile(r"^[ \t-]*['\"]?id['\"]?[ \t]*:", re.M | re.I)
_SOP_FIELDS = frozenset({"version", "effective_date", "owner", "department", "control_points", "status", "roles"})

#: A step id as written: ``4`` or, for a step that is a numbered heading, ``5.1``.
STEP_ID = re.compile(r"\d+(?:\.\d+)*")


def check_roles_file(located: Located, file: str, problems: Problems) -> set[str]:
    """Ids in the roles file: safe, distinct (also when case is folded), each duplicate reported on
    its own line. Returns the ids refused, so that what names them is not reported again."""
    data = located.data if isinstance(located.data, dict) else {}
    refused: set[str] = set()
    for key, what in (("departments", "department id"), ("roles", "role id")):
        entries = data.get(key)
        if not isinstance(entries, list):
            continue
        first: dict[str, int] = {}
        folded = CaseFold(what)
        for index, entry in enumerate(entries):
            value = entry.get("id") if isinstance(entry, dict) else None
            if not isinstance(value, str):
                continue
            path = (key, index, "id")
            line = located.line_of(path)
            field = f"{key}[{index}].id"
            message = id_problem(value, what)
            if message:
                problems.add(file, line, field, message)
                refused.add(value)
                continue
            if value in first:
                problems.add(
                    file,
                    line,
                    field,
                    f"duplicate {what} {value!r}: already {key}[{first[value]}] (line {located.line_of((key, first[value], 'id'))})",
                )
                continue
            first[value] = index
            clash = folded.clash(value, f"line {line}")
            if clash:
                problems.add(file, line, field, clash)
                refused.add(value)
    return refused


def check_sops(catalog: Catalog) -> None:
    """Per SOP: place ids and handles that become paths, lookalike SOP ids, ``step`` numbers that
    are booleans, and ``[[...]]`` references with lookalike letters."""
    folds = {
        key: CaseFold(what) for key, what in (("sites", "site"), ("lines", "line"), ("workstations", "workstation"))
    }
    handles = CaseFold("owner handle")
    for sop in sorted(catalog.sops, key=lambda s: s.path):
        data = sop.located.data if isinstance(sop.located.data, dict) else {}
        where = sop.meta.applies_to
        for key, fold in folds.items():
            values = getattr(where, key)
            for index, value in enumerate(list(values)):
                message = id_problem(value, key[:-1] + " id") or fold.clash(value, sop.path)
                if message:
                    sop.problem(("applies_to", key, index), message)
                    values.remove(value)  # reported: never a page or an anchor
        handle = sop.meta.owner.handle
        message = handle_problem(handle) or handles.clash(handle, sop.path)
        if message:
            sop.problem(("owner", "handle"), message)
            # A copy, not an assignment: the owner's set of fields given may be shared (sop.py).
            sop.meta.owner = sop.meta.owner.model_copy(update={"handle": None})
        _check_sop_ids(sop, data)
        _check_steps(sop, data)
        for target, line in _links(sop.body, sop.body_line):
            message = sop_id_problem(target) if "-" in target and lookalike(target) else None  # SOP-id-like only
            if message:
                sop.problems.append(Problem(sop.path, line, "body", f"[[{target}]]: {message}"))


def _check_sop_ids(sop: Sop, data: dict) -> None:
    """SOP ids written with a lookalike letter: shown with the character, not only "no match"."""
    fields = [(("id",), data.get("id")), (("translation_of",), data.get("translation_of"))]
    for key in ("references", "supersedes"):
        if isinstance(data.get(key), list):
            fields += [((key, index), value) for index, value in enumerate(data[key])]
    for path, value in fields:
        message = sop_id_problem(value)
        if message:
            sop.problem(path, message)


def _check_steps(sop: Sop, data: dict) -> None:
    """``step: true`` is not step 1: a step is a number (``4``, or ``5.1`` for a heading step) or
    such a number written as a string; whether that step exists is checked against the body."""

    def bad(value) -> bool:
        return (
            isinstance(value, bool)
            or (isinstance(value, float) and not (value == value and 0 <= value < 1e6))
            or (isinstance(value, str) and not STEP_ID.fullmatch(value.strip()))
        )

    points, roles = data.get("control_points"), data.get("roles")
    for index, point in enumerate(points if isinstance(points, list) else []):
        if isinstance(point, dict) and point.get("step") is not None and bad(point["step"]):
            sop.problem(
                ("control_points", index, "step"), f"a step is a step number such as 4 or 5.1, got {point['step']!r}"
            )
    for index, item in enumerate(roles if isinstance(roles, list) else []):
        steps = item.get("steps") if isinstance(item, dict) else None
        for position, value in enumerate(steps if isinstance(steps, list) else []):
            if bad(value):
                sop.problem(
                    ("roles", index, "steps", position), f"a step is a step number such as 4 or 5.1, got {value!r}"
                )


def _links(body: str, first_line: int) -> list[tuple[str, int]]:
    found = []
    if "[[" not in body:
        return found
    for index, line in enumerate(body.splitlines()):
        for match in _ANY_LINK.finditer(line):
            found.append((match.group(1).strip(), first_line + index))
    return found


def quiz_id_problem(value: object, fold: CaseFold, where: str) -> str | None:
    """Why a quiz id cannot name ``training/<quiz-id>/``, or None."""
    return id_problem(value, "quiz id") or fold.clash(value, where)


def page_problems(path: str, text: str) -> list[Problem]:
    """A Markdown page that is not an SOP: its front-matter must be readable YAML and a mapping,
    and a misspelled ``id`` (``ID:``, ``Id:``, `` id``) beside SOP fields gets a warning."""
    source = split_front_matter(text)
    if source.front_matter is None:
        return []
    try:
        data = load_yaml(source.front_matter, first_line=2).data
    except YamlError as exc:
        return [Problem(path, exc.line, "front-matter", str(exc))]
    if data is None:
        return []
    if not isinstance(data, dict):
        if not _ID_KEY.search(source.front_matter):
            return []  # not meant as an SOP: MkDocs ignores such a front-matter, so do we
        kind = "a list" if isinstance(data, list) else f"the {type(data).__name__} {str(data)[:40]!r}"
        return [Problem(path, 2, "front-matter", f"is {kind}, not fields (key: value): write e.g. 'title: ...'")]
    lookalikes = [key for key in data if isinstance(key, str) and key != "id" and key.strip().casefold() == "id"]
    if lookalikes and _SOP_FIELDS & set(map(str, data)):
        return [
            Problem(
                path,
                2,
                "front-matter",
                f"has {lookalikes[0]!r} but no 'id': this page is not treated as an SOP; write 'id' in lower case "
                "without spaces to make it one",
                "warning",
            )
        ]
    return []


def read_problem(path: str, exc: SourceError | OSError | UnicodeDecodeError) -> Problem:
    """A Markdown file that cannot be read as UTF-8 text."""
    if isinstance(exc, UnicodeDecodeError):
        line = exc.object[: exc.start].count(b"\n") + 1
        return Problem(path, line, "", f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x}): save the file as UTF-8")
    return Problem(path, None, "", str(exc) if isinstance(exc, SourceError) else f"cannot read: {exc}")
