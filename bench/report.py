"""Printing: one table per scenario and one line per target, with the target beside the figure."""

from __future__ import annotations

import operator
from dataclasses import asdict, dataclass

from measure import Build

KB, MB = 1024, 1024 * 1024
COLUMNS = [  # (heading, function of a Build -> text)
    ("variant", lambda b: b.variant),
    ("wall s", lambda b: f"{b.wall_s:.1f}"),
    ("cpu s", lambda b: f"{b.cpu_s:.1f}"),
    ("peak RSS MB", lambda b: f"{b.maxrss_mb:.0f}"),  # the largest process
    ("PSS MB", lambda b: f"{b.pss_peak_mb:.0f}"),  # all its processes
    ("median SOP KB", lambda b: f"{b.stats.median_sop_bytes / KB:.1f}"),
    ("max SOP KB", lambda b: f"{b.stats.max_sop_bytes / KB:.1f}"),
    ("site MB", lambda b: f"{b.stats.total_bytes / MB:.1f}"),
    ("search index MB", lambda b: f"{b.stats.search_index_bytes / MB:.2f}"),
    ("of it SOP pages MB", lambda b: f"{b.stats.search_index_sop_bytes / MB:.2f}"),
    ("html files", lambda b: str(b.stats.html_files)),
    ("warnings", lambda b: str(len(b.warnings))),
    ("load", lambda b: f"{b.load:.1f}"),
]
OPS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt}


@dataclass
class Check:
    """A figure against its target, e.g. ``build ratio plugin/plain: 1.12 (target <= 1.3)``."""

    label: str
    value: float
    op: str | None = None  # None: information only
    target: float | None = None
    unit: str = ""
    note: str = ""

    @property
    def met(self) -> bool | None:
        return None if self.op is None else OPS[self.op](self.value, self.target)

    def line(self) -> str:
        text = f"{self.label}: {self.value:.2f}{self.unit}"
        if self.op is not None:
            text += f" (target {self.op} {self.target:g}{self.unit})"
            text += "  ok" if self.met else "  MISSED"
        if self.note:
            text += f"  [{self.note}]"
        return text

    def as_dict(self) -> dict:
        return {**asdict(self), "met": self.met}


def table(builds: list[Build]) -> str:
    """A plain-text table, one row per build."""
    rows = [[heading for heading, _ in COLUMNS]] + [[cell(b) for _, cell in COLUMNS] for b in builds]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = []
    for k, row in enumerate(rows):
        lines.append(
            "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
        )
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def print_scenario(title: str, builds: list[Build], checks: list[Check], notes: list[str] = ()) -> None:
    """Print a scenario's table, its target lines and notes."""
    print(f"\n== {title} ==")
    print(table(builds))
    for build in builds:
        if build.warnings:
            print(f"  {build.variant}: {len(build.warnings)} warning(s), first: {build.warnings[0][:160]}")
    print()
    for check in checks:
        print(check.line())
    for note in notes:
        print(f"note: {note}")
