"""Hostile input, YAML limits: alias bombs, deep nesting and huge files are errors naming the file
within seconds (each such build is a process killed by its timeout); duplicate keys, text that is not
UTF-8 and front-matter that is not a mapping are errors naming the file, in every kind of file (those
builds cannot hang and run in this process)."""

from __future__ import annotations

import pytest
from conftest import ROLES_YML
from hostile_support import quiz, run_case, sop

#: 10 aliases over 9 levels: 10**9 values once expanded, 550 bytes written.
BOMB = "bomb0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"bomb{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 10)
)
DEEP_FLOW = "deep: " + "[" * 100_000 + "]" * 100_000 + "\n"
DEEP_BLOCK = "deep:\n" + "".join("  " * i + "- \n" for i in range(1, 80))[:-1] + "x\n"
HUGE = "questions:\n" + "  - {id: q, type: true_false, prompt: " + "x" * 3_000_000 + ", answer: true}\n"


def front(lines: str) -> str:
    return sop(lines)


# (case, files, roles file, [(where, fragment)])
CASES = [
    ("alias bomb in front-matter", {"docs/qc/a.md": front(BOMB)}, ROLES_YML, [("qc/a.md", "aliases")]),
    ("alias bomb in a quiz bank", {"quizzes/a.yml": quiz() + BOMB}, ROLES_YML, [("quizzes/a.yml", "aliases")]),
    (
        "alias bomb in a pool",
        {"quizzes/a.yml": quiz(more="  - !include p.yml\n"), "quizzes/p.yml": BOMB},
        ROLES_YML,
        [("quizzes/p.yml", "aliases")],
    ),
    ("alias bomb in roles.yml", {}, ROLES_YML + BOMB, [("roles.yml", "aliases")]),
    (
        "alias bomb in a page that is not an SOP",
        {"docs/page.md": "---\ntitle: x\n" + BOMB + "---\n# x\n"},
        ROLES_YML,
        [("page.md", "aliases")],
    ),
    (
        "a recursive alias",
        {"docs/qc/a.md": front("loop: &l [*l]\n")},
        ROLES_YML,
        [("qc/a.md", "refers to the list or mapping it is in")],
    ),
    (
        "100,000-deep list in front-matter",
        {"docs/qc/a.md": front(DEEP_FLOW)},
        ROLES_YML,
        [("qc/a.md", "nesting depth")],
    ),
    (
        "100,000-deep list in a quiz",
        {"quizzes/a.yml": quiz() + DEEP_FLOW},
        ROLES_YML,
        [("quizzes/a.yml", "nesting depth")],
    ),
    ("80-deep block list in roles.yml", {}, ROLES_YML + DEEP_BLOCK, [("roles.yml", "levels deep")]),
    (
        "a 3 MB quiz file",
        {"quizzes/a.yml": "id: big\nsop: SOP-QC-001\ntitle: Big\n" + HUGE},
        ROLES_YML,
        [("quizzes/a.yml", "larger than 2 MB")],
    ),
    (
        "a 3 MB front-matter",
        {"docs/qc/a.md": front("description: " + "x" * 3_000_000 + "\n")},
        ROLES_YML,
        [("qc/a.md", "larger than 2 MB")],
    ),
    (
        "duplicate key in front-matter",
        {"docs/qc/a.md": front("department: QA\n")},
        ROLES_YML,
        [("qc/a.md:9", "'department' is written twice (first on line 8)")],
    ),
    (
        "duplicate answer in a quiz",
        {"quizzes/a.yml": quiz().replace("    answer: 1\n", "    answer: 1\n    answer: 0\n")},
        ROLES_YML,
        [("quizzes/a.yml:10", "'answer' is written twice")],
    ),
    (
        "duplicate key in roles.yml",
        {},
        ROLES_YML.replace("roles:\n", "departments: []\nroles:\n"),
        [("roles.yml:4", "'departments' is written twice")],
    ),
    (
        "duplicate key in a page",
        {"docs/page.md": "---\ntitle: a\ntitle: b\n---\n# x\n"},
        ROLES_YML,
        [("page.md:3", "written twice")],
    ),
    (
        "SOP not UTF-8",
        {"docs/qc/b.md": sop(sop_id="SOP-QC-002").encode("utf-8").replace(b"Incoming", b"\xc9\xe8")},
        ROLES_YML,
        [("qc/b.md", "not UTF-8")],
    ),
    ("page not UTF-8 (GBK)", {"docs/gbk.md": "# 来料检验\n".encode("gbk")}, ROLES_YML, [("gbk.md", "not UTF-8")]),
    ("roles.yml not UTF-8", {"docs/roles.yml": ROLES_YML.encode("gbk")}, None, [("roles.yml", "not UTF-8")]),
    (
        "quiz not UTF-8",
        {"quizzes/a.yml": quiz(title="来料").encode("gbk")},
        ROLES_YML,
        [("quizzes/a.yml", "not UTF-8")],
    ),
    (
        "front-matter is a list",
        {"docs/list.md": "---\n- id: SOP-QC-009\n- title: x\n---\n# x\n"},
        ROLES_YML,
        [("list.md:2", "is a list")],
    ),
    ("roles.yml is a list", {}, "- QC\n- QA\n", [("roles.yml", "must be a mapping")]),
    (
        "a python tag",
        {"docs/qc/a.md": front("x: !!python/object/apply:os.system ['echo pwned']\n")},
        ROLES_YML,
        [("qc/a.md", "could not determine a constructor")],
    ),
    (
        "an !include in front-matter",
        {"docs/qc/a.md": front("x: !include ../secret.txt\n")},
        ROLES_YML,
        [("qc/a.md", "could not determine a constructor")],
    ),
]


#: The cases that could hang or crash a build (expansion, recursion, nesting, size): each is a process.
MAY_HANG = {
    "alias bomb in front-matter",
    "alias bomb in a quiz bank",
    "alias bomb in a pool",
    "alias bomb in roles.yml",
    "alias bomb in a page that is not an SOP",
    "a recursive alias",
    "100,000-deep list in front-matter",
    "100,000-deep list in a quiz",
    "80-deep block list in roles.yml",
    "a 3 MB quiz file",
    "a 3 MB front-matter",
}
assert MAY_HANG <= {case[0] for case in CASES}, MAY_HANG - {case[0] for case in CASES}


@pytest.mark.parametrize("name, files, roles, expected", CASES, ids=[c[0] for c in CASES])
def test_yaml_beyond_the_limits_is_an_error_naming_the_file_within_seconds(tmp_path, name, files, roles, expected):
    timeout = 90 if name in MAY_HANG else None  # a hang fails there
    outcome = run_case(tmp_path, files, roles=roles, subprocess_timeout=timeout)
    assert outcome.returncode == 1, outcome.log
    outcome.assert_lines(expected)


ACCEPTED = [
    ("a plain-string front-matter on a page that is no SOP", {"docs/text.md": "---\njust words\n---\n# x\n"}),
    ("SOP with a UTF-8 byte-order mark", {"docs/qc/a.md": "\ufeff" + sop()}),
    ("quiz with a UTF-8 byte-order mark", {"quizzes/a.yml": "\ufeff" + quiz()}),
    ("aliases used sensibly", {"docs/qc/a.md": front("applies_to: {sites: &s [suzhou], lines: [L2]}\ntags: *s\n")}),
    ("an effective date in year 9999", {"docs/qc/a.md": sop(effective_date="9999-06-01")}),
    ("a merge key", {"docs/qc/a.md": front("applies_to: {<<: {sites: [suzhou]}, lines: [L2]}\n")}),
]


@pytest.mark.parametrize("name, files", ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_yaml_within_the_limits_builds(tmp_path, name, files):
    outcome = run_case(tmp_path, files)
    assert outcome.ok, outcome.log
