"""Hostile input, browser storage: whatever ``localStorage`` holds (a learner called ``toString`` or
``__proto__``, garbage JSON, wrong types, HTML in a stored title), the quiz, its page, the role
page and "my training" work, raise no script error, and run no stored HTML. Real Chromium."""

from __future__ import annotations

import json

import pytest
from conftest import build_site, sop_text

KEY = "sopkb:v1:results"
QUIZ = "qc-basic"
ROLES = """\
departments:
  - {id: QC, name: QC}
  - {id: QA, name: QA}
roles:
  - {id: qc-inspector, name: QC Inspector, department: QC, onboarding: [SOP-QC-001]}
  - {id: qa-manager, name: QA Manager, department: QA}
"""
TRAINED = "roles: [{role: qc-inspector, raci: R}]\ntraining: {quiz: qc-basic, roles: [qc-inspector]}\n"
BANK = """\
id: qc-basic
sop: SOP-QC-001
title: Incoming inspection quiz
questions:
  - {id: release, type: true_false, prompt: A lot is released after both checks pass., answer: true}
"""
PAGES = ["qc/incoming.html", f"training/{QUIZ}.html", "roles/qc-inspector.html", "training/index.html"]
RECORD = {
    "major": 1,
    "sop": "SOP-QC-001",
    "version": "1.0",
    "passed": True,
    "date": "2026-01-01T00:00:00Z",
    "attempts": 1,
    "best": 100,
    "last": 100,
}
XSS = "<img src=x onerror=window.__pwned=1>"

# (case, the raw text stored under the results key)
STORED = [
    ("current is toString", json.dumps({"v": 1, "current": "toString", "learners": {}})),
    ("current is __proto__", json.dumps({"v": 1, "current": "__proto__", "learners": {}})),
    (
        "a learner called __proto__",
        '{"v": 1, "current": "__proto__", "learners": {"__proto__": {"name": "x", "quizzes": {}}}}',
    ),
    (
        "current is constructor",
        json.dumps({"v": 1, "current": "constructor", "learners": {"toString": {"name": "t", "quizzes": {}}}}),
    ),
    ("garbage JSON", "garbage{"),
    ("null", "null"),
    ("a list", "[1, 2, 3]"),
    ("a number", "42"),
    ("a string", '"hello"'),
    ("deeply nested", "[" * 100_000 + "]" * 100_000),
    (
        "wrong types everywhere",
        json.dumps({"v": 1, "current": 7, "learners": {"name:a": {"name": {"x": 1}, "quizzes": []}, "name:b": "x"}}),
    ),
    (
        "quizzes keyed by toString and hasOwnProperty",
        json.dumps(
            {
                "v": 1,
                "current": "name:li",
                "learners": {
                    "name:li": {
                        "name": "Li",
                        "quizzes": {
                            "toString": {"1": RECORD},
                            QUIZ: {"hasOwnProperty": 5, "__proto__": RECORD, "1": "x"},
                        },
                    }
                },
            }
        ),
    ),
    (
        "numbers that are not numbers",
        json.dumps(
            {
                "v": 1,
                "current": "name:li",
                "learners": {
                    "name:li": {"name": "Li", "quizzes": {QUIZ: {"1": {**RECORD, "attempts": "lots", "best": -5}}}}
                },
            }
        ),
    ),
    (
        "HTML in a stored title and name",
        json.dumps(
            {
                "v": 1,
                "current": "name:li",
                "learners": {
                    "name:li": {
                        "name": XSS,
                        "emp": XSS,
                        "quizzes": {QUIZ: {"1": {**RECORD, "title": XSS, "questions": [XSS]}}},
                    }
                },
            }
        ),
    ),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_site(
        tmp_path_factory.mktemp("storage"),
        {
            "docs/qc/incoming.md": sop_text("SOP-QC-001", "Incoming inspection", extra=TRAINED),
            "quizzes/qc-basic.yml": BANK,
        },
        "--strict",
        roles=ROLES,
        use_directory_urls=False,
        theme={"name": "material", "font": False, "language": "en"},
        plugins=["search", {"sop": {"build_date": "2026-06-01"}}],
    )


@pytest.mark.browser
@pytest.mark.parametrize("name, stored", STORED, ids=[c[0] for c in STORED])
def test_any_stored_value_leaves_the_quiz_working(new_page, site, serve, name, stored):
    base = serve(site)
    page = new_page()  # a clean profile; the value is stored before any script of each page it opens
    page.add_init_script(f"try {{ localStorage.setItem({json.dumps(KEY)}, {json.dumps(stored)}); }} catch (e) {{}}")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        for path in PAGES:
            page.goto(base + path)
            page.wait_for_selector("[data-quiz-state] .sopq-badge", state="attached")
            states = page.eval_on_selector_all("[data-quiz-state]", "els => els.map(e => e.dataset.quizState)")
            assert states and set(states) <= {"new", "passed", "failed", "retrain"}, (path, states)
        page.goto(base + PAGES[0])  # and the quiz can still be taken, and stored
        box = page.locator(f'[data-quiz="{QUIZ}"]')
        bar = box.locator(".sopq-learner")
        if bar.get_by_label("Your name").is_visible():  # no valid learner stored: name one
            bar.get_by_label("Your name").fill("Wang Fang")
            bar.get_by_role("button", name="Start").click()
        box.locator("fieldset.sopq-q").first.get_by_label("True", exact=True).check()
        box.locator(".sopq-submit").click()
        page.wait_for_function(f"document.querySelector('[data-quiz=\"{QUIZ}\"]').dataset.quizState === 'passed'")
        assert page.evaluate("window.__pwned") is None
        assert not errors, errors
    finally:
        page.close()
