"""What changed between two versions of an SOP: front-matter fields and body text, word by word.

Tokens are Latin words, runs of white space, and single characters otherwise, so Chinese is
compared character by character (no dictionary to load, and the same result on every machine).
The body is compared line by line first (``cydifflib.SequenceMatcher``: the standard library's
:class:`difflib.SequenceMatcher` in C++, the same matches ten times faster), then each changed
line against the line it replaced, token by token. Front-matter changes that matter on the floor
(control-point limits, roles, steps) are listed apart from the text, field by field.

The body diff reads as text, not as Markdown source: each line's markup is taken apart
(:func:`styled`) into words that carry their formatting (``**bold**`` is the word "bold" shown
bold, ``[[SOP-QA-011]]`` the id, ``[text](url)`` the text with the address on hover, a heading
without its ``#``, a bullet as "•"), and the words are compared with their formatting: making a
word bold shows as a change. A small reader of the common inline syntax, not a Markdown
renderer: whatever it does not know stays as written (raw HTML too), always as escaped text.

Everything is escaped: both versions come from authored files. No MkDocs import.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

import cydifflib
from markupsafe import Markup, escape

from sop_plugin.model import Sop

_TOKEN = re.compile(r"[A-Za-z0-9_]+(?:['’.\-][A-Za-z0-9_]+)*|\s+|.", re.S)
#: Front-matter fields compared one by one, in the order they are listed; keyed lists by their key.
FIELDS = (
    "title",
    "status",
    "effective_date",
    "review_interval_months",
    "owner",
    "department",
    "applies_to",
    "access",
    "roles",
    "control_points",
    "exceptions",
    "records",
    "references",
    "supersedes",
    "training",
)
KEYED = {"control_points": "id", "roles": "role", "exceptions": "trigger", "records": "form"}


def tokens(text: str) -> list[str]:
    """``text`` cut into Latin words, runs of white space and single other characters."""
    return _TOKEN.findall(text)


#: One word of the body diff and its formatting: ``("bold", ("strong",))``. A formatting part is
#: ``strong``, ``em``, ``code``, ``s`` (struck through), ``ref`` (an SOP id), ``a:<url>`` (a link's
#: text), ``img:<src>`` (an image's alternative text).
Token = tuple[str, tuple[str, ...]]

_INLINE = re.compile(
    r"(?P<code>`+)(?P<code_text>.+?)(?P=code)"
    r"|!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]*)[^)]*\)"
    r"|\[\[(?P<ref>[^\[\]]+)\]\]"
    r"|\[(?P<link>[^\[\]]+)\]\((?P<url>(?:[^()\s]|\([^()\s]*\))*)[^)]*\)"
    r"|(?P<strong>\*\*|__)(?P<strong_text>\S(?:.*?\S)?)(?P=strong)"
    r"|(?<![\w*])\*(?P<em_star>[^\s*](?:[^*]*?[^\s*])?)\*(?!\*)"
    r"|(?<![\w_])_(?P<em_line>[^\s_](?:[^_]*?[^\s_])?)_(?![\w_])"
    r"|~~(?P<struck>\S(?:.*?\S)?)~~"
    r"|\\(?P<escaped>[\\`*_{}\[\]()#+\-.!|~<>])"
)
_HEADING = re.compile(r"(?P<indent>\s{0,3})#{1,6}\s+(?P<text>.*?)(?:\s+#+)?(?:\s*\{[:#.][^}]*\})?\s*$")
_BULLET = re.compile(r"(?P<indent>\s*)[-*+]\s+(?=\S)")
_QUOTE = re.compile(r"\s{0,3}>\s?")
_ADMONITION = re.compile(r'(?P<indent>\s*)(?:!!!|\?\?\?\+?)\s+(?P<kind>[\w-]+)(?:[^"]*"(?P<title>[^"]*)")?\s*$')
_FENCE = re.compile(r"\s*(```|~~~)")


def styled(line: str, code: bool = False) -> tuple[str, list[Token]]:
    """One body line as the reader sees it: ``(kind, tokens)``, kind ``"heading"``, ``"code"`` (in
    a fenced block, shown as written) or ``""``; every token a word and its formatting."""
    if code or _FENCE.match(line):
        return "code", [(word, ("code",)) for word in tokens(line)]
    match = _HEADING.fullmatch(line)
    if match:
        return "heading", _words(match["indent"]) + _inline(match["text"])
    match = _ADMONITION.fullmatch(line)
    if match:
        title = match["title"] if match["title"] is not None else match["kind"].capitalize()
        return "", _words(match["indent"]) + _inline(title, ("strong",))
    prefix = []
    while True:  # "> " quotes: the marker goes, the text stays
        quote = _QUOTE.match(line)
        if not quote or not quote.end():
            break
        line = line[quote.end() :]
    bullet = _BULLET.match(line)
    if bullet:
        prefix, line = _words(bullet["indent"] + "• "), line[bullet.end() :]
    return "", prefix + _inline(line)


def _words(text: str, style: tuple[str, ...] = ()) -> list[Token]:
    return [(word, style) for word in tokens(text)]


def _inline(text: str, style: tuple[str, ...] = ()) -> list[Token]:
    """Inline Markdown of ``text`` as tokens; the text of nested markup gets every outer format."""
    out: list[Token] = []
    position = 0
    for match in _INLINE.finditer(text):
        out += _words(text[position : match.start()], style)
        position = match.end()
        if match["code"]:
            out += _words(match["code_text"], (*style, "code"))
        elif match["src"] is not None:
            out += _words(match["alt"] or match["src"], (*style, f"img:{match['src']}"))
        elif match["ref"]:
            out += _words(match["ref"], (*style, "ref"))
        elif match["link"]:
            out += _inline(match["link"], (*style, f"a:{match['url']}"))
        elif match["strong"]:
            out += _inline(match["strong_text"], (*style, "strong"))
        elif match["em_star"] or match["em_line"]:
            out += _inline(match["em_star"] or match["em_line"], (*style, "em"))
        elif match["struck"]:
            out += _inline(match["struck"], (*style, "s"))
        else:
            out += _words(match["escaped"], style)
    return out + _words(text[position:], style)


_WRAP = {
    "strong": Markup("<strong>{}</strong>"),
    "em": Markup("<em>{}</em>"),
    "code": Markup("<code>{}</code>"),
    "s": Markup("<s>{}</s>"),
    "ref": Markup('<span class="sop-ref__id">{}</span>'),
}
_LINK = Markup('<span class="sop-diff__link" title="{}">{}</span>')
_IMAGE = Markup('<span class="sop-diff__image" title="{}">{}</span>')


def render_tokens(words: list[Token]) -> Markup:
    """Tokens as escaped HTML, each run of one formatting wrapped once (outermost format first)."""
    out = []
    for style, run in itertools.groupby(words, key=lambda word: word[1]):
        html = escape("".join(text for text, _ in run))
        for part in reversed(style):
            kind, _, value = part.partition(":")
            html = (_LINK if kind == "a" else _IMAGE).format(value, html) if value else _WRAP[kind].format(html)
        out.append(html)
    return _EMPTY.join(out)


_DEL = Markup("<del>{}</del>")
_INS = Markup("<ins>{}</ins>")
_EMPTY = Markup("")


#: How much the matcher may compare, in pairs of items (``len(a) * len(b)``). Real text is quick
#: (a changed line of 2,000 Chinese characters: 1 ms; 2,800 English tokens: 9 ms), but the
#: worst case grows faster than the square of the length (2,000 tokens of two kinds, "w w w"
#: against "d d d": 2.2 s; a changed line of 250 KB never ended). Past these a changed line shows
#: as removed and added whole, and two texts that differ in too many lines are not compared line
#: by line (TooLong): a hostile version costs its page a few seconds at most.
MAX_TOKEN_PAIRS = 4_000_000  # one line, word by word: 2,000 x 2,000 tokens
MAX_BODY_TOKEN_PAIRS = 8_000_000  # all the changed lines of one body together, word by word
MAX_LINE_PAIRS = 4_000_000  # the lines between the common start and end: 2,000 x 2,000


class TooLong(Exception):
    """Two bodies that differ in more lines than :data:`MAX_LINE_PAIRS` allows comparing."""

    def __init__(self, old_lines: int, new_lines: int) -> None:
        super().__init__(f"{old_lines} and {new_lines} lines")
        self.old_lines, self.new_lines = old_lines, new_lines


class _Budget:
    """The word-by-word comparisons left to one body diff (:data:`MAX_BODY_TOKEN_PAIRS`)."""

    def __init__(self, pairs: int = MAX_BODY_TOKEN_PAIRS) -> None:
        self.pairs = pairs

    def take(self, pairs: int) -> bool:
        """Whether a comparison of ``pairs`` fits (and then it is counted)."""
        if pairs > MAX_TOKEN_PAIRS or pairs > self.pairs:
            return False
        self.pairs -= pairs
        return True


def inline_diff(old: str, new: str) -> Markup:
    """``old`` -> ``new`` as HTML with ``<del>``/``<ins>`` around changed words (or characters)."""
    return token_diff(_words(old), _words(new))


def _common_ends(a: list, b: list) -> tuple[int, int]:
    """How many items ``a`` and ``b`` share at their start, then at their end (not overlapping)."""
    start, limit = 0, min(len(a), len(b))
    while start < limit and a[start] == b[start]:
        start += 1
    end = 0
    while end < limit - start and a[-1 - end] == b[-1 - end]:
        end += 1
    return start, end


def token_diff(a: list[Token], b: list[Token], budget: _Budget | None = None) -> Markup:
    """Two token lists as HTML with ``<del>``/``<ins>`` around the changed runs (what differs
    shown removed and added whole when comparing it would cost more than ``budget`` has left)."""
    # The common start and end are cut off first: an edit is usually local, and SequenceMatcher
    # is quadratic or worse in what is left.
    start, end = _common_ends(a, b)
    middle_a, middle_b = a[start : len(a) - end], b[start : len(b) - end]
    if (budget or _Budget()).take(len(middle_a) * len(middle_b)):
        opcodes = _merge_small_gaps(
            cydifflib.SequenceMatcher(None, middle_a, middle_b, autojunk=False).get_opcodes(), middle_a
        )
    else:
        opcodes = [("replace", 0, len(middle_a), 0, len(middle_b))]
    out = [render_tokens(a[:start])]
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            out.append(render_tokens(middle_a[i1:i2]))
            continue
        if i2 > i1:
            out.append(_DEL.format(render_tokens(middle_a[i1:i2])))
        if j2 > j1:
            out.append(_INS.format(render_tokens(middle_b[j1:j2])))
    out.append(render_tokens(a[len(a) - end :]))
    return _EMPTY.join(out)


def _merge_small_gaps(opcodes: list, a: list[Token]) -> list:
    """Fold a single unchanged character or space between two changes into them ("核对" vs "检查"
    sharing nothing but noise, or "as soon as possible" vs "within 20 minutes" sharing only the
    spaces, read better as one replacement than as word-by-word alternation)."""
    merged: list[list] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        small_gap = (
            tag == "equal"
            and 0 < index < len(opcodes) - 1
            and i2 - i1 == 1
            and (len(a[i1][0]) == 1 or a[i1][0].isspace())
        )
        if (small_gap or tag != "equal") and merged and merged[-1][0] != "equal":
            merged[-1][2], merged[-1][4] = i2, j2
        elif small_gap:
            merged.append(["replace", i1, i2, j1, j2])
        else:
            merged.append([tag, i1, i2, j1, j2])
    return [tuple(op) for op in merged]


def body_diff(old: str, new: str, context: int = 1) -> Markup | None:
    """The changed lines of two bodies with ``context`` lines around them; None when equal.

    Lines are matched as written; each is shown as text (:func:`styled`), a changed one word by
    word. Raises :class:`TooLong` when the lines that differ are too many to compare."""
    a, b = old.strip("\n").splitlines(), new.strip("\n").splitlines()
    if a == b:
        return None
    start, end = _common_ends(a, b)
    if (len(a) - start - end) * (len(b) - start - end) > MAX_LINE_PAIRS:
        raise TooLong(len(a), len(b))
    # The lines between the common start and end are matched, with their context lines: 10,000
    # equal lines around one change cost nothing (matched whole, repeated lines cost the square).
    low, keep = max(0, start - context), min(end, context)
    matcher = cydifflib.SequenceMatcher(
        None, a[low : len(a) - end + keep], b[low : len(b) - end + keep], autojunk=False
    )
    shown_a, shown_b = _StyledLines(a), _StyledLines(b)  # only the lines shown are styled
    budget = _Budget()
    hunks = []
    for group in matcher.get_grouped_opcodes(context):
        lines = []
        for tag, i1, i2, j1, j2 in group:
            i1, i2, j1, j2 = i1 + low, i2 + low, j1 + low, j2 + low  # in the whole texts again
            if tag == "equal":
                lines += [_line("same", shown_a[i]) for i in range(i1, i2)]
            elif tag == "delete":
                lines += [_line("del", shown_a[i]) for i in range(i1, i2)]
            elif tag == "insert":
                lines += [_line("ins", shown_b[j]) for j in range(j1, j2)]
            else:
                lines += _replaced(a[i1:i2], b[j1:j2], shown_a[i1:i2], shown_b[j1:j2], budget)
        hunks.append(Markup('<div class="sop-diff__hunk">{}</div>').format(_EMPTY.join(lines)))
    gap = Markup('<div class="sop-diff__gap">…</div>')
    return Markup('<div class="sop-diff__body">{}</div>').format(gap.join(hunks))


def _code_flags(lines: list[str]) -> list[bool]:
    """For every line, whether it is inside a fenced code block (its opening fence is not)."""
    out, fence = [], None
    for line in lines:
        opens = _FENCE.match(line)
        out.append(fence is not None)
        if opens and fence is None:
            fence = opens.group(1)
        elif opens and line.strip().startswith(fence):
            fence = None
    return out


class _StyledLines:
    """:func:`styled` of each line, knowing which lines are inside a fenced code block; a line is
    styled when it is first shown (a diff shows a few lines of a long body: the cost was styling
    them all)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines, self.code = lines, _code_flags(lines)
        self.done: dict[int, tuple[str, list[Token]]] = {}

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self.lines)))]
        found = self.done.get(index)
        if found is None:
            found = self.done[index] = styled(self.lines[index], code=self.code[index])
        return found


_LINE = Markup('<div class="sop-diff__line sop-diff__line--{}{}">{}</div>')


def _line(
    change: str,
    shown: tuple[str, list[Token]],
    other: tuple[str, list[Token]] | None = None,
    budget: _Budget | None = None,
) -> Markup:
    """One line of the body diff: ``change`` same/del/ins (``shown``) or changed (``shown`` ->
    ``other``, word by word within ``budget``); a heading line is marked as one; a blank line
    shows as a non-breaking space."""
    kind, words = other or shown
    if other is not None:
        html = token_diff(shown[1], words, budget)
    else:
        html = render_tokens(words)
        html = {"del": _DEL, "ins": _INS}[change].format(html) if change in ("del", "ins") and html else html
    extra = f" sop-diff__line--{kind}" if kind else ""
    return _LINE.format(change, extra, html or Markup("&nbsp;"))


def _replaced(old: list[str], new: list[str], shown_old: list, shown_new: list, budget: _Budget) -> list[Markup]:
    """Pair replaced lines with the most similar new line; a pair shows a word-level diff."""
    if len(old) == len(new):  # the usual edit: the same lines, reworded
        return [_line("changed", one, other, budget) for one, other in zip(shown_old, shown_new)]
    out, j = [], 0
    for i, line in enumerate(old):
        best, score = None, 0.5
        for k in range(j, min(len(new), j + 8)):
            ratio = cydifflib.SequenceMatcher(None, line, new[k], autojunk=False).quick_ratio()
            if ratio > score:
                best, score = k, ratio
        if best is None:
            out.append(_line("del", shown_old[i]))
            continue
        out += [_line("ins", extra) for extra in shown_new[j:best]]
        out.append(_line("changed", shown_old[i], shown_new[best], budget))
        j = best + 1
    out += [_line("ins", extra) for extra in shown_new[j:]]
    return out


def field_changes(old: Sop, new: Sop) -> list[tuple[str, object, object]]:
    """``[(field label, before, after)]`` for the front-matter fields that changed (see FIELDS).

    A keyed list (control points by id, roles by role id, ...) is compared item by item and
    sub-field by sub-field: ``("control_points[CCP-1].limit", "≥ 72 °C", "≥ 75 °C")``.
    """
    before, after = _plain(old), _plain(new)
    changes = []
    for name in FIELDS:
        one, other = before.get(name), after.get(name)
        if one == other:
            continue
        key = KEYED.get(name)
        if key and isinstance(one or [], list) and isinstance(other or [], list):
            changes += _keyed(name, key, one or [], other or [])
        else:
            changes.append((name, one, other))
    return changes


def _plain(sop: Sop) -> dict:
    data = sop.meta.model_dump(mode="json", exclude_none=True)
    return {name: data.get(name) or None for name in FIELDS}


def _keyed(name: str, key: str, old: list[dict], new: list[dict]) -> list[tuple]:
    by_key_old = {str(item.get(key)): item for item in old}
    by_key_new = {str(item.get(key)): item for item in new}
    changes = []
    for item_key in list(by_key_old) + [k for k in by_key_new if k not in by_key_old]:
        one, other = by_key_old.get(item_key), by_key_new.get(item_key)
        label = f"{name}[{item_key}]"
        if one is None or other is None:
            changes.append((label, one, other))
            continue
        for sub in list(one) + [s for s in other if s not in one]:
            if one.get(sub) != other.get(sub):
                changes.append((f"{label}.{sub}", one.get(sub), other.get(sub)))
    return changes


def value_text(value, name=None) -> str:
    """A front-matter value as one line of text; ``name(key)`` names the keys of a mapping."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return "; ".join(
            f"{name(k) if name else k}: {value_text(v, name)}" for k, v in value.items() if v not in (None, [], {})
        )
    if isinstance(value, list):
        return ", ".join(value_text(v, name) for v in value)
    return str(value)


_ROW = Markup('<tr data-field="{}"><td>{}</td><td>{}</td></tr>')
_CP_ROW = Markup('<tr class="sop-diff__cp" data-field="{}"><td>{}</td><td>{}</td></tr>')
_LABEL = re.compile(r"(?P<name>[a-z_]+)(?:\[(?P<key>[^\]]*)\])?(?:\.(?P<field>[a-z_]+))?(?:\.(?P<sub>[a-z_]+))?$")
#: The UI strings that name the fields of an item of a keyed list (``cp.limit``, ``exc.action`` ...).
_ITEM_STRINGS = {"control_points": "cp.", "exceptions": "exc.", "records": "rec.", "roles": ""}


def _ui(t, key: str) -> str | None:
    """The UI string ``key``, or None when the catalogs have none (``t`` returns the key itself)."""
    text = t(key)
    return text if text != key else None


def key_namer(label: str, t):
    """``name(key)`` for the keys of a changed item: ``limit`` of a control point is "Limit"."""
    match = _LABEL.match(label)
    prefix = _ITEM_STRINGS.get(match["name"]) if match else None
    if prefix is None:
        return None
    return lambda key: _ui(t, f"{prefix}{key}") or _ui(t, key) or key


def field_label(label: str, t) -> Markup:
    """A changed field as readers name it, in the site's language: ``control_points[CCP-1].limit``
    is "Control point CCP-1 · Limit"; other fields get their UI name followed by the front-matter
    key, for the author ("Effective ``effective_date``"), or the key alone when there is no name;
    an item of another keyed list is named with its key ("Exceptions Power cut · Do")."""
    match = _LABEL.match(label)
    if match and match["name"] == "control_points" and match["key"] is not None:
        parts = [f"{t('cp.id')} {match['key']}"]
        if match["field"]:
            parts.append(t(f"cp.{match['field']}") + (f" ({match['sub']})" if match["sub"] else ""))
        return Markup("{}").format(" · ".join(parts))
    name = _ui(t, match["name"]) if match else None
    if name is None:
        return Markup("<code>{}</code>").format(label)
    if match["key"] is None:
        return Markup("{} <code>{}</code>").format(name, label)
    parts = [f"{name} {match['key']}"]  # an item of a keyed list: its key says which
    if match["field"]:
        namer = key_namer(label, t)
        parts.append(namer(match["field"]) if namer else match["field"])
    return Markup("{}").format(" · ".join(parts))


def diff_section(
    old: Sop,
    new: Sop,
    t,
    *,
    heading: str,
    anchor: str = "changes",
    new_link: Markup | None = None,
    compare: Callable[[str, str], Markup | None] | None = None,
) -> Markup:
    """The "what changed" section: a summary line, changed fields, then the changed text
    (``compare``: :func:`body_diff`, or one that remembers its results)."""
    parts = [Markup('<h2 id="{}">{}</h2>').format(anchor, heading)]
    if (old.version or "").split(".")[0] != (new.version or "").split(".")[0]:
        parts.append(
            Markup('<p class="sop-diff__major">{}</p>').format(t("diff.major", old=old.version, new=new.version))
        )
    if new_link is not None:
        parts.append(Markup("<p>{}</p>").format(new_link))
    fields = field_changes(old, new)
    if fields:
        rows = []
        for label, before, after in fields:
            name = key_namer(label, t)
            one, other = value_text(before, name), value_text(after, name)
            row = _CP_ROW if label.startswith("control_points") else _ROW
            if before is not None and after is not None and len(one) + len(other) < 2000:
                cell = inline_diff(one, other)
            else:
                cell = _EMPTY.join(wrap.format(text) for wrap, text in ((_DEL, one), (_INS, other)) if text)
            rows.append(row.format(label, field_label(label, t), cell))
        parts.append(
            Markup(
                '<h3 id="{}-fields">{}</h3><div class="md-typeset__table"><table class="sop-diff__fields">'
                "<thead><tr><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table></div>"
            ).format(anchor, t("diff.fields"), t("diff.field"), t("diff.change"), Markup("").join(rows))
        )
    parts.append(Markup('<h3 id="{}-text">{}</h3>').format(anchor, t("diff.text")))
    try:
        body = (compare or body_diff)(old.body, new.body)
    except TooLong as too_long:  # the version pages show both texts whole
        body = Markup('<p class="sop-diff__too-long">{}</p>').format(
            t("diff.too_long", old=f"{too_long.old_lines:,}", new=f"{too_long.new_lines:,}")
        )
    parts.append(body if body is not None else Markup("<p>{}</p>").format(t("diff.no_text_change")))
    return Markup('<section class="sop-diff" data-sop-diff="{}..{}" data-search-exclude>{}</section>').format(
        old.version, new.version, Markup("").join(parts)
    )
