"""Steps of an SOP body: the items of its top-level numbered lists (CONTRACT.md section 1).

A list numbers its items from its first number on, as Markdown renders them, so ``1. 1. 1.``
is steps 1, 2, 3. Nested (indented) lists are sub-steps and do not count. Code fences are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ITEM = re.compile(r"^(\d{1,4})[.)][ \t]+(.*)$")
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_SOP_LINK = re.compile(r"\[\[([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)\]\]")


@dataclass(frozen=True)
class Step:
    """A numbered step: its number, its 1-based line in the file and its first line of text."""

    number: int
    line: int
    text: str


def find_steps(body: str, first_line: int = 1) -> list[Step]:
    """The top-level numbered list items of ``body``; ``first_line`` is the body's file line."""
    steps: list[Step] = []
    fence: str | None = None
    next_number: int | None = None  # set while inside a list
    for index, line in enumerate(body.splitlines()):
        fence_match = _FENCE.match(line)
        if fence_match:
            marker = fence_match.group(1)
            if fence is None:
                fence, next_number = marker[0] * 3, None
            elif marker.startswith(fence):
                fence = None
            continue
        if fence:
            continue
        item = _ITEM.match(line)
        if item:
            number = int(item.group(1)) if next_number is None else next_number
            steps.append(Step(number, first_line + index, item.group(2).strip()))
            next_number = number + 1
        elif line.strip() and not line[0].isspace():
            next_number = None  # a paragraph at column 0 ends the list
    return steps


def find_sop_links(body: str, first_line: int = 1) -> list[tuple[str, int]]:
    """Every ``[[SOP-ID]]`` in ``body`` with its file line."""
    found = []
    for index, line in enumerate(body.splitlines()):
        for match in _SOP_LINK.finditer(line):
            found.append((match.group(1), first_line + index))
    return found
