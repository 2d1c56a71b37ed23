"""Quiz banks (CONTRACT.md section 2): load every bank under ``quizzes/`` and validate it against the
catalog, reporting every problem of every file in one run. No MkDocs imports.

Which files are quiz banks
--------------------------
Every ``*.yml`` / ``*.yaml`` file under the quiz folder (sub-folders included) is read, and the
rule is:

1. A file that some other file under the quiz folder pulls in with ``!include`` is a **pool**. It is
   never a quiz of its own; its questions are checked as part of every quiz that includes it (a
   ``ref`` must exist in *that* quiz's SOP), and problems in it are reported on the pool file and
   line, naming the quiz that included it.
2. Any other file whose top-level value is a mapping with a ``questions`` or a ``sop`` key is a
   **quiz bank**, validated in full (so a bank that forgot its ``id`` is reported, not skipped).
3. Anything else (a list of questions, a single question, an empty file) is a pool that nothing
   includes yet: it is ignored.

``!include`` paths are relative to the quiz folder (``!include common/ppe.yml`` is
``quizzes/common/ppe.yml``) and must stay inside it. An included file may hold one question (a
mapping) or a list of questions; a list is spliced into the ``questions`` list in place.

What is checked
---------------
YAML syntax (with line), the :class:`~sop_plugin.model.schema.QuizBank` schema, unknown SOP,
duplicate quiz ids across files, duplicate question ids within a quiz, answers out of range for
the question type (``single``: an option index; ``multiple``: a non-empty list of unique option
indexes; ``true_false``: true or false; ``order``: a permutation of the option indexes), ``draw``
larger than the pool, a ``ref`` that names no step number or control point id of the SOP. On the
SOP side (reported on the SOP file): ``training.quiz`` must name an existing quiz of that SOP, and
every ``training.roles`` entry must be one of the SOP's ``roles[]``.

A bank whose header is valid, whose id is not taken by an earlier file (by path) and whose SOP
exists is stored in ``catalog.quizzes`` with its valid questions only (and not at all when none is
valid), with ``valid=False`` when anything in it was wrong. A bank that cannot be loaded at all
still counts as existing for ``training.quiz``, so one mistake is reported once, not twice.
Files and folders whose names start with a dot are skipped.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from sop_plugin.model.checks import quiz_id_problem
from sop_plugin.model.ids import CaseFold
from sop_plugin.model.schema import QuizBank, QuizQuestion
from sop_plugin.model.source import (
    MAX_BYTES,
    MAX_DEPTH,
    Located,
    SourceError,
    YamlError,
    links_leaving,
    load_yaml,
    read_text,
    resolve_include,
)
from sop_plugin.model.steps import describe_steps

if TYPE_CHECKING:  # pragma: no cover
    from sop_plugin.model.catalog import Catalog
    from sop_plugin.model.sop import Sop

QUIZ_SUFFIXES = (".yml", ".yaml")
_TOP_KEY = re.compile(r"^(id|sop):[ \t]*([^#\n]+?)[ \t]*(?:#.*)?$", re.M)


@dataclass
class Quiz:
    """A validated quiz bank bound to its SOP.

    ``bank.questions`` holds only the questions that passed every check; ``valid`` is False when
    the file (or a pool it includes) had any error. ``sources`` are the files read to build it
    (the bank and its pools), e.g. for a live-reload watcher.
    """

    bank: QuizBank
    path: str  # as shown to authors, e.g. "quizzes/qc/incoming.yml"
    located: Located = field(default_factory=lambda: Located(None))
    valid: bool = True
    pool_size: int = 0  # questions as written, valid or not
    sources: list[Path] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.bank.id

    @property
    def sop_id(self) -> str:
        return self.bank.sop

    @property
    def questions(self) -> list[QuizQuestion]:
        return self.bank.questions

    @property
    def asked(self) -> int:
        """How many questions one attempt asks: ``draw`` or the whole bank."""
        return min(self.bank.draw or len(self.questions), len(self.questions))


# --- where a value came from: bank file or an included pool -------------------------------------


@dataclass
class _Origin:
    """Where one question was written: which file, its lines, and its path inside that file."""

    display: str
    located: Located
    base: tuple  # field path of the question inside ``located``
    included_by: str | None = None  # the bank's display path when the question comes from a pool

    def line(self, *rest) -> int | None:
        return self.located.line_of(self.base + tuple(rest))

    def field(self, *rest) -> str:
        return _field_name(self.base + tuple(rest))

    def note(self, message: str) -> str:
        return f"{message} (included by {self.included_by})" if self.included_by else message


@dataclass
class _Include:
    """One ``!include`` found in a file before loading it."""

    path: tuple  # field path of the include node
    target: str
    line: int
    files: list[Path]  # what it resolves to (several for a glob)
    error: str | None = None


def _field_name(path: tuple) -> str:
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


def _pydantic_message(error: dict) -> str:
    from sop_plugin.model.sop import _pydantic_message as message

    return message(error)


_UNION_MESSAGES = {
    "answer": "must be an option index, a list of option indexes, or true/false",
    "ref": "must be a step number or a control point id",
}


def _question_errors(exc: ValidationError, raw: Any) -> list[tuple[tuple, str]]:
    """Pydantic errors of one question as ``(field path, message)``, one per field of a union."""
    found: list[tuple[tuple, str]] = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        if loc and loc[0] in _UNION_MESSAGES and error["type"] != "missing":
            value = raw.get(loc[0]) if isinstance(raw, dict) else error["input"]
            loc, message = loc[:1], f"{_UNION_MESSAGES[loc[0]]}, got {value!r}"
        elif loc[:1] == ("options",) and error["type"] == "string_type":
            message = "an option is text: quote it (YAML reads yes/no/on/off as true/false)"
        else:
            message = _pydantic_message(error)
        if (loc, message) not in found:
            found.append((loc, message))
    return found


def _find_includes(text: str, quizzes_dir: Path) -> list[_Include]:
    """Every ``!include`` of a YAML text, resolved against ``quizzes_dir`` (no file is read).

    Each node is walked once: an alias (``*name``) is not walked again, so an alias bomb costs
    the size of the text, not of its expansion (the load then refuses it).
    """
    if len(text) > MAX_BYTES:
        return []  # refused by the real load
    if "include" not in text and "%TAG" not in text:
        return []  # no tag can spell !include (most banks): no second parse
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError):
        return []  # reported by the real load
    found: list[_Include] = []
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, tuple]] = [(root, ())] if root is not None else []
    while stack:
        node, path = stack.pop()
        if id(node) in seen or len(path) > MAX_DEPTH:
            continue
        seen.add(id(node))
        if node.tag == "!include":
            target = node.value if isinstance(node, yaml.ScalarNode) else ""
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if getattr(key, "value", None) == "urlpath" and isinstance(value, yaml.ScalarNode):
                        target = value.value
            include = _Include(path, str(target), node.start_mark.line + 1, [])
            extra = isinstance(node, yaml.SequenceNode) or (
                isinstance(node, yaml.MappingNode)
                and any(getattr(k, "value", None) != "urlpath" for k, _ in node.value)
            )
            try:
                if extra:
                    raise ValueError("!include takes one file path, e.g. !include common/ppe.yml")
                include.files = resolve_include(quizzes_dir, str(target), "the quiz folder")
            except ValueError as exc:
                include.error = str(exc)
            found.append(include)
        elif isinstance(node, yaml.MappingNode):
            stack.extend((value, path + (getattr(key, "value", "?"),)) for key, value in reversed(node.value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, path + (index,)) for index, item in reversed(list(enumerate(node.value))))
    return found


# --- the entry point -----------------------------------------------------------------------------


def quiz_files(quizzes_dir: Path) -> list[Path]:
    """Every YAML file under ``quizzes_dir``, sorted by path (banks and pools alike); symbolic links
    that lead outside the folder are left out (:func:`load_quizzes` reports them)."""
    if not quizzes_dir.is_dir():
        return []
    leaving = set(links_leaving(quizzes_dir))
    return sorted(
        p
        for p in quizzes_dir.rglob("*")
        if p.suffix in QUIZ_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(quizzes_dir).parts)
        and not _under(p.relative_to(quizzes_dir).as_posix(), leaving)
    )


def _under(path: str, folders: set[str]) -> bool:
    return path in folders or any(path.startswith(folder + "/") for folder in folders)


def load_quizzes(
    quizzes_dir: Path,
    catalog: Catalog,
    *,
    display_root: str | None = None,
    yaml_loader: Callable[..., Located] | None = None,
) -> None:
    """Load every quiz bank under ``quizzes_dir`` into ``catalog.quizzes`` and report problems.

    Problems of quiz files go to ``catalog.problems`` with paths shown as
    ``<display_root>/<path inside quizzes_dir>`` (``display_root`` defaults to the folder's name,
    so ``quizzes/qc/incoming.yml``). Problems found on SOPs (``training``) are recorded on the SOP.
    ``yaml_loader`` replaces :func:`~sop_plugin.model.source.load_yaml` (a parse cache's, ``model/cache.py``).
    """
    quizzes_dir = Path(quizzes_dir)
    root = display_root if display_root is not None else quizzes_dir.name
    for link in links_leaving(quizzes_dir) if quizzes_dir.is_dir() else []:
        shown = f"{root}/{link}" if root else link
        catalog.problems.add(shown, None, "", "a symbolic link to outside the quiz folder: not read")
    files = quiz_files(quizzes_dir)
    texts: dict[Path, str] = {}
    includes: dict[Path, list[_Include]] = {}
    pools: set[Path] = set()
    for path in files:
        try:
            texts[path] = read_text(path, MAX_BYTES)
        except SourceError as exc:
            catalog.problems.add(_display(path, quizzes_dir, root), None, "", str(exc))
            continue
        includes[path] = _find_includes(texts[path], quizzes_dir)
        for include in includes[path]:
            pools.update(include.files)

    loader = _Loader(quizzes_dir, root, catalog, texts, yaml_loader or load_yaml)
    seen: dict[str, str] = {}  # quiz id -> display path of the file that defines it first
    quiz_sops: dict[str, str] = {}  # quiz id -> SOP id, for the SOP-side checks
    for path in files:
        if path.resolve() in pools or path not in texts:
            continue
        loader.load_bank(path, includes[path], seen, quiz_sops)
    _check_sops(catalog, quiz_sops)


def _display(path: Path, quizzes_dir: Path, root: str) -> str:
    relative = path.resolve().relative_to(quizzes_dir.resolve()).as_posix()
    return f"{root}/{relative}" if root else relative


class _Loader:
    """Loads one bank at a time; keeps the per-run state (catalog, texts, pool lines)."""

    def __init__(self, quizzes_dir: Path, root: str, catalog: Catalog, texts: dict[Path, str], yaml_loader=load_yaml):
        self.dir, self.root, self.catalog, self.texts = quizzes_dir, root, catalog, texts
        self.yaml_loader = yaml_loader
        self._pool_lines: dict[Path, Located | None] = {}
        self._reported: set[tuple] = set()  # an error in a shared pool is reported once
        self._ids = CaseFold("quiz id")

    def display(self, path: Path) -> str:
        return _display(path, self.dir, self.root)

    def load(self, text: str) -> Located:
        """One quiz file's YAML, ``!include`` resolved inside the quiz folder at every depth."""
        return self.yaml_loader(text, include_base=self.dir, include_folder="the quiz folder", display=self.display)

    def pool_located(self, path: Path) -> Located | None:
        """The lines of a pool file, loaded on its own (None when it cannot be read)."""
        if path not in self._pool_lines:
            text = self.texts.get(path)
            try:
                if text is None:
                    text = read_text(path, MAX_BYTES)
                self._pool_lines[path] = self.load(text)
            except SourceError as exc:
                self.catalog.problems.add(self.display(path), None, "", str(exc))
                self._pool_lines[path] = None
            except YamlError as exc:
                self.catalog.problems.add(exc.file or self.display(path), exc.line, "", str(exc))
                self._pool_lines[path] = None
        return self._pool_lines[path]

    def load_bank(self, path: Path, includes: list[_Include], seen: dict, quiz_sops: dict) -> None:
        shown = self.display(path)
        problems = self.catalog.problems
        errors_before = len(problems.errors)
        bad_includes = [include for include in includes if include.error]
        for include in bad_includes:
            problems.add(shown, include.line, _field_name(include.path), include.error)
        broken = bool(bad_includes)  # loading would fail on (or read outside) the include
        if any(self.pool_located(pool) is None for include in includes for pool in include.files):
            broken = True  # a pool with a YAML error, reported on the pool file
        if not broken:
            try:
                located = self.load(self.texts[path])
            except YamlError as exc:
                if (exc.file or shown, exc.line, "", str(exc)) not in self._reported:
                    problems.add(exc.file or shown, exc.line, "", str(exc))
                    self._reported.add((exc.file or shown, exc.line, "", str(exc)))
                broken = True
        if broken:
            # Remember the id the file seems to define, so its SOP does not also report "no quiz".
            found = {m.group(1): m.group(2).strip("'\" ") for m in _TOP_KEY.finditer(self.texts[path])}
            if found.get("id") and found.get("sop"):
                seen.setdefault(found["id"], shown)
                quiz_sops.setdefault(found["id"], found["sop"])
            return
        data = located.data
        if not isinstance(data, dict) or not ({"questions", "sop"} & set(data)):
            return  # a pool nothing includes (rule 3 of the module docstring)

        questions, origins = self._flatten(data.get("questions"), located, shown, includes)
        good: list[tuple[QuizQuestion, _Origin]] = []
        for raw, origin in zip(questions, origins):
            try:
                good.append((QuizQuestion.model_validate(raw), origin))
            except ValidationError as exc:
                for loc, message in _question_errors(exc, raw):
                    problems.add(origin.display, origin.line(*loc), origin.field(*loc), origin.note(message))
        header = {**data, "questions": [q for q, _ in good]}
        if questions and not good:
            header["questions"] = [questions[0]]  # every question is already reported
        try:
            bank = QuizBank.model_validate(header)
        except ValidationError as exc:
            for error in exc.errors():
                loc = tuple(error["loc"])
                if loc[:1] == ("questions",) and questions:
                    continue
                problems.add(shown, located.line_of(loc), _field_name(loc), _pydantic_message(error))
            if isinstance(data.get("id"), str) and isinstance(data.get("sop"), str):
                seen.setdefault(data["id"], shown)
                quiz_sops.setdefault(data["id"], data["sop"])
            return

        def at(*loc) -> tuple[int | None, str]:
            return located.line_of(loc), _field_name(loc)

        if bank.id in seen:
            problems.add(shown, *at("id"), f"duplicate quiz id {bank.id!r}: also in {seen[bank.id]}")
            return
        unsafe = quiz_id_problem(bank.id, self._ids, shown)
        if unsafe:  # it would name training/<quiz-id>/: never stored
            problems.add(shown, *at("id"), unsafe)
            seen.setdefault(bank.id, shown)
            quiz_sops.setdefault(bank.id, bank.sop)
            return
        seen[bank.id] = shown
        quiz_sops[bank.id] = bank.sop
        sop = self.catalog.by_id.get(bank.sop)
        if sop is None:
            near = difflib.get_close_matches(bank.sop, list(self.catalog.by_id), n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            problems.add(shown, *at("sop"), f"no SOP with id {bank.sop!r}{hint}")
        if bank.draw is not None and bank.draw > len(questions):
            problems.add(shown, *at("draw"), f"draw {bank.draw} is larger than the pool of {len(questions)} questions")

        kept = _check_questions(good, sop, problems)
        if sop is not None and (sop.meta.training is None or sop.meta.training.quiz != bank.id):
            named = sop.meta.training.quiz if sop.meta.training else None
            problems.add(
                shown,
                *at("sop"),
                f"{sop.id} does not name this quiz in training.quiz"
                + (f" (it names {named!r})" if named else "")
                + ": the quiz is on no onboarding list",
                "warning",
            )
        if sop is None or not kept:
            return
        sources = [path.resolve()] + sorted({f for include in includes for f in include.files})
        self.catalog.quizzes[bank.id] = Quiz(
            bank=bank.model_copy(update={"questions": kept}),
            path=shown,
            located=located,
            valid=len(problems.errors) == errors_before,
            pool_size=len(questions),
            sources=sources,
        )

    def _flatten(
        self, value: Any, located: Located, shown: str, includes: list[_Include]
    ) -> tuple[list, list[_Origin]]:
        """The questions list with included lists spliced in, and where each question came from."""
        by_path = {include.path: include for include in includes if len(include.files) == 1}
        if ("questions",) in by_path:  # questions: !include pool.yml
            return self._from_pool(value, by_path[("questions",)].files[0], shown)
        if not isinstance(value, list):
            return [], []  # missing or not a list: a schema error of the bank
        questions: list = []
        origins: list[_Origin] = []
        for index, item in enumerate(value):
            include = by_path.get(("questions", index))
            if include is not None:
                more, where = self._from_pool(item, include.files[0], shown)
            else:
                more = item if isinstance(item, list) else [item]  # e.g. a glob include
                where = [_Origin(shown, located, ("questions", index)) for _ in more]
            questions += more
            origins += where
        return questions, origins

    def _from_pool(self, item: Any, pool: Path, shown: str) -> tuple[list, list[_Origin]]:
        """The questions of one included pool file, with their lines in that file."""
        pool_located = self.pool_located(pool) or Located(None)
        display = self.display(pool)
        if not isinstance(item, list):
            return [item], [_Origin(display, pool_located, (), shown)]
        questions: list = []
        origins: list[_Origin] = []
        for index, question in enumerate(item):  # a nested include splices its list in place
            more = question if isinstance(question, list) else [question]
            questions += more
            origins += [_Origin(display, pool_located, (index,), shown) for _ in more]
        return questions, origins


def _check_questions(good: list[tuple[QuizQuestion, _Origin]], sop: Sop | None, problems) -> list[QuizQuestion]:
    """Answers, duplicate ids and refs of schema-valid questions; returns those that pass."""
    kept: list[QuizQuestion] = []
    first: dict[str, _Origin] = {}
    steps = {str(step.number): step.number for step in sop.steps} if sop else {}
    points = {point.id for point in sop.meta.control_points} if sop else set()
    for question, origin in good:
        found = []
        if question.id in first:
            other = first[question.id]
            where = f"{other.display}:{other.line('id')}" if other.line("id") else other.display
            found.append(("id", f"duplicate question id {question.id!r} in this quiz (also at {where})"))
        first.setdefault(question.id, origin)
        found += _answer_problems(question)
        if sop is not None and question.ref is not None:
            found += _ref_problems(question.ref, sop, steps, points)
        for key, message, *severity in found:
            problems.add(origin.display, origin.line(key), origin.field(key), origin.note(message), *severity)
        if not any(not severity for _, _, *severity in found):
            kept.append(question)
    return kept


def _answer_problems(question: QuizQuestion) -> list[tuple]:
    """The answer must fit the question type and its options."""
    answer, count, kind = question.answer, len(question.options), question.type

    def index_ok(value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < count

    span = f"0-{count - 1}" if count else "none: no options"
    if kind == "true_false":
        found = [] if isinstance(answer, bool) else [("answer", "a true_false answer is true or false")]
        if question.options:
            found.append(("options", "a true_false question takes no options (they are ignored)", "warning"))
        return found
    if count < 2:
        return [("options", f"a {kind} question needs at least 2 options")]
    if kind == "single":
        if not index_ok(answer):
            return [("answer", f"a single answer is one option index ({span}), got {answer!r}")]
    elif kind == "multiple":
        if not isinstance(answer, list) or not answer:
            return [("answer", f"a multiple answer is a non-empty list of option indexes ({span})")]
        bad = [value for value in answer if not index_ok(value)]
        if bad:
            return [("answer", f"option index out of range ({span}): {', '.join(map(str, bad))}")]
        if len(set(answer)) != len(answer):
            return [("answer", "an option index appears twice")]
    elif kind == "order":
        if (
            not isinstance(answer, list)
            or sorted(answer) != list(range(count))
            or any(isinstance(value, bool) for value in answer)
        ):
            return [
                (
                    "answer",
                    f"an order answer lists every option index once, in the right order "
                    f"(a permutation of 0-{count - 1}), got {answer!r}",
                )
            ]
    return []


def _ref_problems(ref: int | str, sop: Sop, steps: dict, points: set[str]) -> list[tuple]:
    """A ``ref`` is a step of the SOP body (``4``, ``"5.1"``) or one of its control point ids."""
    if str(ref) in steps or ref in points:
        return []
    if isinstance(ref, int) or (isinstance(ref, str) and ref.replace(".", "").isdigit()):
        return [("ref", f"{sop.id} has no step {ref} (it has {describe_steps(steps.values())})")]
    known = ", ".join(sorted(points)) or "none"
    return [("ref", f"{sop.id} has no step or control point {ref!r} (control points: {known})")]


def _check_sops(catalog: Catalog, quiz_sops: dict[str, str]) -> None:
    """The SOP side: ``training.quiz`` exists and trains this SOP; ``training.roles`` do this SOP."""
    for sop in catalog.sops:
        training = sop.meta.training
        if training is None:
            continue
        own = {sop.id, sop.meta.translation_of} - {None}
        if training.quiz not in quiz_sops:
            near = difflib.get_close_matches(training.quiz, list(quiz_sops), n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            sop.problem(("training", "quiz"), f"no quiz with id {training.quiz!r} in the quiz folder{hint}")
        elif quiz_sops[training.quiz] not in own:
            sop.problem(("training", "quiz"), f"quiz {training.quiz!r} trains {quiz_sops[training.quiz]}, not {sop.id}")
        doing = {assignment.role for assignment in sop.meta.roles}
        if not training.roles and not doing:
            sop.problem(
                ("training", "roles"),
                "the quiz is meant for no role: list training.roles and give them a part in roles[]",
            )
        for index, role in enumerate(training.roles):
            if role not in catalog.roles:
                continue  # already reported as an unknown (or refused) role
            if role not in doing:
                sop.problem(
                    ("training", "roles", index),
                    f"role {role!r} has no part in this SOP: add it to roles[] or drop it here",
                )
