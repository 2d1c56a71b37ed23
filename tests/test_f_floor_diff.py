"""The body diff on diff pages reads as text, not as Markdown source (issue 13: "diff pages show
raw ``**``"): bold is bold, ``[[SOP-ID]]`` is the id, a heading has no ``#``, a link shows its
text; changes are marked word by word in the text as read; hostile text stays escaped.

Unit checks on :func:`sop_plugin.pages.diff.body_diff`, a real git repository built with real
MkDocs (an archived version's diff), and the example site's demo revisions.
"""

from __future__ import annotations

import difflib
import re
from html import unescape
from pathlib import Path

import cydifflib
import pytest
from conftest import run_build, sop_text, write_project
from hypothesis import given, settings
from hypothesis import strategies as st
from test_history import LI, WANG, Repo

from sop_plugin.i18n import strings_for
from sop_plugin.model import parse_sop
from sop_plugin.pages.diff import (
    MAX_BODY_TOKEN_PAIRS,
    MAX_TOKEN_PAIRS,
    TooLong,
    body_diff,
    diff_section,
    field_label,
    key_namer,
    styled,
    value_text,
)

BODY_RE = re.compile(r'<div class="sop-diff__body">(.*?)</div></div></section>', re.S)


def text_of(html: str) -> str:
    """What a reader sees of the body diff: lines of text, without tags."""
    return unescape(re.sub(r"<[^>]+>", "", str(html).replace('<div class="sop-diff__line', '\n<div class="')))


# --- the diff itself -------------------------------------------------------------------------------


def test_inline_markup_is_shown_as_formatting_not_as_markers():
    old = "1. **清除物料**：余料贴退库标签，见 [[SOP-QA-011]] 与 [清洁卡](cards/clean.md)。\n2. 用 `75 °C` 水冲洗 *两次*。"
    new = "1. **清除物料**：余料贴标签，见 [[SOP-QA-012]] 与 [清洁卡](cards/clean.md)。\n2. 用 `75 °C` 水冲洗 *三次*。"
    html = body_diff(old, new)
    assert "**" not in html and "[[" not in html and "](" not in html and "`" not in html
    assert "<strong>清除物料</strong>：余料贴<del>退库</del>标签" in html
    assert (
        '<del><span class="sop-ref__id">SOP-QA-011</span></del><ins><span class="sop-ref__id">SOP-QA-012</span></ins>'
        in html
    )
    assert '<span class="sop-diff__link" title="cards/clean.md">清洁卡</span>' in html
    assert "<code>75 °C</code>" in html and "<em>" in html
    assert text_of(html).splitlines()[1:] == [
        "1. 清除物料：余料贴退库标签，见 SOP-QA-011SOP-QA-012 与 清洁卡。",
        "2. 用 75 °C 水冲洗 两三次。",
    ]


def test_block_markup_headings_bullets_quotes_and_admonitions():
    assert styled("### 5.1 Heat the milk {#heat}") == (
        "heading",
        [(w, ()) for w in ["5.1", " ", "Heat", " ", "the", " ", "milk"]],
    )
    assert styled("- wash *hands*")[1][:2] == [("•", ()), (" ", ())]
    assert styled("> **Note** it")[1][0] == ("Note", ("strong",))
    assert styled('!!! warning "打印件为非受控文件"') == ("", [(c, ("strong",)) for c in "打印件为非受控文件"])
    assert styled("!!! danger")[1] == [("Danger", ("strong",))]
    assert styled(r"\*not bold\* snake_case_name")[1] == [
        (w, ()) for w in ["*", "not", " ", "bold", "*", " ", "snake_case_name"]
    ]
    html = body_diff("## 程序\n\n1. a\n", "## 操作程序\n\n1. a\n")
    assert (
        '<div class="sop-diff__line sop-diff__line--changed sop-diff__line--heading"><ins>操作</ins>程序</div>' in html
    )


def test_making_a_word_bold_is_a_change_and_a_changed_link_target_shows():
    html = body_diff("1. check the seal\n", "1. check the **seal**\n")
    assert "<del>seal</del><ins><strong>seal</strong></ins>" in html
    html = body_diff("see [form](a.md)\n", "see [form](b.md)\n")
    assert '<del><span class="sop-diff__link" title="a.md">form</span></del>' in html
    assert '<ins><span class="sop-diff__link" title="b.md">form</span></ins>' in html


def test_fenced_code_keeps_its_text_as_written():
    html = body_diff("```\n**raw** x\n```\n", "```\n**raw** y\n```\n")
    assert "sop-diff__line--code" in html and "<code>**raw** </code>" in html  # code is not formatted


def test_hostile_text_stays_escaped():
    old = '1. **加热** <script>alert("a")</script> [x](javascript:alert(1)) ![i](x" onerror="alert(2))\n'
    new = '1. **加热** <script>alert("b")</script> [y](javascript:alert(1)) ![j](x" onerror="alert(2))\n<img src=x onerror=alert(3)>\n'
    html = str(body_diff(old, new))
    assert "<script" not in html and "<img" not in html and "<a " not in html and 'onerror="' not in html
    assert "&lt;script&gt;alert(&#34;<del>a</del><ins>b</ins>&#34;)&lt;/script&gt;" in html
    assert 'title="javascript:alert(1)"' in html  # only ever an escaped title, never a link
    assert "&lt;img src=x onerror=alert(3)&gt;" in html


# --- built sites --------------------------------------------------------------------------------------

V10 = (
    "## 程序\n\n1. **检查设备**：核对温度计。\n2. **加热**至 72 °C <script>alert('old')</script>。\n"
    "3. 放行，见 [[SOP-QC-009]]。\n"
)
V11 = (
    "## 操作程序\n\n1. **检查设备**：核对温度计与记录仪。\n2. **加热**至 75 °C <script>alert('new')</script>。\n"
    "3. 放行，见 [[SOP-QC-009]]。\n"
)


def sop(version: str, body: str) -> str:
    changes = "" if version == "1.0" else f'changes:\n  - {{version: "{version}", date: 2026-02-01, summary: 新限值}}\n'
    return sop_text("SOP-QC-001", "巴氏杀菌", extra=changes, body=body).replace(
        'version: "1.0"', f'version: "{version}"'
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("diff")
    repo = Repo(root)
    write_project(root, {}, plugins=["search", {"sop": {"build_date": "2026-03-01"}}])
    other = sop_text("SOP-QC-009", "放行", effective_date="2025-01-01")
    repo.commit(
        "1.0",
        {"qc/pasteurise.md": sop("1.0", V10), "qc/release.md": other},
        author=WANG,
        date="2025-01-05T09:00:00+08:00",
    )
    repo.commit("1.1", {"qc/pasteurise.md": sop("1.1", V11)}, author=LI, date="2026-02-01T09:00:00+08:00")
    result = run_build(root, "--strict")
    assert result.returncode == 0, result.stderr
    return root / "site"


def test_the_archived_version_shows_the_body_diff_as_text(built):
    html = (built / "id/SOP-QC-001/v1.0/index.html").read_text(encoding="utf-8")
    body = BODY_RE.search(html).group(1)
    assert "**" not in body and "[[" not in body and "## " not in body
    assert "<strong>检查设备</strong>：核对温度计<ins>与记录仪</ins>" in body
    assert "&lt;script&gt;alert(&#39;<del>old</del><ins>new</ins>&#39;)&lt;/script&gt;" in body
    assert "<script" not in body
    assert '<span class="sop-ref__id">SOP-QC-009</span>' in body
    assert "sop-diff__line--heading" in body


def test_example_demo_revisions_read_as_text(example_site):
    pages = {
        "SOP-PROD-020": ["v1.0", "v2.0"],  # 1.0 -> 1.1 (archived) and 1.1 -> 2.0 (upcoming)
        "SOP-PROD-015": ["v1.0"],
        "SOP-WH-003": ["v1.0"],
    }
    for sop_id, versions in pages.items():
        for version in versions:
            html = (example_site / "id" / sop_id / version / "index.html").read_text(encoding="utf-8")
            body = BODY_RE.search(html)
            assert body, (sop_id, version)
            shown = text_of(body.group(1))
            assert "**" not in shown and "[[" not in shown and "](" not in shown, (sop_id, version, shown)
            assert "<strong>" in body.group(1) and ("<del>" in body.group(1) or "<ins>" in body.group(1))
    upcoming = (example_site / "id/SOP-PROD-020/v2.0/index.html").read_text(encoding="utf-8")
    assert "<strong>数量平衡（KCP-1）</strong>" in BODY_RE.search(upcoming).group(1)


def test_changed_fields_are_named_in_the_site_language():
    t = strings_for("zh")
    assert field_label("effective_date", t) == "生效日期 <code>effective_date</code>"
    assert field_label("review_interval_months", t) == "<code>review_interval_months</code>"  # no UI name
    assert field_label("control_points[CCP-1].limit", t) == "控制点 CCP-1 · 限值"
    assert field_label("exceptions[停电].action", t) == "例外情况 停电 · 处理"
    assert field_label("roles[qc-inspector].steps", t) == "角色 qc-inspector · 步骤"
    assert field_label("roles[<b>]", t) == "角色 &lt;b&gt;"  # a key is text
    point = {"id": "KCP-1", "limit": "≤ 4 °C", "monitoring": {"how": "探针", "frequency": "每批"}}
    assert (
        value_text(point, key_namer("control_points[KCP-1]", t))
        == "控制点: KCP-1; 限值: ≤ 4 °C; 监控: 方法: 探针; 频率: 每批"
    )
    assert value_text(point) == "id: KCP-1; limit: ≤ 4 °C; monitoring: how: 探针; frequency: 每批"
    english = strings_for("en")
    assert field_label("effective_date", english) == "Effective <code>effective_date</code>"


# --- the matcher: cydifflib finds exactly what the standard library finds ------------------------

_LINES = st.lists(st.sampled_from(["", "1. 清洗", "2. Rinse twice", "## 步骤", "- 75 °C", "**bold**"]), max_size=30)


@settings(max_examples=300, deadline=None)
@given(a=_LINES, b=_LINES)
def test_cydifflib_gives_the_standard_librarys_opcodes(a, b):
    """diff.py uses cydifflib for speed; a reader must see the diff the standard library would give
    (lines, then word tokens with their formatting, then the similarity that pairs lines)."""
    for old, new in ((a, b), (tokens_of(a), tokens_of(b))):
        ours = cydifflib.SequenceMatcher(None, old, new, autojunk=False)
        theirs = difflib.SequenceMatcher(None, old, new, autojunk=False)
        assert ours.get_opcodes() == theirs.get_opcodes()
        assert list(ours.get_grouped_opcodes(1)) == list(theirs.get_grouped_opcodes(1))
    line_a, line_b = "\n".join(a), "\n".join(b)
    assert (
        cydifflib.SequenceMatcher(None, line_a, line_b, autojunk=False).quick_ratio()
        == difflib.SequenceMatcher(None, line_a, line_b, autojunk=False).quick_ratio()
    )


def tokens_of(lines: list[str]) -> list:
    """The (word, formatting) tokens diff.py compares, of every line."""
    return [token for line in lines for token in styled(line)[1]]


# --- hostile versions: what changed stays bounded whatever the texts ------------------------------


def test_a_changed_line_of_250_kb_shows_removed_and_added_whole():
    """The matcher's worst case grows faster than the square: this line never finished before."""
    html = str(body_diff("word " * 50_000, "drow " * 50_000))
    assert html.count("<del>") == 1 and html.count("<ins>") == 1
    assert "<del>word word" in html and "<ins>drow drow" in html


def test_one_change_among_100_000_equal_lines_is_found_with_its_context():
    """Repeated lines cost the matcher the square of their number: only what lies between the
    common start and end is matched (with its context lines)."""
    old = "x\n" * 50_000 + "a\n" + "x\n" * 50_000
    assert str(body_diff(old, old.replace("a\n", "b\n"))) == (
        '<div class="sop-diff__body"><div class="sop-diff__hunk">'
        '<div class="sop-diff__line sop-diff__line--same">x</div>'
        '<div class="sop-diff__line sop-diff__line--changed"><del>a</del><ins>b</ins></div>'
        '<div class="sop-diff__line sop-diff__line--same">x</div></div></div>'
    )


def test_the_word_by_word_budget_of_one_body_runs_out_into_whole_lines():
    line_tokens = 400  # "w same " 100 times: 160,000 pairs a line, within MAX_TOKEN_PAIRS
    assert line_tokens**2 <= MAX_TOKEN_PAIRS
    old = "\n".join("w same " * 100 for _ in range(100))
    new = "\n".join("d same " * 100 for _ in range(100))
    lines = str(body_diff(old, new)).split('<div class="sop-diff__line ')[1:]
    word_by_word = [line.count("<del>") == 100 for line in lines]
    assert len(lines) == 100
    # as many lines word by word as the budget holds, in order; the rest removed and added whole
    assert word_by_word == [i < MAX_BODY_TOKEN_PAIRS // line_tokens**2 for i in range(100)]
    assert all(line.count("<del>") == 1 for line in lines[sum(word_by_word) :])


@pytest.mark.parametrize("language", ["en", "zh"])
def test_texts_that_differ_in_too_many_lines_get_a_note_not_a_diff(language):
    t = strings_for(language)
    old = parse_sop("qc/a.md", sop_text(body="\n".join(["w", ""] * 2_500)))
    new = parse_sop("qc/a.md", sop_text(version="2.0", body="\n".join(["d", ""] * 2_500)))
    with pytest.raises(TooLong):
        body_diff(old.body, new.body)
    html = str(diff_section(old, new, t, heading="h"))
    assert 'class="sop-diff__too-long"' in html and "4,999" in html
    assert ("too many lines" in html) if language == "en" else ("太多" in html)
