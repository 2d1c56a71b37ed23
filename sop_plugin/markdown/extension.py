"""Python-Markdown extension for SOP bodies: numbered steps, control-point marks, ``[[SOP-ID]]``.

The extension is one instance shared by every page; the adapter points it at the page being
rendered (:meth:`SopMarkdown.begin_page`) before MkDocs converts that page's Markdown (MkDocs
makes a Markdown instance per page, so :meth:`SopMarkdown.extendMarkdown` runs per page too).

Steps are the ones validation saw: :func:`sop_plugin.model.steps.tree_steps` on the tree being
rendered, with the SOP's ``steps_from`` and the site's default. On SOP pages only, lists start and
nest as in CommonMark (:class:`~sop_plugin.model.steps.SopLists`), as validation reads them;
other pages render as the site always did.
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as etree
from collections.abc import Callable

from markdown import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from sop_plugin.model import Catalog, Sop
from sop_plugin.model.steps import SOP_LINK_PATTERN, SopLists, TreeStep, same_step, tree_steps

Strings = Callable[[str], str]


class SopMarkdown(Extension):
    """Adds step anchors, control-point badges and ``[[SOP-ID]]`` links to SOP pages."""

    def __init__(self, catalog: Catalog, strings: Strings):
        super().__init__()
        self.catalog = catalog
        self.t = strings
        self.page_path: str | None = None  # docs-relative path of the page being rendered
        self.sop: Sop | None = None
        self.link_target: Callable[[Sop], str | None] = lambda sop: sop.path
        self.steps_from = "auto"  # the site's default source of steps (plugin option ``steps_from``)
        self.read_steps = False
        self.steps: list | None = None  # the steps of the page converted last, when asked (begin_page)
        #: How ``[[SOP-ID]]`` is looked up (:meth:`ref`, or a caller's recorder of what was found).
        self.lookup_ref: Callable[[str], list] = self.ref

    def ref(self, sop_id: str) -> list:
        """What ``[[sop_id]]`` shows: ``[title, docs path, left out of this copy]``; title and path
        None when no page of it is in the site."""
        target = self.catalog.get(sop_id)
        target_path = self.link_target(target) if target else None
        if target is None or target_path is None:
            return [None, None, target is not None or self.catalog.is_left_out(sop_id)]
        return [target.title, target_path, False]

    def begin_page(self, page_path: str, sop: Sop | None, *, read_steps: bool = False) -> None:
        """Point the extension at the page about to be converted.

        ``read_steps``: keep the steps of the body in :attr:`steps` as validation reads them (the
        tree after the block parser, before any tree processor), so that a version parsed without
        its steps gets them from its one conversion (archived versions: ``pages/archive.py``)."""
        self.page_path, self.sop = page_path, sop
        self.read_steps, self.steps = read_steps, None

    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown's name)
        # 175: after links (160) so [[...]] is not taken for a reference link, before emphasis.
        md.inlinePatterns.register(SopLinkPattern(SOP_LINK_PATTERN, self), "sop_link", 175)
        if self.sop is not None:  # lists as CommonMark shows them, as validation reads them; SOP pages only
            SopLists().extendMarkdown(md)
        # 5: after inline processing (20), before MkDocs rewrites relative .md links (0).
        md.treeprocessors.register(StepTreeprocessor(md, self), "sop_steps", 5)
        if self.read_steps and self.sop is not None:
            # 200: first of the tree processors (footnotes 50, tasklist 25, inline 20): the tree
            # the block parser made, which validation reads steps from (model/steps.py StepReader).
            md.treeprocessors.register(StepReadTreeprocessor(md, self), "sop_read_steps", 200)


class SopLinkPattern(InlineProcessor):
    """``[[SOP-QA-020]]`` -> a link to that SOP showing its id and title."""

    def __init__(self, pattern: str, ext: SopMarkdown):
        super().__init__(pattern)
        self.ext = ext

    def handleMatch(self, m, data):  # noqa: N802
        sop_id = m.group(1)
        title, target_path, left_out = self.ext.lookup_ref(sop_id)
        if target_path is None:
            el = etree.Element("span", {"class": "sop-ref sop-ref--missing", "data-sop-ref": sop_id})
            reason = self.ext.t("not_in_copy" if left_out else "unknown_sop")
            el.text = AtomicString(self.ext.t("ref_missing", id=sop_id, reason=reason))
            return el, m.start(0), m.end(0)
        here = posixpath.dirname(self.ext.page_path or "")
        href = posixpath.relpath(target_path, here or ".")
        el = etree.Element("a", {"href": href, "class": "sop-ref", "data-sop-ref": sop_id})
        code = etree.SubElement(el, "span", {"class": "sop-ref__id"})
        # AtomicString: a title is text, never Markdown or raw HTML (it may contain "<script>").
        code.text = AtomicString(sop_id)
        code.tail = AtomicString(f" {title}")
        return el, m.start(0), m.end(0)


class StepReadTreeprocessor(Treeprocessor):
    """Keeps the steps of the page's tree in the extension's ``steps`` (changes nothing)."""

    def __init__(self, md, ext: SopMarkdown):
        super().__init__(md)
        self.ext = ext

    def run(self, root):
        source = self.ext.sop.meta.steps_from or self.ext.steps_from
        self.ext.steps = [found.step for found in tree_steps(root, source)]


class StepTreeprocessor(Treeprocessor):
    """Anchors each step (``id="step-N"`` unique on the page, ``data-step``) and marks its control points."""

    def __init__(self, md, ext: SopMarkdown):
        super().__init__(md)
        self.ext = ext

    def run(self, root):
        sop = self.ext.sop
        if sop is None:
            return
        source = sop.meta.steps_from or self.ext.steps_from
        marked: set[str] = set()
        for found in tree_steps(root, source):
            number = str(found.step.number)
            # A duplicate step number gets its own anchor; references (and so marks) mean the first.
            points = [] if number in marked else [p for p in sop.meta.control_points if same_step(p.step, number)]
            marked.add(number)
            self._mark(root, found, points)

    def _mark(self, root, found: TreeStep, points: list) -> None:
        element, step = found.element, found.step
        element.set("data-step", str(step.number))
        if step.kind == "list":
            element.set("id", step.anchor)
        else:  # a heading keeps the id the site gives it (deep links); the step anchor goes inside
            anchor = etree.Element("span", {"id": step.anchor, "class": "sop-step-anchor"})
            anchor.tail, element.text = element.text, None
            element.insert(0, anchor)
        if not points:
            return
        element.set("class", (element.get("class", "") + " sop-step--control").strip())
        bar = etree.Element("span", {"class": "sop-cp-marks"})
        for point in points:
            badge = etree.SubElement(
                bar,
                "a",
                {
                    "href": f"#cp-{point.id}",
                    "class": f"sop-cp-badge sop-cp-badge--{point.kind.lower()}",
                    "data-cp-ref": point.id,
                    "title": f"{point.parameter}: {point.limit}",
                },
            )
            badge.text = (
                AtomicString(point.id) if point.id.upper().startswith(point.kind) else f"{point.kind} {point.id}"
            )
            badge.tail = " "
        if step.kind == "heading":  # after the heading, not in it: its text makes its id and TOC entry
            holder = etree.Element("p", {"class": "sop-cp-marks-line"})
            holder.append(bar)
            root.insert(list(root).index(element) + 1, holder)
            return
        # A badge opens the step, whether the item holds bare text or paragraphs.
        target = element.find("p") if len(element) and element[0].tag == "p" else element
        bar.tail = target.text
        target.text = None
        target.insert(0, bar)
