"""What counts, counted once: onboarding items, "read and understood", control points per role, owners.

Role pages, the roles overview, "my training" and the registers call these functions, so the
numbers they show agree by construction (a test compares them across the built pages):

- **Onboarding items** (:func:`onboarding_items`): every SOP of a role's ``onboarding`` list that
  has a page in this build, once, in list order, as the version its page shows. Those in force or
  upcoming count (a draft or withdrawn one is listed with its state, not counted). Each is done in
  one of two ways: its quiz (the SOP's ``training.quiz``, valid, with its own page), or, for an SOP
  without one, a "read and understood" acknowledgement that ``quiz.js`` records like a quiz
  result (key ``ack:<SOP-ID>``, bound to the SOP's MAJOR version, in the CSV, JSON and xAPI
  records, self-reported like the rest). The list's progress (``[data-training-progress]``)
  counts every item: ``done / len(onboarding_items)``.
- **Control points of a role** (:func:`control_points_by_role`): the control points of the SOPs in
  force today (what the control-point register lists) that the role carries
  (:func:`~sop_plugin.pages.duties.carriers`). The role page's "N control points in the register"
  link opens the register filtered to the role, which shows the same N rows.
- **People** (:func:`people`): owners are one person per ``handle`` (or per name when there is no
  handle), with every name they appear under (``陈静 · Chen Jing``) and every role they own in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from sop_plugin.model import Sop
from sop_plugin.model.schema import Owner
from sop_plugin.pages.context import SiteContext
from sop_plugin.pages.duties import carriers, current_sops, is_active, per_build, shown
from sop_plugin.pages.html import render

#: The key under which quiz.js records an acknowledgement of an SOP without a quiz.
ACK_PREFIX = "ack:"


def ack_key(sop_id: str) -> str:
    """``ack:<SOP-ID>``: the quiz key of a "read and understood" acknowledgement."""
    return ACK_PREFIX + sop_id


def quiz_of(site: SiteContext, sop: Sop):
    """The valid quiz that trains ``sop`` (its ``training.quiz``), or None."""
    training = sop.meta.training
    quiz = site.catalog.quizzes.get(training.quiz) if training else None
    if quiz is None or not quiz.valid or quiz.sop_id != sop.id or not quiz.questions:
        return None
    return quiz


def has_page(site: SiteContext, quiz) -> bool:
    """Whether ``quiz`` gets ``training/<quiz-id>``: valid, its SOP built and active."""
    sop = site.catalog.get(quiz.sop_id)
    return (
        sop is not None
        and quiz.valid
        and bool(quiz.questions)
        and site.url_of_path(sop.path) is not None
        and is_active(sop, site.catalog, site.today)
    )


@dataclass
class OnboardingItem:
    """One SOP of a role's onboarding list, and how it is done."""

    sop_id: str
    sop: Sop | None  # the version its page shows; None: unknown id or not in this copy
    quiz: object | None = None  # the quiz that trains it (with its own page), else None
    missing: str | None = None  # "unknown_sop" | "not_in_copy" when ``sop`` is None

    active: bool = True  # in force or upcoming: a draft or withdrawn SOP is listed, not counted

    @property
    def key(self) -> str | None:
        """The ``data-training-quiz`` of the item: the quiz id, or ``ack:<SOP-ID>``; None when it
        does not count (missing, draft, in review, superseded or obsolete)."""
        if self.sop is None or not self.active:
            return None
        return self.quiz.id if self.quiz is not None else ack_key(self.sop.id)

    @property
    def ack(self) -> bool:
        return self.key is not None and self.quiz is None


def onboarding_items(site: SiteContext, role) -> list[OnboardingItem]:
    """The role's onboarding list as items (each SOP id once, list order); see the module docstring."""
    items = []
    for sop_id in dict.fromkeys(role.onboarding):
        sop = site.catalog.get(sop_id)
        if sop is None or site.url_of_path(sop.path) is None:
            items.append(OnboardingItem(sop_id, None, missing="unknown_sop" if sop is None else "not_in_copy"))
            continue
        quiz = quiz_of(site, sop)
        quiz = quiz if quiz is not None and has_page(site, quiz) else None
        items.append(OnboardingItem(sop_id, shown(site, sop), quiz, active=is_active(sop, site.catalog, site.today)))
    return items


def onboarding_total(site: SiteContext, role) -> int:
    """How many items the role's progress counts: every active onboarding SOP with a page here."""
    return sum(1 for item in onboarding_items(site, role) if item.key is not None)


def item_attrs(item: OnboardingItem) -> Markup:
    """The ``data-*`` attributes of an onboarding ``<li>`` that ``quiz.js`` reads."""
    if item.key is None:
        return Markup(' data-sop-id="{}"').format(item.sop_id)
    return Markup(' data-training-quiz="{}"{} data-sop-id="{}" data-sop-major="{}" data-sop-version="{}"').format(
        item.key, Markup(" data-training-ack") if item.ack else "", item.sop.id, item.sop.major, item.sop.version
    )


def on_onboarding(site: SiteContext, sop_id: str) -> bool:
    """Whether some role has ``sop_id`` on its onboarding list."""
    return any(sop_id in role.onboarding for role in site.catalog.roles.values())


def ack_section(site: SiteContext, sop: Sop) -> str:
    """The "Training" section of an SOP page without a quiz that a role must complete: a "read
    and understood" button (``quiz.js``, template ``pages/training-ack.html``), bound to the MAJOR
    version. "" otherwise."""
    if sop.is_translation or not on_onboarding(site, sop.id) or not is_active(sop, site.catalog, site.today):
        return ""
    page_sop = shown(site, sop)
    return str(
        render(
            site,
            "pages/training-ack.html",
            sop=page_sop,
            key=ack_key(page_sop.id),
            ask_employee=getattr(site, "ask_employee", False),
        )
    )


def control_points_by_role(site: SiteContext) -> dict[str, int]:
    """Role id -> the number of control-point register rows it carries (SOPs in force today)."""
    return dict(per_build(site, "control_points_by_role", lambda: _control_points_by_role(site)))


def _control_points_by_role(site: SiteContext) -> dict[str, int]:
    counts: dict[str, int] = {}
    for sop in current_sops(site):
        if site.url_of(sop.id) is None:
            continue
        for point in sop.meta.control_points:
            for role_id in carriers(sop, point):
                counts[role_id] = counts.get(role_id, 0) + 1
    return counts


# --- owners: one person per handle ---------------------------------------------------------------


def person_key(owner: Owner) -> str:
    """One person per handle (case-insensitive, without ``@``), else per name, else (an SOP owned
    by a role alone) per role."""
    handle = (owner.handle or "").strip().lstrip("@").lower()
    if handle:
        return "@" + handle
    return owner.name.strip() if owner.name and owner.name.strip() else "role:" + owner.role


@dataclass
class Person:
    """An owner as one person: every name and role they appear under, and their SOPs."""

    key: str
    handle: str
    names: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    sops: list[Sop] = field(default_factory=list)

    def label(self, lang: str) -> str:
        """``陈静 · Chen Jing``: the names, those in the site's script first (Chinese for zh)."""
        chinese = lang.lower().startswith("zh")
        ordered = sorted(self.names, key=lambda name: (_is_cjk(name) != chinese, name))
        return " · ".join(ordered) or ", ".join(self.roles)  # a role alone owns it


def _is_cjk(text: str) -> bool:
    return any("\u3400" <= char <= "\u9fff" for char in text)


def people(sops: list[Sop]) -> dict[str, Person]:
    """The owners of ``sops`` as people (see :func:`person_key`), in the order of ``sops``."""
    found: dict[str, Person] = {}
    for sop in sops:
        owner = sop.meta.owner
        key = person_key(owner)
        person = found.setdefault(key, Person(key, owner.handle or ""))
        if owner.name and owner.name not in person.names:
            person.names.append(owner.name)
        if owner.role not in person.roles:
            person.roles.append(owner.role)
        person.sops.append(sop)
    return found


def owner_label(owners: dict[str, Person], owner: Owner, lang: str) -> str:
    """The label of ``owner`` as the person of ``owners`` (every name), or its own name."""
    person = owners.get(person_key(owner))
    return person.label(lang) if person is not None else (owner.name or owner.role)
