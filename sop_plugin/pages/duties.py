"""Who carries what: the rules shared by role pages, registers and the training matrix.

Pure functions over the catalog (no HTML, no MkDocs), so every generated page answers the same
question the same way:

- **current** (:func:`is_current`): in force today. Status ``effective`` with an effective date
  that has come (not *upcoming*), not a translation, and not replaced by another SOP that is itself
  in force. Registers list only current SOPs: an auditor's "every CCP and its limit" is about what
  the floor works to today.
- **active** (:func:`is_active`): current or upcoming. Role pages and the training matrix list
  active SOPs, because people must be trained before a new version takes effect.
- A role **carries** a control point when it monitors it (``monitoring.who``) or when one of its
  ``R`` or ``A`` entries in ``roles[]`` covers the control point's step (an entry without
  ``steps`` covers every step). Being consulted or informed about a step carries nothing.
- A role **must be trained** on an SOP when it is ``R`` or ``A`` on it, or the SOP is on its
  onboarding list in ``roles.yml``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sop_plugin.model import Catalog, Sop
from sop_plugin.model.schema import ControlPoint, RoleAssignment
from sop_plugin.model.steps import step_key

RACI_ORDER = ("R", "A", "C", "I")
#: RACI letters whose steps carry the control points on them: a role that is only consulted or
#: informed about a step does not carry its control point (unless it monitors it).
CARRYING = ("R", "A")
#: The group of a role page for an SOP where the role monitors a control point but has no RACI entry.
MONITORS = "M"
#: Marks of the training matrix, in display order: R, A, and O for "on the onboarding list".
TRAINING_MARKS = ("R", "A", "O")


def is_current(sop: Sop, catalog: Catalog, today: dt.date) -> bool:
    """In force today: effective (not upcoming) and not replaced by an SOP that is in force."""
    if sop.is_translation or sop.state(today) != "effective":
        return False
    for newer in catalog.superseded_by.get(sop.id, []):
        successor = catalog.get(newer)
        if successor is not None and successor.state(today) == "effective":
            return False
    return True


def is_active(sop: Sop, catalog: Catalog, today: dt.date) -> bool:
    """Current, or approved and waiting for its effective date (so people can train for it)."""
    return is_current(sop, catalog, today) or (not sop.is_translation and sop.state(today) == "upcoming")


def covers(assignment: RoleAssignment, step: int | str | None) -> bool:
    """Whether a RACI entry covers ``step`` (an entry without steps covers them all)."""
    return step is not None and (not assignment.steps or str(step) in map(str, assignment.steps))


def carriers(sop: Sop, point: ControlPoint) -> list[str]:
    """Role ids that carry ``point``: its monitor, then every R or A role whose steps include its step."""
    roles: list[str] = []
    if point.monitoring and point.monitoring.who:
        roles.append(point.monitoring.who)
    for assignment in sop.meta.roles:
        if assignment.raci in CARRYING and covers(assignment, point.step) and assignment.role not in roles:
            roles.append(assignment.role)
    return roles


@dataclass
class Duty:
    """What one role carries in one SOP."""

    sop: Sop
    groups: list[str] = field(default_factory=list)  # RACI letters (in RACI_ORDER), or [MONITORS]
    steps: list[int] | None = field(default_factory=list)  # None = every step
    control_points: list[ControlPoint] = field(default_factory=list)


def duty_of(sop: Sop, role_id: str) -> Duty | None:
    """The role's duty in ``sop``, or None when the SOP does not name the role."""
    assignments = [a for a in sop.meta.roles if a.role == role_id]
    points = [p for p in sop.meta.control_points if role_id in carriers(sop, p)]
    if not assignments and not points:
        return None
    letters = {a.raci for a in assignments}
    groups = [letter for letter in RACI_ORDER if letter in letters] or [MONITORS]
    if any(not a.steps for a in assignments):
        steps = None
    else:
        steps = sorted({number for a in assignments for number in a.steps}, key=step_key)
    return Duty(sop, groups, steps, points)


def duties_by_role(sops: list[Sop]) -> dict[str, list[Duty]]:
    """The duties in ``sops`` (see :func:`active_sops`), per role id, in the order of ``sops``."""
    result: dict[str, list[Duty]] = {}
    for sop in sops:
        named = [a.role for a in sop.meta.roles]
        named += [p.monitoring.who for p in sop.meta.control_points if p.monitoring]
        for role_id in dict.fromkeys(named):
            duty = duty_of(sop, role_id)
            if duty is not None:
                result.setdefault(role_id, []).append(duty)
    return result


def training_marks(sop: Sop, role_id: str, onboarding: set[str]) -> str:
    """The training-matrix cell for a role and an SOP: ``R``, ``A``, ``O`` joined by ``+``; or ``""``."""
    letters = {a.raci for a in sop.meta.roles if a.role == role_id}
    if sop.id in onboarding:
        letters.add("O")
    return "+".join(mark for mark in TRAINING_MARKS if mark in letters)


def shown(site, sop: Sop) -> Sop:
    """The version of ``sop`` its page shows: the one in force while a newer one is upcoming
    (when git history is available, see ``sop_plugin/revisions/versions.py``), else ``sop`` itself."""
    versions = getattr(site, "versions", None)
    return versions.shown(sop) if versions is not None else sop


def role_order(site) -> list[str]:
    """Role ids by department id, then role id: deterministic and locale-independent (a Chinese
    role name never decides an order, so every machine builds the same page)."""
    return sorted(site.catalog.roles, key=lambda rid: (site.catalog.roles[rid].department or "", rid))


def per_build(site, key, make):
    """``make()`` once per build: kept in ``site.cache`` (a new :class:`SiteContext` per build),
    so the role pages, registers and cards that each ask the same question share one answer."""
    cache = getattr(site, "cache", None)
    if cache is None:
        return make()
    if key not in cache:
        cache[key] = make()
    return cache[key]


def page_versions(site) -> list[Sop]:
    """For every SOP with a page in this build, sorted by id: the version its page shows."""
    return list(per_build(site, "page_versions", lambda: _page_versions(site)))


def _page_versions(site) -> tuple[Sop, ...]:
    return tuple(
        shown(site, sop)
        for sop in sorted(site.catalog.by_id.values(), key=lambda s: s.id)
        if site.url_of_path(sop.path) is not None
    )


def current_sops(site) -> list[Sop]:
    """The SOP versions in force today, sorted by id (what the registers list)."""
    make = lambda: tuple(sop for sop in page_versions(site) if is_current(sop, site.catalog, site.today))  # noqa: E731
    return list(per_build(site, "current_sops", make))


def active_sops(site) -> list[Sop]:
    """The SOP versions in force or upcoming, sorted by id (role pages, training matrix, sites)."""
    make = lambda: tuple(sop for sop in page_versions(site) if is_active(sop, site.catalog, site.today))  # noqa: E731
    return list(per_build(site, "active_sops", make))
