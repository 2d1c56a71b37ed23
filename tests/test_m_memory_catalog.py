"""Memory at scale (issue 14.3): what the catalog lets go of keeps every message exact.

An SOP's front-matter line map is released as soon as the file is checked on its own
(``Located.release``); a message found later (across files, in the versions, for a record form)
recomputes it from the file. Short YAML strings are interned; large generated files wait on disk.
"""

from __future__ import annotations

import json

from conftest import build_site, run_build, sop_text, write_project

from sop_plugin.adapter import plugin as sop_plugin
from sop_plugin.model import load_catalog

EXTRA = """\
roles:
  - {role: qc-inspectr, raci: R, steps: [1]}
records:
  - {form: FORM-QC-001-1}
  - {form: FORM-X, template: forms/missing.xlsx}
references: [SOP-NOPE-404]
"""


def _line(text: str, needle: str) -> int:
    """The 1-based line of the first line of ``text`` containing ``needle``."""
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


def test_messages_found_after_the_line_map_is_released_keep_their_lines(tmp_path):
    text = sop_text(extra=EXTRA)
    write_project(tmp_path, {"docs/qc/a.md": text})
    result = run_build(tmp_path)
    lines = [line for line in result.stderr.splitlines() if "qc/a.md:" in line]
    # Across files (roles, references: checked after every file is parsed) and in the build
    # (the record form, checked by the adapter once the site is known): each on its own line.
    role, reference, template = (
        _line(text, "qc-inspectr"),
        _line(text, "SOP-NOPE-404"),
        _line(text, "forms/missing.xlsx"),
    )
    assert len({role, reference, template}) == 3
    assert any(f"qc/a.md:{role}" in line and "roles[0].role" in line for line in lines), lines
    assert any(f"qc/a.md:{reference}" in line and "references[0]" in line for line in lines), lines
    assert any(f"qc/a.md:{template}" in line and "records[1].template" in line for line in lines), lines


def test_a_line_asked_for_later_is_read_again_from_the_file_or_the_text(tmp_path):
    text = sop_text(extra=EXTRA)
    docs = tmp_path / "docs"
    write_project(tmp_path, {"docs/qc/a.md": text})
    for sources in (None, [("qc/a.md", text)], [("qc/a.md", lambda: text)]):  # read, given, a reader
        catalog = load_catalog(docs, sources)
        sop = catalog.by_path["qc/a.md"]
        assert sop.line("records", 1, "template") == _line(text, "forms/missing.xlsx")
        assert sop.line("records", 1) == _line(text, "FORM-X")
        assert sop.line("owner", "name") == _line(text, "owner:")
        assert sop.line("no_such_field") == 2  # no line of its own: the front-matter's, as before
        found = sop.problem(("records", 0, "form"), "a message found after the catalog loaded")
        assert found.line == _line(text, "FORM-QC-001-1")


def test_a_file_that_changed_since_it_was_parsed_gives_lines_not_a_traceback(tmp_path):
    write_project(tmp_path, {"docs/qc/a.md": sop_text()})  # no problem: its line map was not needed again
    catalog = load_catalog(tmp_path / "docs")
    (tmp_path / "docs/qc/a.md").write_text("---\nid: [unclosed\n---\n", encoding="utf-8")
    assert catalog.by_path["qc/a.md"].line("owner", "name") is None  # unreadable now: no line
    (tmp_path / "docs/qc/a.md").unlink()
    catalog = load_catalog(tmp_path / "docs", [("qc/b.md", lambda: (_ for _ in ()).throw(OSError("gone")))])
    assert catalog.problems  # the unreadable file is reported once, as before


def test_repeated_short_strings_are_one_object_in_memory(tmp_path):
    files = {f"docs/qc/{n}.md": sop_text(sop_id=f"SOP-QC-{n:03d}") for n in range(1, 4)}
    write_project(tmp_path, files)
    sops = load_catalog(tmp_path / "docs").sops
    assert len(sops) == 3
    first, *others = sops
    for other in others:
        assert other.meta.owner.name == "Wang Fang" and other.meta.owner.name is first.meta.owner.name
        assert other.meta.department is first.meta.department
        assert other.located.data["owner"]["role"] is first.located.data["owner"]["role"]


def test_large_generated_files_are_copied_from_disk_unchanged(tmp_path, monkeypatch):
    files = {f"docs/qc/{n}.md": sop_text(sop_id=f"SOP-QC-{n:03d}", title=f"检验 {n}") for n in range(1, 4)}
    held = build_site(tmp_path / "held", files, "--strict")
    monkeypatch.setattr(sop_plugin, "_SPOOL_FROM", 0)  # every generated file through the spool
    spooled = build_site(tmp_path / "spooled", files, "--strict")
    names = sorted(p.relative_to(held).as_posix() for p in held.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(spooled).as_posix() for p in spooled.rglob("*") if p.is_file())
    for name in names:
        if not name.endswith((".json", ".xml", ".html")):  # those carry the build time
            assert (spooled / name).read_bytes() == (held / name).read_bytes(), name
    catalogs = [json.loads((site / "sop-catalog.json").read_text(encoding="utf-8")) for site in (held, spooled)]
    for catalog in catalogs:
        catalog.pop("generated", None)
    assert catalogs[0] == catalogs[1] and len(catalogs[1]["sops"]) == 3


def test_a_refused_owner_handle_is_dropped_from_its_sop_only(tmp_path):
    # The parsed models of SOPs that gave the same fields share one set of "fields given": the
    # catalog copies a model it corrects rather than assigning to it, so no other SOP changes.
    good = sop_text(sop_id="SOP-QC-001").replace("role: qa-manager}", "role: qa-manager, handle: '@wangfang'}")
    bad = sop_text(sop_id="SOP-QC-002").replace("role: qa-manager}", "role: qa-manager, handle: '@wang fang'}")
    write_project(tmp_path, {"docs/qc/a.md": good, "docs/qc/b.md": bad})
    catalog = load_catalog(tmp_path / "docs")
    a, b = catalog.by_path["qc/a.md"], catalog.by_path["qc/b.md"]
    assert a.meta.owner.handle == "@wangfang" and b.meta.owner.handle is None
    assert [p.field for p in catalog.problems if p.file == "qc/b.md"] == ["owner.handle"]
    assert b.meta.owner.model_fields_set == a.meta.owner.model_fields_set == {"name", "role", "handle"}
    assert catalog.problems.for_file("qc/b.md")[0].line == _line(bad, "owner:")
