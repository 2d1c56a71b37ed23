"""Version history in the built site, from real git repositories built in tmp_path.

Several authors and dates, a rename into a Chinese file name, an upcoming version, an overdue
review, a shallow clone, archived versions at ``id/<ID>/v<ver>/``, the differences, the review
dashboard, what changed (per role, Atom feed) and ``history`` in ``sop-catalog.json``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import mkdocs_build, run_build, sop_text, write_project
from test_history import LI, SMITH, WANG, Repo

from sop_plugin.model import parse_sop
from sop_plugin.pages.diff import field_changes, inline_diff
from sop_plugin.pages.search_index import read_sections
from sop_plugin.revisions.history import read_history

BUILD_DATE = "2026-03-01"
ATOM = "{http://www.w3.org/2005/Atom}"
ROLES = """\
departments:
  - {id: QC, name: {zh: 质量控制, en: Quality Control}}
  - {id: QA, name: {zh: 质量保证, en: Quality Assurance}}
roles:
  - {id: qc-inspector, name: {zh: QC检验员, en: QC Inspector}, department: QC}
  - {id: qa-manager, name: {zh: QA经理, en: QA Manager}, department: QA}
  - {id: line-operator, name: {zh: 操作工, en: Line operator}, department: QC}
"""


def cp(limit: str) -> str:
    return (
        "roles:\n  - {role: qc-inspector, raci: R, steps: [1, 2]}\n  - {role: qa-manager, raci: A}\n"
        "control_points:\n  - {id: CCP-1, kind: CCP, step: 2, parameter: 中心温度, "
        f"limit: '{limit}', corrective_action: 隔离该批次}}\n"
    )


def changes(*entries) -> str:
    return "changes:\n" + "".join(
        f'  - {{version: "{v}", date: {d}, summary: {s}, reason: {r}}}\n' for v, d, s, r in entries
    )


def pasteurise(version: str, body: str, limit: str = ">= 72 °C", log=(), effective: str = "2025-01-10") -> str:
    text = sop_text(
        "SOP-QC-001",
        "巴氏杀菌",
        version="1.0",
        extra=cp(limit) + (changes(*log) if log else ""),
        body=body,
        effective_date=effective,
    )
    return text.replace('version: "1.0"', f'version: "{version}"')


V10 = "## 程序\n\n1. 检查设备。见 [流程图](img/flow.png) 与 [清洁](cleaning.md)。\n2. 加热至规定温度并保持旧式措辞。\n3. 放行。\n"
V11 = "## 程序\n\n1. 检查设备。见 [清洁](cleaning.md)。\n2. 加热至规定温度并保持。\n3. 放行。\n"
V20 = "## 程序\n\n1. 检查设备与温度计。见 [清洁](cleaning.md)。\n2. 加热至规定温度并保持 15 秒。\n3. 记录后放行。\n"
LOG = [("2.0", "2026-02-10", "新限值", "审计发现 AUD-2026-02"), ("1.1", "2025-06-01", "删除流程图", "简化")]


def project(root: Path, sop: dict | None = None, **config) -> None:
    """``mkdocs.yml`` (built as of BUILD_DATE), ``docs/roles.yml`` and ``docs/index.md``."""
    write_project(
        root, {}, roles=ROLES, plugins=["search", {"sop": {"build_date": BUILD_DATE, **(sop or {})}}], **config
    )


def make_repo(root: Path, sop: dict | None = None, **config) -> Repo:
    """A knowledge base in git: four SOPs, three authors, one rename, one upcoming version.

    As of BUILD_DATE: SOP-QA-001's review is overdue, SOP-QA-002's due in 19 days, SOP-QC-002's
    (the version in force, 1.0) in 45 days; SOP-QC-001 went 1.0 -> 1.1 -> 2.0 (a new limit)."""
    repo = Repo(root)
    project(root, sop, **config)
    repo.commit(
        "create",
        {
            "qc/pasteurise.md": pasteurise("1.0", V10),
            "qc/cleaning.md": "# 清洁\n",
            "qc/img/flow.png": "png",
            "qa/deviation.md": sop_text("SOP-QA-001", "偏差管理", department="QA", effective_date="2024-06-01"),
            "qa/change-control.md": sop_text("SOP-QA-002", "变更控制", department="QA", effective_date="2025-03-20"),
            "qc/sampling.md": sop_text(
                "SOP-QC-002", "取样", effective_date="2025-04-15", body="## 程序\n\n1. 按旧方案取样。\n"
            ),
        },
        author=WANG,
        date="2025-01-05T09:00:00+08:00",
    )
    repo.commit(
        "typo",
        {"qc/pasteurise.md": pasteurise("1.0", V10.replace("放行。", "放行"))},
        author=SMITH,
        date="2025-01-06T10:00:00+00:00",
    )
    repo.commit(
        "v1.1",
        {"qc/pasteurise.md": pasteurise("1.1", V11, log=LOG[1:], effective="2025-06-01")},
        delete=["qc/img/flow.png"],
        author=LI,
        date="2025-06-01T09:00:00+08:00",
    )
    repo.commit(
        "v2.0: new limit",
        {"qc/pasteurise.md": pasteurise("2.0", V20, ">= 75 °C", LOG, "2026-02-10")},
        author=LI,
        date="2026-02-10T09:00:00+08:00",
    )
    repo.commit(
        "upcoming sampling plan",
        {
            "qc/sampling.md": sop_text(
                "SOP-QC-002",
                "取样",
                version="2.0",
                effective_date="2026-06-01",
                extra="roles:\n  - {role: line-operator, raci: R}\n",
                body="## 程序\n\n1. 按新方案 AQL 取样。\n",
            )
        },
        author=SMITH,
        date="2026-02-15T09:00:00+08:00",
    )
    repo.commit(
        "rename into a Chinese name",
        move=[("qc/pasteurise.md", "qc/巴氏杀菌.md")],
        author=WANG,
        date="2026-02-20T09:00:00+08:00",
    )
    return repo


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The knowledge base, built with --strict from its git repository."""
    root = tmp_path_factory.mktemp("kb")
    make_repo(root)
    result = run_build(root, "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    (root / "build.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    return root / "site"


def read(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


def test_history_table_groups_revisions_under_their_version(built):
    html = read(built, "qc/巴氏杀菌/index.html")
    rows = re.findall(
        r'<tr class="sop-history__row[^"]*" data-history-version="([^"]+)" data-history-state="([^"]+)">(.*?)</tr>',
        html,
        re.S,
    )
    assert [(v, s) for v, s, _ in rows] == [("2.0", "effective"), ("1.1", "superseded"), ("1.0", "superseded")]
    v20, v11, v10 = (cells for _, _, cells in rows)
    assert "新限值" in v20 and "审计发现 AUD-2026-02" in v20 and "李强, 王芳" in v20  # the rename is a 2.0 revision
    assert "王芳, Ann Smith" in v10 and len(re.findall(r"<code>[0-9a-f]{7}</code>", v10)) == 2  # typo grouped under 1.0
    assert 'href="../../id/SOP-QC-001/v1.1/"' in v11 and "2025-06-01" in v11
    assert 'href="../../id/SOP-QC-001/v1.1/#changes"' in v20  # what changed to 2.0


def test_no_email_address_anywhere_in_the_site(built):
    for path in built.rglob("*"):
        if path.suffix in (".html", ".json", ".xml"):
            assert "@example." not in path.read_text(encoding="utf-8"), path


def test_archived_versions_at_their_id_urls_out_of_nav_and_search(built):
    for version, text in (("1.0", "保持旧式措辞"), ("1.1", "加热至规定温度并保持。")):
        html = read(built, f"id/SOP-QC-001/v{version}/index.html")
        assert re.search(
            rf'data-sop-id="SOP-QC-001" data-sop-version="{re.escape(version)}" data-sop-status="superseded"', html
        )
        banner = re.search(r'<div class="sop-banner sop-banner--archived"[^>]*>(.*?)</div>', html, re.S).group(1)
        assert "Superseded — the current version is 2.0" in banner
        assert 'href="../../../qc/%E5%B7%B4%E6%B0%8F%E6%9D%80%E8%8F%8C/"' in banner
        assert text in html and "sop-banner--upcoming" not in html
    old = read(built, "id/SOP-QC-001/v1.0/index.html")
    assert "&gt;= 72 °C" in old and "&gt;= 75 °C" in read(built, "qc/巴氏杀菌/index.html")
    # A link written in qc/ still works from id/SOP-QC-001/v1.0/; an image deleted since is plain text.
    assert 'href="../../../qc/cleaning/"' in old and 'class="sop-gone">流程图' in old
    assert not [doc["location"] for doc in read_sections(built) if doc["location"].startswith("id/")]
    assert "v1.0" not in read(built, "index.html")  # not in the navigation


def test_differences_to_the_next_version(built):
    html = read(built, "id/SOP-QC-001/v1.1/index.html")
    section = re.search(r'<section class="sop-diff" data-sop-diff="1.1..2.0"[^>]*>(.*?)</section>', html, re.S).group(1)
    assert "What changed from version 1.1 to 2.0" in section and "retrained" in section  # a new MAJOR
    limit = re.search(
        r'<tr class="sop-diff__cp" data-field="control_points\[CCP-1\].limit"><td>[^<]*CCP-1 · [^<]+</td><td>(.*?)</td>',
        section,
    ).group(1)
    assert limit == "&gt;= <del>72</del><ins>75</ins> °C"
    assert "检查设备<ins>与温度计</ins>" in section  # Chinese, character by character
    assert "保持<ins> 15 秒</ins>" in section and "<ins>记录后</ins>放行" in section
    assert "<code>effective_date</code></td><td><del>2025-06-01</del><ins>2026-02-10</ins>" in section
    assert "<code>title</code>" not in section  # unchanged fields are not listed
    assert 'data-sop-diff="1.0..1.1"' in read(built, "id/SOP-QC-001/v1.0/index.html")


def test_upcoming_version_keeps_the_version_in_force_on_the_page(built):
    html = read(built, "qc/sampling/index.html")
    assert re.search(r'data-sop-id="SOP-QC-002" data-sop-version="1.0" data-sop-status="effective"', html)
    assert "按旧方案取样" in html and "按新方案" not in html.split('class="sop-history"')[0]
    notice = re.search(r'<div class="sop-banner sop-banner--next"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert "Version 2.0 takes effect on 2026-06-01" in notice and 'href="../../id/SOP-QC-002/v2.0/"' in notice
    upcoming = read(built, "id/SOP-QC-002/v2.0/index.html")
    assert re.search(r'data-sop-version="2.0" data-sop-status="upcoming"', upcoming) and "按新方案 AQL 取样" in upcoming
    assert "work to the current version 1.0" in upcoming and 'href="../../../qc/sampling/"' in upcoming
    assert 'data-sop-diff="1.0..2.0"' in upcoming
    assert 'url=../../qc/sampling/"' in read(built, "id/SOP-QC-002/index.html")  # id/ opens the version in force
    rows = re.findall(r'data-history-version="([^"]+)" data-history-state="([^"]+)"', html)
    assert rows == [("2.0", "upcoming"), ("1.0", "effective")]


def test_review_dashboard_lists_overdue_reviews_without_failing_the_build(built):
    html = read(built, "reviews/index.html")
    listed = {
        bucket: re.findall(rf'<tr data-review="{bucket}" data-sop-ref="([^"]+)">(.*?)</tr>', html, re.S)
        for bucket in ("overdue", "due30", "due90")
    }
    assert {bucket: [sop_id for sop_id, _ in rows] for bucket, rows in listed.items()} == {
        "overdue": ["SOP-QA-001"],
        "due30": ["SOP-QA-002"],
        "due90": ["SOP-QC-002"],
    }
    assert "2025-06-01" in listed["overdue"][0][1] and "273 days overdue" in listed["overdue"][0][1]
    assert '<h2 id="overdue">Overdue (1)</h2>' in html
    # SOP-QC-002: the version in force (1.0, effective 2025-04-15) is due, not the upcoming 2.0.
    assert "2026-04-15" in listed["due90"][0][1] and "in 45 days" in listed["due90"][0][1]
    assert re.search(
        r'data-review-department="Quality Assurance"><td>Quality Assurance</td><td>1</td><td>1</td><td></td>', html
    )
    assert re.search(r'data-review-owner="Wang Fang"><td>Wang Fang</td><td>1</td><td>1</td><td>1</td>', html)
    assert "review overdue" not in (built.parent / "build.log").read_text(encoding="utf-8").lower()
    assert "Review overdue since 2025-06-01" in read(built, "qa/deviation/index.html")


def test_what_changed_page_role_views_and_atom_feed(built):
    html = read(built, "changes/index.html")
    rows = re.findall(
        r'<tr data-sop-ref="([^"]+)" data-change-commit="([0-9a-f]{40})"(?: data-retrain)?><td>([\d-]+)</td>', html
    )
    assert [(sop, day) for sop, _, day in rows] == [
        ("SOP-QC-001", "2026-02-20"),
        ("SOP-QC-002", "2026-02-15"),
        ("SOP-QC-001", "2026-02-10"),
    ]  # 90 days, newest first
    assert re.search(r"data-retrain><td>2026-02-10</td>", html) and "新限值" in html
    assert 'href="feed.xml"' in html
    inspector = read(built, "changes/qc-inspector/index.html")
    assert 'data-role="qc-inspector"' in inspector and "SOP-QC-001" in inspector and "SOP-QC-002" not in inspector
    assert 'data-retrain="SOP-QC-001"' in inspector
    operator = read(built, "changes/line-operator/index.html")
    assert "SOP-QC-002" in operator and 'data-sop-ref="SOP-QC-001"' not in operator
    feed = ET.fromstring((built / "changes/feed.xml").read_bytes())
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 3
    assert feed.findtext(f"{ATOM}updated") == entries[0].findtext(f"{ATOM}updated") == "2026-02-20T09:00:00+08:00"
    assert [e.findtext(f"{ATOM}author/{ATOM}name") for e in entries] == ["王芳", "Ann Smith", "李强"]
    assert entries[2].findtext(f"{ATOM}title") == "SOP-QC-001 巴氏杀菌 — 2.0: 新限值"
    assert entries[2].find(f"{ATOM}link").get("href") == "../qc/%E5%B7%B4%E6%B0%8F%E6%9D%80%E8%8F%8C/"
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == 3


def test_catalog_carries_history_and_next_review(built):
    catalog = json.loads(read(built, "sop-catalog.json"))
    by_id = {sop["id"]: sop for sop in catalog["sops"]}
    history = by_id["SOP-QC-001"]["history"]
    assert [(h["version"], h["date"], h["author"], h["summary"], h["reason"]) for h in history] == [
        ("2.0", "2026-02-10", "李强, 王芳", "新限值", "审计发现 AUD-2026-02"),
        ("1.1", "2025-06-01", "李强", "删除流程图", "简化"),
        ("1.0", "2025-01-05", "王芳, Ann Smith", None, None),
    ]
    assert all(re.fullmatch(r"[0-9a-f]{40}", h["commit"]) for h in history)
    assert by_id["SOP-QC-001"]["next_review"] == "2027-02-10" and by_id["SOP-QA-001"]["next_review"] == "2025-06-01"
    assert catalog["generated"] == "2026-02-20T09:00:00+08:00" and re.fullmatch(
        r"[0-9a-f]{40}", catalog["source"]["commit"]
    )


def test_same_commit_builds_the_same_bytes(tmp_path):
    root = tmp_path / "kb"
    make_repo(root)
    outputs = []
    for name in ("one", "two"):
        assert mkdocs_build(root, "--strict", "-d", name).returncode == 0  # separate processes: no shared state
        outputs.append(
            {
                p.relative_to(root / name): p.read_bytes()
                for p in (root / name).rglob("*")
                if p.suffix in (".html", ".json", ".xml")
            }
        )
    assert outputs[0] == outputs[1]


def test_archive_versions_setting_limits_the_archived_pages(tmp_path):
    root = tmp_path / "kb"
    make_repo(root, {"archive_versions": 1}, use_directory_urls=False)
    result = run_build(root, "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    site = root / "site"
    assert (site / "id/SOP-QC-001/v1.1/index.html").exists() and not (site / "id/SOP-QC-001/v1.0").exists()
    html = read(site, "qc/巴氏杀菌.html")
    assert 'href="../id/SOP-QC-001/v1.1/index.html"' in html  # without directory URLs: .../index.html
    assert re.search(r'data-history-version="1.0"[^>]*>\s*<td>1.0</td>', html)  # still listed, no page
    assert (site / "id/SOP-QC-002/v2.0/index.html").exists()  # the upcoming version is not an archive


def test_history_off_falls_back_to_the_changes_log(tmp_path):
    root = tmp_path / "kb"
    make_repo(root, {"history": False})
    result = run_build(root, "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.count("history: false") == 1
    site = root / "site"
    assert not (site / "id/SOP-QC-001/v1.1").exists()
    html = read(site, "qc/巴氏杀菌/index.html")
    assert re.findall(r'data-history-version="([^"]+)"', html) == ["2.0", "1.1"] and "From the changes log" in html
    assert re.search(r'data-sop-version="2.0" data-sop-status="upcoming"', read(site, "qc/sampling/index.html"))
    catalog = json.loads(read(site, "sop-catalog.json"))
    history = next(s for s in catalog["sops"] if s["id"] == "SOP-QC-001")["history"]
    assert [(h["version"], h["commit"]) for h in history] == [("2.0", None), ("1.1", None)]


def test_outside_git_one_info_line_and_strict_passes_unless_git_is_required(tmp_path):
    source = tmp_path / "kb"
    make_repo(source)
    plain = tmp_path / "export"
    shutil.copytree(source, plain, ignore=shutil.ignore_patterns(".git"))
    result = run_build(plain, "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.count("not in a git work tree") == 1
    assert re.search(r"INFO\s+-\s+.*history: the docs folder is not in a git work tree", result.stderr)
    assert "Upcoming: this version takes effect on 2026-06-01" in read(plain / "site", "qc/sampling/index.html")
    project(plain, {"history": True})
    required = run_build(plain, "--strict")
    assert required.returncode != 0 and "not in a git work tree" in required.stderr


def test_shallow_clone_fails_strict_with_the_fix(tmp_path):
    repo = make_repo(tmp_path / "kb")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], check=True, env=repo.env()
    )
    result = run_build(clone, "--strict")
    assert result.returncode != 0 and "fetch-depth: 0" in result.stderr and "shallow clone" in result.stderr
    result = run_build(clone)
    assert result.returncode == 0
    assert "Incomplete: this site was built from a shallow clone" in read(clone / "site", "qc/巴氏杀菌/index.html")


def test_changes_log_contradicted_by_git_is_a_warning_with_file_line_and_field(tmp_path):
    repo = make_repo(tmp_path / "kb")
    bad = LOG[:1] + [("1.5", "2025-09-01", "never committed", "—")] + LOG[1:]
    repo.commit(
        "log a version git never saw",
        {"qc/巴氏杀菌.md": pasteurise("2.0", V20, ">= 75 °C", bad, "2026-02-10")},
        date="2026-02-21T09:00:00+08:00",
    )
    result = run_build(repo.root, "--strict")
    assert result.returncode != 0
    assert re.search(
        r'qc/巴氏杀菌.md:\d+: changes\[1\]\.version: version "1.5" is in the changes log but not in the git history',
        result.stderr,
    ), result.stderr
    assert run_build(repo.root).returncode == 0  # a warning: the site is still built, the page says it
    assert re.search(
        r"<code>changes\[1\]\.version</code> \(qc/巴氏杀菌.md:\d+\): version &#34;1.5&#34;",
        read(repo.root / "site", "qc/巴氏杀菌/index.html"),
    )


def test_word_level_diff_and_front_matter_changes():
    assert inline_diff("加热至 72 °C", "加热至 75 °C") == "加热至 <del>72</del><ins>75</ins> °C"
    assert inline_diff("检查设备", "检查设备与温度计") == "检查设备<ins>与温度计</ins>"
    assert inline_diff("<b>", "<i>") == "&lt;<del>b</del><ins>i</ins>&gt;"  # escaped
    old = parse_sop("a.md", pasteurise("1.1", V11))
    new = parse_sop("a.md", pasteurise("2.0", V20, ">= 75 °C").replace("raci: A}", "raci: C}"))
    assert field_changes(old, new) == [
        ("roles[qa-manager].raci", "A", "C"),
        ("control_points[CCP-1].limit", ">= 72 °C", ">= 75 °C"),
    ]


# Front-matter fences as the model reads them (``split_front_matter``), with a ``version`` line each.
FENCES = [
    '---\nid: A\nversion: "1.1"\n---\nbody',
    "---\n---\nbody",
    '---  \r\nid: A\r\nversion: "1.3"\r\n...\r\nx',
    '\ufeff---\nid: B\nversion: "1.4"\n---',
    'no front\nversion: "1.5"\n',
    '---\nid: A\nversion: "1.6"\n----\n---\n',
    '---\nid: A\nx: ---\nversion: "1.7"\n--- \nbody\n',
    '---\nid: A\nversion: "1.8"',
    "---\n\n---\n",
]


def test_versions_read_from_git_find_the_front_matter_as_the_model_does(tmp_path):
    """The history reads each revision's version from the raw blob (its own fence scan): it must
    see the front-matter exactly where the model's ``split_front_matter`` sees it."""
    from sop_plugin.model.source import split_front_matter

    repo = Repo(tmp_path / "repo")
    repo.commit("fences", {f"f{n}.md": text for n, text in enumerate(FENCES)})
    history = read_history(repo.docs)
    for n, text in enumerate(FENCES):
        front = split_front_matter(text).front_matter
        found = re.search(r'^version: "([^"]+)"', front or "", re.M)
        assert history.revisions(f"f{n}.md")[0].version == (found.group(1) if found else None), text


@pytest.mark.parametrize("fence", ["---\n{}---\n", "---  \r\n{}...\r\n", "\ufeff---\n{}---\n", "---\n{}--- \n"])
def test_quick_parse_splits_front_matter_and_body_as_the_model_does(fence):
    from sop_plugin.revisions.versions import quick_parse

    text = pasteurise("2.0", V20, ">= 75 °C", LOG, "2026-02-10")
    front, body = text.split("---\n")[1], text.split("---\n", 2)[2]
    if "\r" in fence:
        front = front.replace("\n", "\r\n")
    variant = fence.format(front) + body
    quick, full = quick_parse("a.md", variant), parse_sop("a.md", variant)
    assert full.valid and full.meta.version == "2.0"  # a real SOP: the quick path has work to do
    assert quick.meta == full.meta and quick.body == full.body and quick.body_line == full.body_line


def test_quick_parse_of_an_earlier_version_equals_the_full_parse():
    from sop_plugin.revisions.versions import quick_parse

    text = pasteurise("2.0", V20, ">= 75 °C", LOG, "2026-02-10")
    quick, full = quick_parse("a.md", text), parse_sop("a.md", text)
    assert quick.meta == full.meta and quick.body == full.body and quick.body_line == full.body_line
    assert [s.number for s in quick.steps] == [s.number for s in full.steps] == [1, 2, 3]
    broken = text.replace("effective_date: 2026-02-10", "effective_date: 2026-13-01")
    assert quick_parse("a.md", broken).valid is False  # anything unusual: the full parse decides
