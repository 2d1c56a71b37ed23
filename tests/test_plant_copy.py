"""Plant copies: a build restricted to one site and an access level holds no trace of the SOPs it
leaves out, in any file, and links to them say "not part of this copy"."""

from __future__ import annotations

import json
import re

import pytest
from conftest import build_site, run_build, sop_text, write_project

ROLES = """\
departments:
  - {id: QC, name: {zh: 质量控制, en: Quality Control}}
  - {id: QA, name: {zh: 质量保证, en: Quality Assurance}}
roles:
  - {id: qc-inspector, name: {zh: QC检验员, en: QC Inspector}, department: QC,
     onboarding: [SOP-QC-101, SOP-QC-102, SOP-QA-104]}
  - {id: qa-manager, name: {zh: QA经理, en: QA Manager}, department: QA}
"""


def sop(sop_id, title, sites=None, access="internal", body=None, extra=""):
    where = f"applies_to: {{sites: [{', '.join(sites)}]}}\n" if sites else ""
    roles = "roles:\n  - {role: qc-inspector, raci: R, steps: [1]}\n"
    cps = (
        "control_points:\n  - {id: CCP-1, kind: CCP, step: 1, parameter: " + title + " parameter, "
        "limit: ok, corrective_action: hold}\n"
    )
    return sop_text(
        sop_id, title, extra=f"{where}access: {access}\n{roles}{cps}{extra}", body=body, department=sop_id.split("-")[1]
    )


KEPT_BODY = (
    "Before you start, read [[SOP-QC-102]] and [[SOP-QA-103]] and [[SOP-QA-104]].\n\n"
    "## Procedure\n\n1. Weigh the sample.\n"
)
FILES = {
    # kept: everywhere / suzhou, internal or public
    "docs/qc/kept.md": sop(
        "SOP-QC-101",
        "Suzhou Sieve Check",
        sites=["suzhou"],
        body=KEPT_BODY,
        extra="references: [SOP-QC-102, SOP-QA-103]\ntraining: {quiz: sieve-quiz, roles: [qc-inspector]}\n",
    ),
    "docs/qa/public.md": sop("SOP-QA-104", "Hand Washing For Everyone", access="public"),
    # left out: another site, and a restricted one
    "docs/qc/other-site.md": sop(
        "SOP-QC-102",
        "Shanghai Boiler Blowdown",
        sites=["shanghai"],
        extra="training: {quiz: boiler-quiz, roles: [qc-inspector]}\n",
    ),
    "docs/qa/secret.md": sop("SOP-QA-103", "Restricted Recall Playbook", access="restricted"),
}
FILES["docs/index.md"] = (
    "# Home\n\n- [Shanghai Boiler Blowdown](qc/other-site.md)\n- [Suzhou Sieve Check](qc/kept.md)\n"
)
QUIZ = """\
id: {quiz}
sop: {sop}
title: {title} quiz
questions:
  - {{id: q1, type: true_false, prompt: "{title}: is the valve closed?", answer: true}}
"""
FILES["quizzes/boiler.yml"] = QUIZ.format(quiz="boiler-quiz", sop="SOP-QC-102", title="Shanghai Boiler Blowdown")
FILES["quizzes/sieve.yml"] = QUIZ.format(quiz="sieve-quiz", sop="SOP-QC-101", title="Suzhou Sieve Check")
LEFT_OUT = {"SOP-QC-102": "Shanghai Boiler Blowdown", "SOP-QA-103": "Restricted Recall Playbook"}
KEPT = {"SOP-QC-101": "Suzhou Sieve Check", "SOP-QA-104": "Hand Washing For Everyone"}
NOT_IN_COPY = ("not part of this copy", "不在本副本中")


def text_files(site):
    for path in sorted(site.rglob("*")):
        if path.is_file() and path.suffix in (".html", ".json", ".js", ".xml", ".csv", ".txt", ".md"):
            yield path, path.read_text(encoding="utf-8", errors="replace")


def assert_absent(site, left_out=LEFT_OUT):
    """No file names a left-out SOP, except as an id followed by "not part of this copy"."""
    seen_marker = False
    for path, text in text_files(site):
        for sop_id, title in left_out.items():
            assert title not in text, f"{path.relative_to(site)} contains the title {title!r}"
            assert sop_id.lower() not in str(path.relative_to(site)).lower(), f"file named after {sop_id}: {path}"
            stripped = text
            for marker in NOT_IN_COPY:
                seen_marker |= f"{sop_id} ({marker})" in text
                stripped = stripped.replace(f"{sop_id} ({marker})", "")
            # a data-sop-ref attribute on the "not part of this copy" span is fine, nothing else is
            stripped = re.sub(rf'<span class="sop-ref sop-ref--missing" data-sop-ref="{sop_id}">', "", stripped)
            assert sop_id not in stripped, (
                f"{path.relative_to(site)} names {sop_id}: "
                + stripped[max(0, stripped.find(sop_id) - 120) : stripped.find(sop_id) + 60]
            )
    return seen_marker


@pytest.fixture(scope="module")
def copy_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("copy")
    return build_site(
        root,
        FILES,
        "--strict",
        roles=ROLES,
        plugins=[
            "search",
            {"sop": {"site_filter": "suzhou", "access_level": "internal", "copy_name": "Suzhou intranet"}},
        ],
    )


def test_left_out_sops_are_absent_from_every_file(copy_site):
    assert assert_absent(copy_site), "the kept SOP should say the others are not part of this copy"
    kept_page = (copy_site / "qc/kept/index.html").read_text(encoding="utf-8")
    assert "SOP-QC-102 (not part of this copy)" in kept_page
    assert "Hand Washing For Everyone" in kept_page  # a link to a kept SOP still shows its title
    assert not (copy_site / "qc/other-site").exists() and not (copy_site / "id/SOP-QC-102").exists()
    assert (copy_site / "id/SOP-QC-101/index.html").exists()
    home = (copy_site / "index.html").read_text(encoding="utf-8")  # a hand-written Markdown link
    assert "SOP-QC-102 (not part of this copy)" in home and 'href="qc/kept/"' in home


def test_catalog_search_and_build_info_hold_only_the_copy(copy_site):
    catalog = json.loads((copy_site / "sop-catalog.json").read_text(encoding="utf-8"))
    assert sorted(s["id"] for s in catalog["sops"]) == sorted(KEPT)
    index = (copy_site / "search/search_index.json").read_text(encoding="utf-8")
    assert all(title in index for title in KEPT.values())
    build = json.loads((copy_site / "sop-build.json").read_text(encoding="utf-8"))
    assert build["copy"] == {"name": "Suzhou intranet", "site": "suzhou", "access": "internal"}
    assert build["sops"] == 2


def test_every_page_footer_shows_the_build_stamp(copy_site):
    for path in [copy_site / "index.html", copy_site / "qc/kept/index.html", copy_site / "directory/index.html"]:
        html = path.read_text(encoding="utf-8")
        stamp = re.search(r'<div class="sop-build-stamp"[^>]*>(.*?)</div>\s*</div>', html, re.S)
        assert stamp, path
        assert "Suzhou intranet" in stamp.group(1) and "suzhou" in stamp.group(1)
        assert 'data-sop-copy="Suzhou intranet"' in html


def test_environment_variables_make_the_same_copy(tmp_path):
    write_project(tmp_path, FILES, roles=ROLES)
    result = run_build(
        tmp_path, "--strict", env={"SOP_SITE": "suzhou", "SOP_ACCESS": "internal", "SOP_COPY_NAME": "CI matrix copy"}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    site = tmp_path / "site"
    assert_absent(site)
    assert "CI matrix copy" in (site / "index.html").read_text(encoding="utf-8")


def test_public_copy_leaves_out_internal_sops_too(tmp_path):
    site = build_site(tmp_path, FILES, "--strict", roles=ROLES, plugins=["search", {"sop": {"access_level": "public"}}])
    left_out = {k: v for k, v in {**LEFT_OUT, **KEPT}.items() if k != "SOP-QA-104"}
    assert_absent(site, left_out)
    assert "Hand Washing For Everyone" in (site / "qa/public/index.html").read_text(encoding="utf-8")


def test_full_build_keeps_everything_and_unknown_references_still_fail(tmp_path):
    site = build_site(tmp_path, FILES, "--strict", roles=ROLES)
    catalog = json.loads((site / "sop-catalog.json").read_text(encoding="utf-8"))
    assert len(catalog["sops"]) == 4
    bad = dict(FILES, **{"docs/qc/bad.md": sop("SOP-QC-199", "Bad", body="See [[SOP-XX-999]].\n\n1. Go.\n")})
    write_project(tmp_path / "bad", bad, roles=ROLES, plugins=["search", {"sop": {"site_filter": "suzhou"}}])
    result = run_build(tmp_path / "bad", "--strict")
    assert result.returncode != 0 and "SOP-XX-999" in result.stdout + result.stderr


def test_the_copy_name_is_escaped_in_the_footer(tmp_path):
    site = build_site(
        tmp_path, FILES, "--strict", roles=ROLES, plugins=["search", {"sop": {"copy_name": "<b>Plant</b> & Co"}}]
    )
    html = (site / "index.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;Plant&lt;/b&gt; &amp; Co" in html and "<b>Plant</b>" not in html


def test_a_bad_access_level_in_the_environment_is_reported(tmp_path):
    write_project(tmp_path, FILES, roles=ROLES)
    result = run_build(tmp_path, env={"SOP_ACCESS": "secret"})
    assert result.returncode != 0
    assert "SOP_ACCESS" in result.stdout + result.stderr and "Traceback" not in result.stdout + result.stderr
