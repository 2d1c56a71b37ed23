"""The test session's shared compiled Jinja code (conftest.py ``SharedTemplateCode``): reused where
the compiled code would be the same, never where the environment or the source makes it differ."""

from __future__ import annotations

import jinja2
from conftest import TEMPLATE_CODE


def shout(value: str) -> str:
    return value.upper()


def environment(folder, autoescape: bool = True, **filters) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), autoescape=autoescape)
    env.filters.update(filters)
    return env


def test_the_same_template_in_the_same_kind_of_environment_is_compiled_once(tmp_path):
    (tmp_path / "page.html").write_text("{{ '<b>' }}{{ 'x' | shout }}{{ name }}", encoding="utf-8")
    first = environment(tmp_path, shout=shout).get_template("page.html").render(name="<i>")
    compiled = len(TEMPLATE_CODE.code)
    again = environment(tmp_path, shout=shout).get_template("page.html").render(name="<u>")
    assert len(TEMPLATE_CODE.code) == compiled  # taken from the shared code, not compiled anew
    assert (first, again) == ("&lt;b&gt;X&lt;i&gt;", "&lt;b&gt;X&lt;u&gt;")


def test_autoescape_filters_and_edited_sources_each_get_their_own_code(tmp_path):
    (tmp_path / "page.html").write_text("{{ '<b>' }}{{ 'x' | mark }}", encoding="utf-8")
    assert environment(tmp_path, mark=lambda v: v + "!").get_template("page.html").render() == "&lt;b&gt;x!"
    assert environment(tmp_path, False, mark=lambda v: v + "!").get_template("page.html").render() == "<b>x!"
    # Jinja folds a constant through a filter when compiling: another build's filter gets its own code.
    assert environment(tmp_path, mark=lambda v: v + "?").get_template("page.html").render() == "&lt;b&gt;x?"
    (tmp_path / "page.html").write_text("{{ 'y' | mark }}", encoding="utf-8")
    assert environment(tmp_path, mark=lambda v: v + "?").get_template("page.html").render() == "y?"
