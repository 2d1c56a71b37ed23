"""Hostile input, property-based (Hypothesis): random front-matter and quiz banks (random types,
nesting, unicode, huge and empty values, text that is not YAML at all) through the model loader
and ``sop check``: the outcome is success or problems that each name a file, never an exception."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import tempfile
from pathlib import Path

import yaml
from conftest import ROLES_YML, sop_text, write_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sop_plugin.cli.sop import main as sop_main
from sop_plugin.model import load_catalog

SOP_KEYS = [
    "id",
    "title",
    "version",
    "status",
    "effective_date",
    "owner",
    "department",
    "roles",
    "control_points",
    "applies_to",
    "training",
    "references",
    "supersedes",
    "changes",
    "approvals",
    "ID",
    " id",
    "step",
]
QUIZ_KEYS = ["id", "sop", "title", "pass_mark", "shuffle", "draw", "questions"]
QUESTION_KEYS = ["id", "type", "prompt", "options", "answer", "explain", "ref"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.text(alphabet="SOPQC-0123456789ОΟ０../\\", max_size=15),  # id-like, with lookalikes and ../
    st.sampled_from(["", " ", "x" * 5000, "SOP-QC-001", "qa-manager", "QC", "index", "../../etc", "true", "1.0"]),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8) | st.sampled_from(QUESTION_KEYS), children, max_size=4)
    ),
    max_leaves=12,
)
front_matter = st.dictionaries(st.sampled_from(SOP_KEYS) | st.text(max_size=6), values, max_size=8)
question = st.dictionaries(st.sampled_from(QUESTION_KEYS), values, max_size=7)
bank = st.fixed_dictionaries(
    {},
    optional={
        "id": values,
        "sop": st.just("SOP-QC-001") | values,
        "title": values,
        "questions": st.lists(question | values, max_size=4),
        "draw": values,
    },
)
raw = st.text(max_size=200) | st.sampled_from(
    ["[[[[", "a: &a [*a]", "- - - x", "{a: 1, a: 2}", "\x00\x01", "!!python/object:os.system x"]
)


def dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def write(root: Path, front: dict | str, quiz: dict | str) -> None:
    front_text = front if isinstance(front, str) else dump(front)
    quiz_text = quiz if isinstance(quiz, str) else dump(quiz)
    write_project(
        root,
        {
            "docs/qc/good.md": sop_text(),
            "docs/qc/random.md": f"---\n{front_text}---\n\n1. A step.\n\n[[SOP-QC-001]]\n",
            "quizzes/random.yml": quiz_text,
        },
        roles=ROLES_YML,
    )


def check_problems(catalog) -> None:
    for problem in catalog.problems:
        assert isinstance(problem.file, str) and problem.file, problem
        assert isinstance(problem.message, str) and problem.message, problem
        assert problem.severity in ("error", "warning")


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(front=front_matter | raw, quiz=bank | raw)
def test_the_model_loader_never_raises(front, quiz):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write(root, front, quiz)
        catalog = load_catalog(root / "docs", quizzes_dir=root / "quizzes")
        check_problems(catalog)
        assert catalog.get("SOP-QC-001") is not None  # the good SOP is never lost


# No deadline: `sop check` runs a whole in-process build (~0.6 s CPU, several seconds of wall time on a
# loaded 2-core machine); hangs on hostile YAML are caught by the subprocess tests with a timeout
# (tests/test_hostile_yaml.py), not by a wall-clock deadline here.
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front=front_matter | raw, quiz=bank | raw)
def test_sop_check_never_raises(front, quiz):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write(root, front, quiz)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = sop_main(["check", str(root)])
        assert code in (0, 1), out.getvalue() + err.getvalue()
        assert "Traceback" not in err.getvalue()
        for line in out.getvalue().splitlines():  # file:line: field: message, one per problem
            if ": " in line and not line.startswith(("no problems", "FAILED", "OK")):
                assert line.split(":", 1)[0].strip(), line
