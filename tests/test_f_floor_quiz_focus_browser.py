"""Keyboard focus in the quiz, in real Chromium, keyboard only (issue 13: "focus drops to <body>
after starting a quiz with Enter").

The knowledge base is ``tests/fixtures/quiz`` with a bank whose FIRST question is an order
question and which is not shuffled: its first button ("move up" of the first item) is disabled,
which is where focus used to go, and so nowhere. Built with real MkDocs and Material, served over
http. Every step is a key press: Tab to the name field, type, Tab to "Start", Enter; answer with
arrows, Space and Enter; Tab to "Submit", Enter; Tab to "Try again", Enter.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import run_build

FIXTURE = Path(__file__).parent / "fixtures" / "quiz"
QUIZ_ID = "qc-incoming-inspection"
BANK = {
    "id": QUIZ_ID,
    "sop": "SOP-QC-012",
    "title": "Incoming inspection sign-off",
    "pass_mark": 75,
    "shuffle": False,
    "questions": [
        {
            "id": "sequence",
            "type": "order",
            "prompt": "Put the inspection steps in order.",
            "options": ["Compare the COA", "Receive the task", "Check the packaging"],
            "answer": [1, 2, 0],
        },
        {
            "id": "coa",
            "type": "single",
            "prompt": "The COA does not match. What do you do?",
            "options": ["Store the lot", "Quarantine the lot", "Return it later"],
            "answer": 1,
        },
        {
            "id": "docs",
            "type": "multiple",
            "prompt": "Which documents do you compare?",
            "options": ["Delivery note", "Canteen menu", "Certificate of analysis"],
            "answer": [0, 2],
        },
        {"id": "temp", "type": "true_false", "prompt": "Chilled goods need no temperature check.", "answer": False},
    ],
}


def build(kb: Path) -> Path:
    """Build the knowledge base ``kb`` (English UI, ``--strict``); returns its site folder."""
    settings = {
        "site_name": "Quiz KB",
        "use_directory_urls": False,
        "theme": {"name": "material", "font": False, "language": "en"},
        "plugins": ["search", {"sop": {"build_date": "2026-06-01"}}],
    }
    (kb / "mkdocs.yml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    result = run_build(kb, "--strict")
    assert result.returncode == 0, result.stderr
    return kb / "site"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    kb = tmp_path_factory.mktemp("focus") / "kb"
    shutil.copytree(FIXTURE, kb)
    (kb / "quizzes" / "qc" / "incoming.yml").write_text(yaml.safe_dump(BANK, allow_unicode=True), encoding="utf-8")
    return build(kb)


@pytest.fixture
def page(new_page, site, serve):
    """A page of a clean profile (conftest.SharedContext) that fails the test on any page error."""
    errors: list[str] = []
    pg = new_page()
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.base = serve(site)
    yield pg
    assert not errors, errors


def active(page, expr: str):
    return page.evaluate(f"(() => {{ const e = document.activeElement; return {expr}; }})()")


def tab_to(page, predicate: str, limit: int = 60) -> int:
    """Press Tab until the focused element matches; returns how many presses it took."""
    for presses in range(limit):
        if active(page, predicate):
            return presses
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {predicate}")


def start_with_enter(page, name: str = "Keyboard User") -> None:
    """From the top of the page: Tab to the name field, type, Tab to "Start", press Enter."""
    tab_to(page, "e.name === 'name'")
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    assert active(page, "e.type === 'submit' && e.innerText.trim()") == "Start"
    page.keyboard.press("Enter")


def first_question(page) -> str:
    """The focused element is the first question of the quiz (its fieldset, named by its legend)."""
    assert active(page, "e.tagName") == "FIELDSET", active(page, "e.outerHTML.slice(0, 200)")
    assert active(page, "!!e.closest('.sop-quiz') && e === e.closest('.sop-quiz').querySelector('fieldset')")
    return active(page, "e.querySelector('legend').innerText")


def answer_with_keys(page) -> None:
    """Answer every question rightly, starting with focus on the first question, keys only."""
    legend = "e.closest('fieldset') && e.closest('fieldset').querySelector('legend').innerText"
    label = "e.closest('label') && e.closest('label').innerText.trim()"
    order = "ol.sopq-order > li > span:first-child"
    # 1. order: Tab into the list, "move up" with Enter until the items are in order.
    want = ["Receive the task", "Check the packaging", "Compare the COA"]
    box = page.locator(".sop-quiz").first
    for position, text in enumerate(want):
        while box.locator(order).all_inner_texts().index(text) > position:
            tab_to(page, f"e.getAttribute('aria-label') === {json.dumps('Move up: ' + text)}", limit=20)
            page.keyboard.press("Enter")
    assert box.locator(order).all_inner_texts() == want
    # 2. single: Tab into the group, arrows select.
    tab_to(page, f"({legend} || '').includes('COA does not match')")
    while active(page, label) != "Quarantine the lot":
        page.keyboard.press("ArrowDown")
    # 3. multiple: each checkbox is a tab stop; Space ticks.
    tab_to(page, f"({legend} || '').includes('Which documents')")
    for _ in range(3):
        if active(page, label) in ("Delivery note", "Certificate of analysis"):
            page.keyboard.press("Space")
        page.keyboard.press("Tab")
    # 4. true/false.
    tab_to(page, f"({legend} || '').includes('Chilled goods')")
    while active(page, label) != "False":
        page.keyboard.press("ArrowDown")


@pytest.mark.browser
@pytest.mark.parametrize("path", ["qc/incoming.html", f"training/{QUIZ_ID}.html"])
def test_enter_on_start_moves_focus_into_the_quiz_and_keys_alone_finish_it(page, path):
    page.goto(page.base + path)
    start_with_enter(page)
    assert page.evaluate("sopQuiz.currentLearner().name") == "Keyboard User"
    assert "Put the inspection steps in order." in first_question(page)
    # The first Tab from the question reaches one of its own controls, not something elsewhere.
    page.keyboard.press("Tab")
    assert active(page, "e.closest('fieldset') && e.closest('fieldset').querySelector('legend').innerText").endswith(
        "Put the inspection steps in order."
    )
    page.keyboard.press("Shift+Tab")
    answer_with_keys(page)
    tab_to(page, "e.classList.contains('sopq-submit')")
    page.keyboard.press("Enter")
    # Focus is on the result, which says the score; not on "Try again" (a second Enter would wipe it).
    assert active(page, "e.classList.contains('sopq-result')")
    assert active(page, "e.innerText") == "100% (pass mark 75%): Passed."
    assert page.get_attribute(f'[data-quiz="{QUIZ_ID}"]', "data-attempt") == "passed"
    page.keyboard.press("Enter")  # Enter on the result: nothing happens
    assert page.locator(".sopq-q[data-result=correct]").count() == 4
    # Tab goes on to "Try again"; Enter restarts and puts focus on the first question again.
    page.keyboard.press("Tab")
    assert active(page, "e.classList.contains('sopq-retry')")
    page.keyboard.press("Enter")
    assert "Put the inspection steps in order." in first_question(page)
    assert page.locator(".sop-quiz input:checked").count() == 0
    assert page.locator(".sopq-q[data-result]").count() == 0


@pytest.mark.browser
def test_focus_on_the_question_and_the_result_is_visible(page):
    page.goto(page.base + "qc/incoming.html")
    start_with_enter(page)
    first_question(page)
    assert active(page, "getComputedStyle(e).outlineStyle") != "none"
    answer_with_keys(page)
    tab_to(page, "e.classList.contains('sopq-submit')")
    page.keyboard.press("Enter")
    assert active(page, "getComputedStyle(e).outlineStyle") != "none"


@pytest.mark.browser
def test_switching_learner_with_the_keyboard_keeps_focus_in_the_quiz(page):
    page.goto(page.base + "qc/incoming.html")
    start_with_enter(page, "First Learner")
    page.goto(page.base + "qc/incoming.html")
    tab_to(page, "e.classList.contains('sopq-new')")  # "New learner" opens the form
    page.keyboard.press("Enter")
    assert active(page, "e.name") == "name"
    page.keyboard.type("Second Learner")
    page.keyboard.press("Enter")  # Enter in the name field submits the learner form
    first_question(page)
    assert tab_to_backwards(page, "e.classList.contains('sopq-switch')")  # "Switch to First Learner"
    page.keyboard.press("Enter")
    assert page.evaluate("sopQuiz.currentLearner().name") == "First Learner"
    first_question(page)


def tab_to_backwards(page, predicate: str, limit: int = 30) -> bool:
    for _ in range(limit):
        if active(page, predicate):
            return True
        page.keyboard.press("Shift+Tab")
    return False


@pytest.mark.browser
def test_my_training_keeps_focus_on_the_learner_bar(page):
    """The learner bar of "my training" has no quiz: focus goes to the "Learner: name" line."""
    page.goto(page.base + "training/index.html")
    start_with_enter(page)
    assert active(page, "e.classList.contains('sopq-me')")
    assert active(page, "e.innerText") == "Learner: Keyboard User"


ACK_SOP = """\
---
id: SOP-QC-020
title: Sample labels
version: "1.0"
status: effective
effective_date: 2026-03-01
owner: {name: Wang Fang, role: qc-manager}
department: QC
lang: en
---

# Sample labels

1. Label every sample.
"""


@pytest.fixture(scope="module")
def ack_site(tmp_path_factory) -> Path:
    """The fixture with an SOP without a quiz on qc-inspector's onboarding list (read and understood)."""
    kb = tmp_path_factory.mktemp("ack") / "kb"
    shutil.copytree(FIXTURE, kb)
    (kb / "docs" / "qc" / "labels.md").write_text(ACK_SOP, encoding="utf-8")
    roles = kb / "docs" / "roles.yml"
    roles.write_text(roles.read_text(encoding="utf-8").replace("[SOP-QC-012]", "[SOP-QC-012, SOP-QC-020]"))
    return build(kb)


@pytest.mark.browser
def test_read_and_understood_with_the_keyboard_never_drops_focus(new_page, ack_site, serve):
    page = new_page()
    try:
        page.goto(serve(ack_site) + "qc/labels.html")
        start_with_enter(page)
        assert active(page, "e.classList.contains('sopq-ack')")  # the button of that learner bar
        page.keyboard.press("Enter")
        assert page.locator(".sopq-ack").is_hidden()
        assert active(page, "e.classList.contains('sopq-live')")  # what was recorded, not <body>
        assert "1.0" in active(page, "e.innerText")
    finally:
        page.close()
