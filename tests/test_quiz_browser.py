"""The quiz in real Chromium, on BUILT sites: the ``tests/fixtures/quiz`` knowledge base built
with real MkDocs and Material (in-process, ``--strict``), served over http, a non-secure made-up
host and file://.

Builds (one folder per SOP version, so a "rebuild" is another folder of the same origin):
``v3.1/``, ``v3.2/`` (MINOR change), ``v4.0/`` (MAJOR change), plus ``v3.1-zh/`` (Chinese UI) and
``v3.1-emp/`` (``ask_employee_number``). In each: the quiz on its SOP page (``qc/incoming.html``),
"my training" with the onboarding list (``training/index.html``), and the page of a second quiz
that draws 2 questions (``training/qc-incoming-draw.html``, for SOP-QC-013).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from dataclasses import dataclass
from html import escape
from pathlib import Path

import pytest
import yaml
from conftest import http_server, run_build

from sop_plugin.model import load_catalog
from sop_plugin.pages.quiz_render import decode_quiz_data

ASSETS = Path(__file__).resolve().parents[1] / "sop_plugin" / "assets"
FIXTURE = Path(__file__).parent / "fixtures" / "quiz"
QUIZ_ID = "qc-incoming-inspection"
DRAW_ID = "qc-incoming-draw"
SOP_PAGE = "qc/incoming.html"  # the quiz on its SOP page
TRAINING_PAGE = "training/index.html"  # "my training": learner bar, onboarding list, records
DRAW_PAGE = f"training/{DRAW_ID}.html"  # a quiz on its own page, drawing 2 of its questions
HOST = "quiz.plant.internal"  # conftest.CHROMIUM_ARGS map it to 127.0.0.1
KEY = "sopkb:v1:results"

# --- the built sites -----------------------------------------------------------------------------


def with_version(text: str, version: str) -> str:
    text = text.replace('version: "3.1"', f'version: "{version}"')
    return text.replace("changes:\n", f'changes:\n  - {{version: "{version}", date: 2026-05-01, summary: update}}\n')


def load_kb(root: Path, version: str) -> Path:
    """A copy of the fixture knowledge base with SOP-QC-012 at ``version``, and SOP-QC-013 (2.0)
    whose quiz draws 2 questions; both on the onboarding list of qc-inspector."""
    kb = root / f"kb-{version}"
    shutil.copytree(FIXTURE, kb)
    sop_file = kb / "docs" / "qc" / "incoming.md"
    text = sop_file.read_text(encoding="utf-8")
    sop_file.write_text(with_version(text, version), encoding="utf-8")
    second = text.replace("id: SOP-QC-012", "id: SOP-QC-013").replace(QUIZ_ID, DRAW_ID)
    (kb / "docs" / "qc" / "draw.md").write_text(with_version(second, "2.0"), encoding="utf-8")
    bank = (kb / "quizzes" / "qc" / "incoming.yml").read_text(encoding="utf-8")
    bank = bank.replace(f"id: {QUIZ_ID}", f"id: {DRAW_ID}\ndraw: 2").replace("sop: SOP-QC-012", "sop: SOP-QC-013")
    (kb / "quizzes" / "qc" / "draw.yml").write_text(bank, encoding="utf-8")
    roles = kb / "docs" / "roles.yml"
    roles.write_text(roles.read_text(encoding="utf-8").replace("[SOP-QC-012]", "[SOP-QC-012, SOP-QC-013]"))
    catalog = load_catalog(kb / "docs", quizzes_dir=kb / "quizzes")
    assert not catalog.problems.errors, [str(p) for p in catalog.problems]
    return kb


def write_version(root: Path, version: str, folder: str | None = None, language: str = "en", **options) -> Path:
    """Build the knowledge base at SOP version ``version`` into ``root/<folder>`` (default ``v<version>``)."""
    kb = load_kb(root / "kb" / (folder or version), version)
    out = root / (folder or f"v{version}")
    settings = {
        "site_name": "Quiz KB",
        "use_directory_urls": False,
        "theme": {"name": "material", "font": False, "language": language},
        "plugins": ["search", {"sop": {"build_date": "2026-06-01", **options}}],
        "site_dir": str(out),
    }
    (kb / "mkdocs.yml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    result = run_build(kb, "--strict")
    assert result.returncode == 0, result.stderr
    return out


@dataclass
class Site:
    root: Path  # holds v3.1/, v3.2/, v4.0/
    quiz: object  # the quiz as loaded, to know the answers


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    """The sites built at SOP versions 3.1, 3.2 and 4.0 (and 3.1 in Chinese, with employee numbers),
    and the quiz of 3.1 for the answers."""
    root = tmp_path_factory.mktemp("quiz-site")
    for version in ("3.1", "3.2", "4.0"):
        write_version(root, version)
    write_version(root, "3.1", "v3.1-zh", language="zh")
    write_version(root, "3.1", "v3.1-emp", ask_employee_number=True)
    kb = load_kb(root / "answers", "3.1")
    return Site(root, load_catalog(kb / "docs", quizzes_dir=kb / "quizzes").quizzes[QUIZ_ID])


@pytest.fixture(scope="module")
def server(site):
    """The port of ``http://127.0.0.1:<port>/`` serving the site folder, in a thread."""
    with http_server(site.root) as base:
        yield int(base.rstrip("/").rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def browser(chromium):
    """The session's Chromium (conftest.py maps the made-up intranet host to 127.0.0.1)."""
    return chromium


@pytest.fixture
def context(shared_context):
    """A clean profile (empty localStorage: a :class:`conftest.SharedContext` turn) that fails the
    test on any alert or page error."""
    errors: list[str] = []

    def watch(pg):
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("dialog", lambda d: (errors.append("dialog: " + d.message), d.dismiss()))

    with shared_context.turn() as ctx:
        ctx.on("page", watch)
        try:
            yield ctx
        finally:
            ctx.remove_listener("page", watch)
    assert not errors, errors


@pytest.fixture(params=["http", "file"])
def base(request, site, server):
    """Where the site is opened: over plain http or from the folder (file://)."""
    return f"http://127.0.0.1:{server}/" if request.param == "http" else site.root.as_uri() + "/"


@pytest.fixture
def http_base(server):
    """The site over plain http only, for tests where file:// adds nothing."""
    return f"http://127.0.0.1:{server}/"


# --- driving a quiz --------------------------------------------------------------------------------


def state(page, quiz_id: str = QUIZ_ID) -> str:
    return page.get_attribute(f'[data-quiz="{quiz_id}"]', "data-quiz-state")


def sign_in(page, name: str, employee: str | None = None) -> None:
    """Enter a learner in the (first) learner bar, opening its form if a learner is already set."""
    bar = page.locator(".sopq-learner").first
    if bar.locator("form").is_hidden():
        bar.get_by_role("button", name="New learner").click()
    bar.get_by_label("Your name").fill(name)
    if employee is not None:
        bar.get_by_label("Employee no.").fill(employee)
    bar.get_by_role("button", name="Start").click()


def question_for(quiz, fieldset) -> object:
    legend = fieldset.locator("legend").inner_text()
    return next(q for q in quiz.questions if q.prompt in legend)


def order_texts(fieldset) -> list[str]:
    return fieldset.locator("ol.sopq-order > li > span:first-child").all_inner_texts()


def answer(page, quiz, right: bool = True, box: str = f'[data-quiz="{QUIZ_ID}"]') -> list[str]:
    """Answer every shown question (rightly or wrongly) with the mouse; returns the question ids."""
    ids = []
    for fieldset in page.locator(f"{box} fieldset.sopq-q").all():
        q = question_for(quiz, fieldset)
        ids.append(q.id)
        if q.type == "true_false":
            fieldset.get_by_label(
                ("True" if q.answer else "False") if right else ("False" if q.answer else "True"), exact=True
            ).check()
        elif q.type == "single":
            pick = q.answer if right else (q.answer + 1) % len(q.options)
            fieldset.get_by_label(q.options[pick], exact=True).check()
        elif q.type == "multiple":
            for index in q.answer if right else q.answer[:1]:
                fieldset.get_by_label(q.options[index], exact=True).check()
        elif right:  # order: move each item up into place
            want = [q.options[i] for i in q.answer]
            for position, text in enumerate(want):
                while order_texts(fieldset).index(text) > position:
                    fieldset.get_by_role("button", name=f"Move up: {text}").click()
            assert order_texts(fieldset) == want
    return ids


def open_training(page, site_url: str) -> None:
    """ "My training" of the site at ``site_url``, with the onboarding list of qc-inspector opened."""
    page.goto(site_url + TRAINING_PAGE)
    page.locator('details[data-role="qc-inspector"] > summary').click()


def submit(page, box: str = f'[data-quiz="{QUIZ_ID}"]') -> str:
    page.locator(f"{box} .sopq-submit").click()
    return page.locator(f"{box} .sopq-live").inner_text()


def stored(page) -> dict:
    return json.loads(page.evaluate(f"localStorage.getItem('{KEY}')") or "null")


# --- the tests ---------------------------------------------------------------------------------------


@pytest.mark.browser
def test_pass_fail_retry_and_reload(context, base, site):
    page = context.new_page()
    page.goto(base + "v3.1/" + SOP_PAGE)
    assert state(page) == "new"
    assert page.locator(".sop-quiz__nojs").is_hidden()
    # Submitting without a learner asks for a name first and records nothing.
    answer(page, site.quiz)
    assert "Enter your name first" in submit(page)
    assert page.evaluate("document.activeElement.name") == "name"
    sign_in(page, "Wang Fang")
    assert state(page) == "new"
    # Fail: every question wrong.
    answer(page, site.quiz, right=False)
    live = submit(page)
    assert "0% (pass mark 75%): Not passed" in live
    assert state(page) == "failed"
    assert page.locator(".sopq-fb:visible").count() == 5
    assert page.locator('.sopq-q[data-result="wrong"]').count() == 5
    # Explanations link to the step or control point.
    hrefs = page.locator(".sopq-fb a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert sorted(hrefs) == ["#cp-CCP-1", "#step-2", "#step-3"]
    assert page.locator("fieldset.sopq-q input:disabled").count() == page.locator("fieldset.sopq-q input").count()
    # Retry: a fresh attempt, then a pass.
    page.get_by_role("button", name="Try again").click()
    assert page.locator(".sopq-fb:visible").count() == 0
    ids = answer(page, site.quiz)
    assert "100% (pass mark 75%): Passed" in submit(page)
    assert state(page) == "passed"
    # Reload: the state comes from localStorage.
    page.reload()
    assert state(page) == "passed"
    assert "Passed on" in page.locator(".sopq-status").inner_text()
    assert "2 attempt(s)" in page.locator(".sopq-status").inner_text()
    record = stored(page)["learners"]["name:wang fang"]["quizzes"][QUIZ_ID]["3"]
    assert record["passed"] is True and record["attempts"] == 2 and record["best"] == 100 and record["last"] == 100
    assert record["version"] == "3.1" and record["major"] == 3 and record["sop"] == "SOP-QC-012"
    assert sorted(record["questions"]) == sorted(ids)
    assert "3.1" not in json.dumps(list(stored(page)["learners"]["name:wang fang"]["quizzes"]))  # keyed by MAJOR


@pytest.mark.browser
def test_major_version_means_retrain_minor_keeps_pass(context, base, site):
    page = context.new_page()
    page.goto(base + "v3.1/" + SOP_PAGE)
    sign_in(page, "Li Qiang")
    answer(page, site.quiz)
    submit(page)
    assert state(page) == "passed"
    page.goto(base + "v3.2/" + SOP_PAGE)  # MINOR change: still passed
    assert state(page) == "passed"
    page.goto(base + "v4.0/" + SOP_PAGE)  # MAJOR change: retrain
    assert state(page) == "retrain"
    assert "You passed version 3.1; this SOP is now version 4.0" in page.locator(".sopq-status").inner_text()
    # The training list of the new version says so too, and counts no completion.
    open_training(page, base + "v4.0/")
    item = page.locator(f'li[data-training-quiz="{QUIZ_ID}"]')
    assert item.get_attribute("data-quiz-state") == "retrain"
    assert item.locator(".sopq-badge").inner_text() == "Retraining required"
    progress = page.locator("[data-training-progress]")
    assert (progress.get_attribute("data-done"), progress.get_attribute("data-total")) == ("0", "2")
    assert page.evaluate(f"sopQuiz.stateFor('{QUIZ_ID}', 3)") == "passed"
    assert page.evaluate(f"sopQuiz.stateFor('{QUIZ_ID}', 4)") == "retrain"
    # Retrain on 4.0: passed again, on the training page too.
    page.goto(base + "v4.0/" + SOP_PAGE)
    answer(page, site.quiz)
    submit(page)
    assert state(page) == "passed"
    open_training(page, base + "v4.0/")
    assert page.locator(f'li[data-training-quiz="{QUIZ_ID}"]').get_attribute("data-quiz-state") == "passed"
    assert page.locator("[data-training-progress]").get_attribute("data-done") == "1"
    assert "1 of 2 completed" in page.locator("[data-training-progress]").inner_text()


@pytest.mark.browser
def test_keyboard_only_never_submits_by_accident(context, site, server):
    page = context.new_page()
    page.goto(f"http://127.0.0.1:{server}/v3.1/" + SOP_PAGE)
    box = page.locator(f'[data-quiz="{QUIZ_ID}"]')

    def not_submitted():
        assert box.get_attribute("data-attempt") is None
        assert "pass mark" not in box.locator(".sopq-live").inner_text()
        assert box.locator(".sopq-fb:visible").count() == 0
        assert box.locator("input:disabled").count() == 0

    def active(expr: str):
        return page.evaluate(f"(() => {{ const e = document.activeElement; return {expr}; }})()")

    def tab_to(predicate: str, limit: int = 60):
        """Press Tab until the focused element matches (it may already: the script moves focus)."""
        for _ in range(limit):
            if active(predicate):
                return
            page.keyboard.press("Tab")
        raise AssertionError(f"Tab never reached {predicate}")

    tab_to("e.name === 'name'")
    page.keyboard.type("Keyboard User")
    page.keyboard.press("Enter")  # submits the learner form only
    assert page.evaluate("sopQuiz.currentLearner().name") == "Keyboard User"
    not_submitted()
    for fieldset in box.locator("fieldset.sopq-q").all():
        q = question_for(site.quiz, fieldset)
        legend = fieldset.locator("legend").inner_text()
        in_this = (  # a control of this question (the script focuses the fieldset itself first)
            "e.tagName !== 'FIELDSET' && e.closest('fieldset') && "
            f"e.closest('fieldset').querySelector('legend').innerText === {json.dumps(legend)}"
        )
        label = "e.closest('label') && e.closest('label').innerText.trim()"
        if q.type in ("single", "true_false"):
            tab_to(in_this)
            want = q.options[q.answer] if q.type == "single" else ("True" if q.answer else "False")
            for _ in range(6):  # arrows move (and select) only
                page.keyboard.press("ArrowDown")
                not_submitted()
                if active(label) == want:
                    break
            assert active(label) == want and active("e.checked")
            page.keyboard.press("Enter")  # Enter on a radio: nothing happens
            page.keyboard.press("ArrowUp")
            page.keyboard.press("ArrowDown")
            not_submitted()
            while active(label) != want:
                page.keyboard.press("ArrowDown")
        elif q.type == "multiple":
            wanted = {q.options[i] for i in q.answer}
            tab_to(in_this)
            for position in range(len(q.options)):  # each checkbox is a tab stop
                if active(label) in wanted:
                    page.keyboard.press("Space")
                page.keyboard.press("Enter")  # Enter on a checkbox: nothing happens
                not_submitted()
                if position < len(q.options) - 1:
                    page.keyboard.press("Tab")
            checked = fieldset.locator("input:checked").evaluate_all(
                "xs => xs.map(x => x.closest('label').innerText.trim())"
            )
            assert set(checked) == wanted
        else:  # order: move items up with the keyboard on the move-up buttons
            want = [q.options[i] for i in q.answer]
            for position, text in enumerate(want):
                if order_texts(fieldset).index(text) <= position:
                    continue
                tab_to(f"e.getAttribute('aria-label') === {json.dumps('Move up: ' + text)}", limit=80)
                while order_texts(fieldset).index(text) > position:
                    page.keyboard.press("Enter")
                    not_submitted()
            assert order_texts(fieldset) == want
    # Only the explicit button submits.
    tab_to("e.classList.contains('sopq-submit')")
    page.keyboard.press("Enter")
    assert "100% (pass mark 75%): Passed" in box.locator(".sopq-live").inner_text()
    assert state(page) == "passed"
    assert active("e.classList.contains('sopq-result')")  # focus lands on the result, "Try again" is next
    # Focus is visible: an outline is drawn on the focused result.
    assert active("getComputedStyle(e).outlineStyle") != "none"


@pytest.mark.browser
def test_two_learners_on_one_browser(context, http_base, site):
    page = context.new_page()
    page.goto(http_base + "v3.1/" + SOP_PAGE)
    sign_in(page, "Wang Fang")
    answer(page, site.quiz)
    submit(page)
    assert state(page) == "passed"
    sign_in(page, "Zhang Wei")
    assert state(page) == "new"
    assert page.locator(".sopq-me").inner_text() == "Learner: Zhang Wei"
    answer(page, site.quiz, right=False)
    submit(page)
    assert state(page) == "failed"
    # One click switches back.
    page.get_by_role("button", name="Switch to Wang Fang").click()
    assert state(page) == "passed"
    page.reload()
    assert page.evaluate("sopQuiz.currentLearner().name") == "Wang Fang"
    assert state(page) == "passed"
    learners = page.evaluate("sopQuiz.learners()")
    assert sorted(x["name"] for x in learners) == ["Wang Fang", "Zhang Wei"]
    assert page.evaluate("sopQuiz.results('name:zhang wei')[0].passed") is False
    assert page.evaluate("sopQuiz.results()[0].passed") is True
    page.get_by_role("button", name="Switch to Zhang Wei").click()
    assert state(page) == "failed"


@pytest.mark.browser
def test_downloads_csv_json_xapi_and_print(context, base, site):
    page = context.new_page()
    page.goto(base + "v3.1-emp/" + SOP_PAGE)
    sign_in(page, '王芳, "QA"', employee="E1024")
    answer(page, site.quiz, right=False)
    submit(page)
    page.get_by_role("button", name="Try again").click()
    answer(page, site.quiz)
    submit(page)
    records = page.locator(f'[data-quiz="{QUIZ_ID}"] details.sopq-records')
    records.locator("summary").click()
    assert "Self-reported in this browser; not a 21 CFR Part 11 record." in records.inner_text()

    def fetch(kind: str) -> str:
        with page.expect_download() as info:
            records.locator(f'[data-download="{kind}"]').click()
        return Path(info.value.path()).read_text(encoding="utf-8")

    text = fetch("csv")
    assert text.startswith("\ufeff")
    (row,) = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert row == {
        "learner": '王芳, "QA"',
        "employee_no": "E1024",
        "quiz": QUIZ_ID,
        "sop_id": "SOP-QC-012",
        "sop_version": "3.1",
        "score": "100",
        "passed": "true",
        "date": row["date"],
        "attempts": "2",
        "kind": "quiz",  # or "ack": read and understood (pages/progress.py)
    }
    assert re.match(r"\d{4}-\d\d-\d\dT", row["date"])
    data = json.loads(fetch("json"))
    assert data["format"] == "sopkb-training-records" and "21 CFR Part 11" in data["disclaimer"]
    (item,) = data["records"]
    assert {
        k: item[k] for k in ("learner", "employee_no", "quiz", "sop_id", "sop_version", "score", "passed", "attempts")
    } == {
        "learner": '王芳, "QA"',
        "employee_no": "E1024",
        "quiz": QUIZ_ID,
        "sop_id": "SOP-QC-012",
        "sop_version": "3.1",
        "score": 100,
        "passed": True,
        "attempts": 2,
    }
    (statement,) = json.loads(fetch("xapi"))
    home = "urn:sopkb" if base.startswith("file:") else base.rstrip("/")
    assert statement["actor"] == {
        "objectType": "Agent",
        "name": '王芳, "QA"',
        "account": {"homePage": home, "name": "E1024"},
    }
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    assert statement["object"]["id"] == f"urn:sopkb:quiz:{QUIZ_ID}"
    assert statement["object"]["definition"]["name"] == {"en-US": "Incoming inspection sign-off"}
    assert statement["result"] == {"score": {"scaled": 1, "raw": 100, "min": 0, "max": 100}, "success": True}
    assert statement["context"]["extensions"] == {"urn:sopkb:sop-id": "SOP-QC-012", "urn:sopkb:sop-version": "3.1"}
    assert statement["timestamp"] == row["date"]
    # The printable completion record lists the pass, and only it is printed.
    records.locator('[data-download="print"]').click()
    record = page.locator(".sopq-print")
    assert "Training completion record" in record.inner_text()
    assert "Incoming inspection sign-off" in record.inner_text() and "E1024" in record.inner_text()
    assert "not a 21 CFR Part 11 record" in record.inner_text()
    page.emulate_media(media="print")
    assert record.is_visible() and page.locator("main").is_hidden()
    page.emulate_media(media="screen")
    assert record.is_hidden()


@pytest.mark.browser
def test_draw_and_training_page(context, http_base, site):
    page = context.new_page()
    box = f'[data-quiz="{DRAW_ID}"]'
    linked = {q.id for q in site.quiz.questions if q.ref is not None}
    # Each load draws 2 of the 5 questions; 2 of them link nowhere. Load until a drawn question
    # links to its SOP (1 in 10 draws has none), so the link check below always runs.
    page.goto(http_base + "v3.1/" + DRAW_PAGE)
    sign_in(page, "Chen Jing")  # the learner is kept across reloads
    for _ in range(40):
        drawn = [question_for(site.quiz, fs).id for fs in page.locator(f"{box} fieldset.sopq-q").all()]
        assert len(drawn) == 2
        if linked & set(drawn):
            break
        page.reload()
    assert page.locator(".sopq-me").first.inner_text() == "Learner: Chen Jing"
    ids = answer(page, site.quiz, box=box)
    assert ids == drawn
    assert "100%" in submit(page, box)
    hrefs = page.locator(f"{box} .sopq-fb a").evaluate_all("xs => xs.map(a => a.getAttribute('href'))")
    assert len(hrefs) == len(linked & set(ids))
    assert all(h.startswith("../qc/draw.html#") for h in hrefs)  # its SOP's page, not this one
    assert sorted(page.evaluate("sopQuiz.results()[0].questions")) == sorted(ids)
    # The training page shares learner and results, and follows changes.
    open_training(page, http_base + "v3.1/")
    assert page.locator(".sopq-me").inner_text() == "Learner: Chen Jing"
    assert page.locator(f'li[data-training-quiz="{QUIZ_ID}"]').get_attribute("data-quiz-state") == "new"
    assert page.locator(f'li[data-training-quiz="{QUIZ_ID}"] .sopq-badge').inner_text() == "Not taken"
    assert page.locator(f'li[data-training-quiz="{DRAW_ID}"]').get_attribute("data-quiz-state") == "passed"
    assert "1 of 2 completed" in page.locator("[data-training-progress]").inner_text()
    page.evaluate(
        "window.calls = 0; sopQuiz.onChange(() => window.calls++); 0"
    )  # (a returned function would be called)
    sign_in(page, "Someone Else")
    assert page.evaluate("window.calls") >= 1
    assert "No results yet." in page.locator("[data-sop-records]").inner_text()


@pytest.mark.browser
def test_non_secure_context_on_an_intranet_host(context, site, server):
    page = context.new_page()
    page.goto(f"http://{HOST}:{server}/v3.1/" + SOP_PAGE)
    assert page.evaluate("window.isSecureContext") is False
    assert page.evaluate("typeof (window.crypto && window.crypto.subtle)") == "undefined"
    sign_in(page, "Plant PC")
    answer(page, site.quiz)
    assert "Passed" in submit(page)
    page.reload()
    assert state(page) == "passed"


@pytest.mark.browser
def test_moved_site_folder_keeps_results(context, site, tmp_path):
    first = shutil.copytree(site.root / "v3.1", tmp_path / "copy-a")  # a built site in a folder of its own
    page = context.new_page()
    page.goto(first.as_uri() + "/" + SOP_PAGE)
    sign_in(page, "Mover")
    answer(page, site.quiz)
    submit(page)
    moved = tmp_path / "elsewhere" / "kb"
    shutil.copytree(first, moved)
    shutil.rmtree(first)
    page.goto(moved.as_uri() + "/" + SOP_PAGE)
    assert state(page) == "passed"


@pytest.mark.browser
def test_corrupted_and_foreign_storage_is_ignored(context, http_base, site):
    page = context.new_page()
    page.goto(http_base + "v3.1/" + SOP_PAGE)
    for junk in [
        "{not json",
        "[1,2,3]",
        '"text"',
        '{"v":2,"learners":{}}',
        json.dumps(
            {
                "v": 1,
                "current": "name:eve",
                "learners": {
                    "name:eve": {"name": "Eve", "quizzes": {QUIZ_ID: {"3": {"passed": "yes", "major": 3}}}},
                    "__proto__": {"name": "x"},
                    "name:bad": "nope",
                },
            }
        ),
    ]:
        page.evaluate(f"localStorage.setItem('{KEY}', {json.dumps(junk)})")
        page.reload()
        assert state(page) == "new"
        assert page.locator(".sopq-title").inner_text() == "Incoming inspection sign-off"
    assert page.evaluate("sopQuiz.learners().map(l => l.name)") == ["Eve"]  # the valid part is kept
    answer(page, site.quiz)
    submit(page)
    assert state(page) == "passed"
    assert stored(page)["learners"]["name:eve"]["quizzes"][QUIZ_ID]["3"]["passed"] is True


@pytest.mark.browser
def test_full_storage_is_reported(context, site, server):
    page = context.new_page()
    page.goto(f"http://127.0.0.1:{server}/v3.1/" + SOP_PAGE)
    sign_in(page, "Full Disk")
    page.evaluate("""Storage.prototype.setItem = function () {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); }; 0""")
    answer(page, site.quiz)
    live = submit(page)
    assert "Passed" in live and "Browser storage is full: this result was not saved" in live
    assert state(page) == "passed"  # kept in memory for this page


@pytest.mark.browser
def test_unavailable_storage_degrades_to_memory(shared_context, site, server):
    # Not the ``context`` fixture: Material's own inline script throws when localStorage does.
    with shared_context.turn() as context:
        page = context.new_page()
        page.add_init_script("""Object.defineProperty(window, 'localStorage', {
            get() { throw new DOMException('denied', 'SecurityError'); } });""")  # this page's documents
        page.goto(f"http://127.0.0.1:{server}/v3.1/" + SOP_PAGE)
        assert "kept only until the page closes" in page.locator(".sopq-learner").inner_text()
        sign_in(page, "Private Mode")
        answer(page, site.quiz)
        assert "Passed" in submit(page)
        assert state(page) == "passed" and page.evaluate("sopQuiz.persistent()") is False


@pytest.mark.browser
def test_script_in_quiz_text_stays_text(context, http_base, site):
    page = context.new_page()
    page.goto(http_base + "v3.1/" + SOP_PAGE)
    legend = page.locator("fieldset.sopq-q", has_text="The COA does not match").locator("legend")
    assert '<script>alert("prompt")</script>' in legend.inner_text()
    assert page.locator(".sop-quiz script:not([type])").count() == 0
    assert page.locator("article script:not([type])").count() == 0
    no_script_runs = "[...document.scripts].every(s => !/alert\\(/.test(s.textContent))"
    assert page.evaluate(no_script_runs)  # neither the title's nor the prompt's <script> is a script
    assert page.title().startswith('Incoming inspection <script>alert("title")</script>')  # the escaped title


# --- the HTML source keeps answers out of sight (no browser needed) --------------------------------


@pytest.mark.parametrize("version", ["3.1", "4.0"])
def test_answers_are_not_in_the_html_source(site, version):
    html = (site.root / f"v{version}" / SOP_PAGE).read_text(encoding="utf-8")
    quiz = site.quiz
    for question in quiz.questions:
        # The items of an "order" question are the SOP's own steps, on the page by nature.
        options = [] if question.type == "order" else list(question.options)
        texts = [question.prompt] + options + [question.explain or ""]
        for text in filter(None, texts):
            assert text not in html and escape(text) not in html, text
    assert "<!--" not in html
    box = re.search(r'<div class="sop-quiz"[^>]*>', html).group(0)
    assert 'data-quiz-state="new"' in box and 'data-sop-major="' + version[0] in box
    assert "data-search-exclude" in box
    blob = re.search(r'<script type="application/x-sop-quiz">([^<]*)</script>', html).group(1)
    decoded = decode_quiz_data(blob, QUIZ_ID, "SOP-QC-012")
    assert decoded["questions"][0]["answer"] == 1 and decoded["version"] == version


def test_material_search_indexes_nothing_of_the_quiz(site):
    from material.plugins.search.plugin import Parser

    html = (site.root / "v3.1" / SOP_PAGE).read_text(encoding="utf-8")
    parser = Parser()
    parser.feed(html[html.index("<main") :])
    parser.close()
    indexed = " ".join("".join(section.title) + " " + "".join(section.text) for section in parser.data)
    assert "Check the COA" in indexed  # the page itself is indexed
    blob = re.search(r'<script type="application/x-sop-quiz">([^<]*)</script>', html).group(1)
    assert blob[:40] not in indexed
    for question in site.quiz.questions:
        for text in [question.prompt, *([] if question.type == "order" else question.options)]:
            assert text not in indexed
    assert "needs JavaScript" not in indexed and "Self-reported" not in indexed
    # The index the build wrote (the SOP search index) has the page but none of the quiz either.
    search = site.root / "v3.1" / "search"  # the manifest and every piece (sop_plugin/pages/search_index.py)
    index = "\n".join(p.read_text(encoding="utf-8") for p in sorted(search.rglob("*")) if p.is_file())
    assert "Check the COA against the specification" in index
    for question in site.quiz.questions:
        for text in [question.prompt, *([] if question.type == "order" else question.options)]:
            assert text[:30] not in index, text
    assert blob[:40] not in index


@pytest.mark.browser
def test_order_question_by_touch(browser, site, http_base):
    ctx = browser.new_context(has_touch=True, is_mobile=True, viewport={"width": 390, "height": 800})
    page = ctx.new_page()
    page.goto(http_base + "v3.1/" + SOP_PAGE)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page is wider than the phone"
    fieldset = page.locator("fieldset.sopq-q", has=page.locator("ol.sopq-order"))
    q = question_for(site.quiz, fieldset)
    want = [q.options[i] for i in q.answer]
    assert order_texts(fieldset) != want  # never shown in the right order
    for position, text in enumerate(want):
        while order_texts(fieldset).index(text) > position:
            fieldset.get_by_role("button", name=f"Move up: {text}").tap()
    assert order_texts(fieldset) == want
    assert re.search(r"position \d of 3", page.locator(".sopq-live").inner_text())  # each move is announced
    ctx.close()


@pytest.mark.browser
def test_chinese_ui_and_no_javascript(browser, context, http_base):
    page = context.new_page()
    page.goto(http_base + "v3.1-zh/" + SOP_PAGE)
    box = page.locator(f'[data-quiz="{QUIZ_ID}"]')
    assert box.locator(".sopq-submit").inner_text() == "提交答案"
    assert box.locator(".sopq-badge").inner_text() == "未参加"
    tf = box.locator("fieldset.sopq-q", has_text="Chilled materials")
    assert tf.locator("label").all_inner_texts() == ["正确", "错误"]
    box.locator("summary").click()
    assert "不是 21 CFR Part 11 电子记录" in box.locator(".sopq-records").inner_text()
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(http_base + "v3.1/" + SOP_PAGE)
    assert "This quiz needs JavaScript" in page.locator(".sop-quiz__nojs").inner_text()
    assert page.locator("fieldset").count() == 0
    ctx.close()


def test_script_and_styles_fit_the_budget():
    """quiz.js + quiz.css, gzipped together, stay within 12 KB (issue 5: mkdocs-quiz ships 14 KB)."""
    import gzip

    data = (ASSETS / "quiz.js").read_bytes() + (ASSETS / "quiz.css").read_bytes()
    assert len(gzip.compress(data, 9)) <= 12 * 1024
    assert b"http://" not in (ASSETS / "quiz.css").read_bytes()
    assert all(
        url.startswith(b"http://adlnet.gov/expapi/")
        for url in re.findall(rb"https?://[^\s\"']+", (ASSETS / "quiz.js").read_bytes())
    )
