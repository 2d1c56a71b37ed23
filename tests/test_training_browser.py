"""Training on the BUILT site, in real Chromium, over plain http and from the folder (file://).

A small knowledge base is built three times with real ``mkdocs build --strict``: SOP-QC-001 at
version 1.0, at 1.1 (a MINOR change) and at 2.0 (a MAJOR change). A "rebuild" puts the next build
into the same served folder, and the same browser context (so the same localStorage) goes on:

1.0  pass the quiz on the SOP page -> the quiz page, the role page and "my training" say passed;
1.1  MINOR change -> still passed everywhere;
2.0  MAJOR change -> retrain on the SOP page, the quiz page, the role page and "my training".

Pages without a quiz load no quiz.js (checked on the network), and no request leaves the site.
"""

from __future__ import annotations

import http.server
import shutil
from pathlib import Path

import pytest
from conftest import build_site, http_server, sop_text

QUIZ = "qc-basic"
ROLES = """\
departments:
  - {id: QC, name: {zh: 质量控制, en: Quality Control}}
  - {id: QA, name: {zh: 质量保证, en: Quality Assurance}}
roles:
  - {id: qc-inspector, name: {zh: QC检验员, en: QC Inspector}, department: QC,
     onboarding: [SOP-QC-001, SOP-QC-002]}
  - {id: qa-manager, name: {zh: QA经理, en: QA Manager}, department: QA}
"""
TRAINED = """\
roles:
  - {role: qc-inspector, raci: R}
  - {role: qa-manager, raci: A}
control_points:
  - {id: CCP-1, kind: CCP, step: 2, parameter: COA, limit: matches the specification,
     monitoring: {how: read the COA, frequency: every lot, who: qc-inspector},
     corrective_action: hold the lot}
training: {quiz: qc-basic, roles: [qc-inspector]}
"""
BANK = """\
id: qc-basic
sop: SOP-QC-001
title: Incoming inspection quiz
pass_mark: 100
questions:
  - id: coa
    type: single
    prompt: The COA does not match. What do you do?
    options: [Release the lot, Hold the lot and raise a deviation, Ask the driver]
    answer: 1
    explain: See the control point.
    ref: CCP-1
  - id: checks
    type: multiple
    prompt: What do you check on delivery?
    options: [The seal, The COA, The weather]
    answer: [0, 1]
    ref: 2
  - id: release
    type: true_false
    prompt: A lot is released after both checks pass.
    answer: true
    ref: 3
"""
# The right labels per question id (the UI is English: theme.language en).
RIGHT = {"coa": ["Hold the lot and raise a deviation"], "checks": ["The seal", "The COA"], "release": ["True"]}
PROMPTS = {"coa": "The COA does not match", "checks": "What do you check", "release": "A lot is released"}


def project_files(version: str) -> dict[str, str]:
    return {
        "docs/qc/incoming.md": sop_text("SOP-QC-001", "Incoming inspection", version=version, extra=TRAINED),
        "docs/qc/other.md": sop_text("SOP-QC-002", "Retained samples"),
        "quizzes/qc-basic.yml": BANK,
    }


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[str, Path]:
    """The site built at SOP versions 1.0, 1.1 and 2.0 (one real build each, --strict)."""
    out = {}
    for version in ("1.0", "1.1", "2.0"):
        out[version] = build_site(
            tmp_path_factory.mktemp(f"training-{version}"),
            project_files(version),
            "--strict",
            roles=ROLES,
            use_directory_urls=False,
            theme={"name": "material", "font": False, "language": "en"},
            plugins=["search", "offline", {"sop": {"build_date": "2026-06-01"}}],
        )
    return out


class NoCache(http.server.SimpleHTTPRequestHandler):
    """A plain intranet server that tells the browser not to cache (a rebuild is seen at once)."""

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def live(tmp_path):
    """``(folder, base URL for a scheme)``: the served folder that each "rebuild" replaces."""
    folder = tmp_path / "site"
    folder.mkdir()
    with http_server(folder, NoCache) as base:
        yield folder, base


def deploy(build: Path, folder: Path) -> None:
    """Replace the served site by another build, in the same folder (the rebuild of a real host)."""
    for child in folder.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()
    shutil.copytree(build, folder, dirs_exist_ok=True)


@pytest.fixture
def requests(page):
    """Every URL the page requests (plus the conftest ``page`` fixture's record of external ones)."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def quiz_state(page) -> str:
    page.wait_for_selector(f'[data-quiz="{QUIZ}"] .sopq-badge')
    return page.get_attribute(f'[data-quiz="{QUIZ}"]', "data-quiz-state")


def item_state(page, scope: str = "") -> str:
    """The state quiz.js gave the onboarding item of the quiz (on a role page or "my training")."""
    selector = f'{scope} li[data-training-quiz="{QUIZ}"]'.strip()
    page.wait_for_selector(f"{selector} .sopq-badge", state="attached")
    return page.get_attribute(selector, "data-quiz-state")


def pass_quiz(page) -> None:
    box = page.locator(f'[data-quiz="{QUIZ}"]')
    bar = box.locator(".sopq-learner")
    bar.get_by_label("Your name").fill("Li Lei")
    bar.get_by_role("button", name="Start").click()
    for fieldset in box.locator("fieldset.sopq-q").all():
        legend = fieldset.locator("legend").inner_text()
        qid = next(q for q, prompt in PROMPTS.items() if prompt in legend)
        for label in RIGHT[qid]:
            fieldset.get_by_label(label, exact=True).check()
    box.locator(".sopq-submit").click()
    assert "100% (pass mark 100%): Passed" in box.locator(".sopq-live").inner_text()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["http", "file"])
def test_pass_then_minor_keeps_then_major_retrains(page, requests, builds, live, scheme):
    folder, http_base = live
    base = http_base if scheme == "http" else folder.as_uri() + "/"
    deploy(builds["1.0"], folder)

    # 1.0: the quiz on the SOP page, passed.
    page.goto(base + "qc/incoming.html")
    assert quiz_state(page) == "new"
    assert page.locator(".sop-quiz__nojs").is_hidden()
    pass_quiz(page)
    assert quiz_state(page) == "passed"
    # The explanations' links resolve on the built page (steps and control points have those ids).
    for href in page.locator(f'[data-quiz="{QUIZ}"] .sopq-fb a').evaluate_all(
        "a => a.map(x => x.getAttribute('href'))"
    ):
        assert href.startswith("#") and page.locator(href).count() == 1, href

    # The quiz page, the role page and "my training" show the pass.
    page.goto(base + f"training/{QUIZ}.html")
    assert quiz_state(page) == "passed"
    assert "Li Lei" in page.locator(".sopq-learner").first.inner_text()
    page.goto(base + "roles/qc-inspector.html")
    assert item_state(page) == "passed"
    progress = page.locator("[data-training-progress]")
    assert (progress.get_attribute("data-done"), progress.get_attribute("data-total")) == (
        "1",
        "2",
    )  # SOP-QC-002: read and understood
    assert "Li Lei" in page.locator("[data-sop-learner]").inner_text()
    page.goto(base + "training/index.html")
    assert item_state(page, '[data-training-list][data-role="qc-inspector"]') == "passed"
    records = page.locator("[data-sop-records]")
    assert records.locator(f'tr[data-quiz="{QUIZ}"]').count() == 1
    assert "not a 21 CFR Part 11 record" in records.inner_text()
    assert records.locator('button[data-download="csv"]').is_enabled()

    # 1.1, a MINOR change: still passed.
    deploy(builds["1.1"], folder)
    page.goto(base + "qc/incoming.html")
    assert page.get_attribute("[data-sop-version]", "data-sop-version") == "1.1"
    assert quiz_state(page) == "passed"
    page.goto(base + "roles/qc-inspector.html")
    assert item_state(page) == "passed"

    # 2.0, a MAJOR change: retraining required, everywhere.
    deploy(builds["2.0"], folder)
    page.goto(base + "qc/incoming.html")
    assert page.get_attribute("[data-sop-version]", "data-sop-version") == "2.0"
    assert quiz_state(page) == "retrain"
    assert "You passed version 1.0" in page.locator(f'[data-quiz="{QUIZ}"] .sopq-status').inner_text()
    page.goto(base + f"training/{QUIZ}.html")
    assert quiz_state(page) == "retrain"
    page.goto(base + "roles/qc-inspector.html")
    assert item_state(page) == "retrain"
    assert page.locator("[data-training-progress]").get_attribute("data-done") == "0"
    page.goto(base + "training/index.html")
    assert item_state(page, '[data-training-list][data-role="qc-inspector"]') == "retrain"

    assert page.external == []
    assert any(url.endswith("assets/sop/quiz.js") for url in requests)


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["http", "file"])
def test_pages_without_a_quiz_load_no_quiz_script(page, requests, builds, live, scheme):
    folder, http_base = live
    base = http_base if scheme == "http" else folder.as_uri() + "/"
    deploy(builds["1.0"], folder)
    # (qc/other.html, on the onboarding list without a quiz, loads it for "read and understood".)
    for path in ("index.html", "departments/QC.html", "registers/training-matrix.html"):
        requests.clear()
        page.goto(base + path)
        page.wait_for_load_state("load")
        quiz_files = [url for url in requests if "/assets/sop/quiz." in url]
        assert quiz_files == [], (path, quiz_files)
        assert page.evaluate("typeof window.sopQuiz") == "undefined", path
        assert any(url.endswith(path) for url in requests)
    # ...and a page with a quiz loads both files, as cached files.
    requests.clear()
    page.goto(base + "qc/incoming.html")
    assert sorted(url.rsplit("/", 1)[1] for url in requests if "/assets/sop/quiz." in url) == ["quiz.css", "quiz.js"]
    assert page.evaluate("typeof window.sopQuiz") == "object"
    assert page.external == []
