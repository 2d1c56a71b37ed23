"""Offline checks of content (adapter/offline_content.py) and the one ``offline`` option (issue 12.4).

An SOP with an external image fails ``--strict`` naming its file; every kind of resource is found;
links to outside are allowed and listed once at INFO; ``offline: off`` lets a site hosted on the
internet build ``--strict``, ``offline: strict`` fails even a plain build; and ``sop check``
reports exactly what ``mkdocs build --strict`` reports, for the same inputs and options.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import time

import pytest
from conftest import run_build, sop_text, write_project

from sop_plugin.adapter.offline_content import ContentCheck, leaves_site, scan
from sop_plugin.cli.sop import main as sop_main

BODY = """## Procedure

1. Look at the gauge ![gauge](https://cdn.example.com/gauge.png).
2. Read [the supplier's manual](https://supplier.example.com/manual) and [local](other.md).

<iframe src="//video.example.com/embed/1"></iframe>
<video poster="http://img.example.com/p.jpg"><source src="https://media.example.com/v.mp4"></video>
<img srcset="local.png 1x, https://cdn.example.com/x2.png 2x" src="local.png">
<div style="background:url('https://cdn.example.com/bg.png')"></div>
<audio src="data:audio/wav;base64,AAAA"></audio>
"""


def project(tmp_path, body=BODY, sop=None, **config):
    files = {"docs/qc/a.md": sop_text(body=body), "docs/qc/other.md": "# Other\n", "docs/qc/local.png": "png"}
    write_project(tmp_path, files, plugins=["search", {"sop": sop or {}}], **config)


def test_scan_finds_every_kind_of_resource_and_keeps_links_apart():
    found = scan(
        '<p><img src="https://a/x.png"><a href="https://b/">b</a><link rel="stylesheet" href="//c/s.css">'
        '<link rel="canonical" href="https://d/"><script src="http://e/j.js">var x = "<img src=http://no/>";</script>'
        '<source srcset="f.png, https://g/y.png 2x"><object data="ftp://h/o"></object><svg><image href="https://i/z.svg"/></svg>'
        "<style>@import 'https://j/k.css'; p{background:url(https://k/bg.png)}</style><!-- <img src=https://l/> -->"
        '<img src="data:image/png;base64,xx"><img src="img/local.png"><input type=image src="file:///C:/x.png"></p>'
    )
    resources = sorted(f.url for f in found if not f.link)
    links = sorted(f.url for f in found if f.link)
    assert resources == [
        "//c/s.css",
        "file:///C:/x.png",
        "ftp://h/o",
        "http://e/j.js",
        "https://a/x.png",
        "https://g/y.png",
        "https://i/z.svg",
        "https://j/k.css",
        "https://k/bg.png",
    ]
    assert links == ["https://b/", "https://d/"]
    assert not leaves_site("mailto:qa@example.com") and not leaves_site("../img/a.png") and leaves_site(" //x/")


def test_external_image_fails_strict_naming_the_file(tmp_path):
    project(tmp_path)
    result = run_build(tmp_path, "--strict")
    assert result.returncode != 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    named = [line for line in warnings if "qc/a.md: " in line]
    for url in (
        "https://cdn.example.com/gauge.png",
        "//video.example.com/embed/1",
        "http://img.example.com/p.jpg",
        "https://media.example.com/v.mp4",
        "https://cdn.example.com/x2.png",
        "https://cdn.example.com/bg.png",
    ):
        assert any(url in line for line in named), url
    assert len(named) == 6  # the data: audio and the local image are fine
    info = [line for line in result.stderr.splitlines() if "link(s) to outside the site" in line]
    assert len(info) == 1 and info[0].startswith("INFO") and "https://supplier.example.com/manual (qc/a.md)" in info[0]


def test_offline_off_builds_strict_and_lists_once(tmp_path):
    project(tmp_path, sop={"offline": "off"}, theme={"name": "material"}, repo_url="https://github.com/x/y")
    result = run_build(tmp_path, "--strict")
    assert result.returncode == 0, result.stderr
    assert not re.search(r"^WARNING", result.stderr, re.M)
    assert re.search(r"INFO .*offline: off: 6 external resource\(s\) in pages allowed", result.stderr)
    assert re.search(r"INFO .*offline: off: 2 external request\(s\) of the configuration allowed", result.stderr)


def test_offline_strict_fails_a_plain_build_with_every_finding(tmp_path):
    project(tmp_path, sop={"offline": "strict"}, theme={"name": "material"})
    result = run_build(tmp_path)
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert sum("theme.font" in line for line in errors) == 1
    assert sum("qc/a.md: " in line for line in errors) == 6
    assert "offline: strict: 7 external request(s)" in result.stderr  # theme.font and 6 in the page
    # Material's Google Fonts links in every page are reported once, by the configuration check.
    assert not any("theme templates" in line for line in errors)


def findings(text: str) -> set[str]:
    """Messages of WARNING/ERROR lines of a build log, without level and plugin prefix."""
    out = set()
    for line in text.splitlines():
        match = re.match(r"^(WARNING|ERROR)\s+-\s+(?:sop_plugin: )?(.*)$", line)
        if match and not match.group(2).startswith("Aborted with"):
            out.add(match.group(2))
    return out


@pytest.mark.parametrize("offline", ["warn", "off"])
def test_sop_check_reports_exactly_what_build_strict_reports(tmp_path, offline):
    body = BODY + "\nSee [missing](nowhere.md).\n"
    project(tmp_path, body=body, sop={"offline": offline}, theme={"name": "material"})
    build = run_build(tmp_path, "--strict")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = sop_main(["check", "--strict", "--format", "json", str(tmp_path)])
    reported = {str_problem(p, tmp_path / "docs") for p in json.loads(out.getvalue())}
    assert reported == findings(build.stderr)
    assert (code != 0) == (build.returncode != 0)
    if offline == "warn":
        assert any("gauge.png" in m for m in reported) and any("theme.font" in m for m in reported)
    assert any("nowhere.md" in m for m in reported)  # MkDocs' own link check runs too


def str_problem(item: dict, docs) -> str:
    """A problem of ``sop check --format json`` as the build logs it (files relative to docs/)."""
    file = os.path.relpath(os.path.abspath(item["file"]), docs) if item["file"] else ""
    where = f"{file}:{item['line']}" if item["line"] else file
    message = f"{item['field']}: {item['message']}" if item["field"] else item["message"]
    return f"{where}: {message}" if file else message


def test_theme_template_resources_are_named_once_per_url(tmp_path):
    project(tmp_path, body="## Procedure\n\n1. Check.\n")
    (tmp_path / "overrides").mkdir()
    (tmp_path / "overrides/main.html").write_text(
        '{% extends "base.html" %}{% block extrahead %}<script src="https://cdn.example.com/x.js"></script>{% endblock %}'
    )
    text = (tmp_path / "mkdocs.yml").read_text().replace("name: material", "name: material\n  custom_dir: overrides")
    (tmp_path / "mkdocs.yml").write_text(text)
    result = run_build(tmp_path, "--strict")
    lines = [line for line in result.stderr.splitlines() if "cdn.example.com/x.js" in line]
    assert len(lines) == 1 and lines[0].startswith("WARNING") and "theme templates" in lines[0]
    assert result.returncode != 0


def test_scan_cost_per_page_is_small(tmp_path):
    """Not a timing assertion: prints the figure for the report (see bench/ for targets)."""
    page = "<p>" + '<img src="a.png"><a href="b.html">x</a> text ' * 2000 + "</p>"
    check = ContentCheck()
    started = time.perf_counter()
    for _ in range(20):
        check.page("qc/a.md", page, page[:1000])
    per_page = (time.perf_counter() - started) / 20
    print(f"content check: {per_page * 1000:.1f} ms for a {len(page) // 1024} kB page")
    assert check.resources == []
