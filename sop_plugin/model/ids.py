"""Ids that become file names and links: checked once, when the catalog loads. No MkDocs imports.

Department, role, quiz, site, line and workstation ids name generated pages and anchors
(``departments/<id>/``, ``roles/<id>/``, ``training/<quiz-id>/``, ``sites/<id>/``); an owner
handle goes into CODEOWNERS; an SOP id into ``id/<SOP-ID>/``. An id someone else wrote must not
be able to leave its folder (``../../x``), replace an overview page (``index``), collide with
another on a case-insensitive disk (a Windows share, a Mac: ``QC`` and ``qc``) or pass for
another id (``SОP-QA-020`` with a Cyrillic О). Each rule is an error with file, line and field;
no id is ever rewritten silently.

:func:`id_problem` judges one id; :func:`lookalike` finds a character that only looks like a
Latin letter; :class:`CaseFold` finds ids that differ only in case; :func:`is_inside` is the
last check before a file is written.
"""

from __future__ import annotations

import os
import re
import unicodedata

#: A safe id: letters (any script) and digits, with ``.``, ``-`` and ``_`` inside; at most 100 long.
SAFE_ID = re.compile(r"[^\W_](?:[\w.\-]{0,98}[^\W_])?\Z")
#: A code-host handle (``@wangfang``, ``@plant/qa-team``): ASCII only, as code hosts require.
HANDLE = re.compile(
    r"@?[A-Za-z0-9](?:[A-Za-z0-9._-]{0,60}[A-Za-z0-9])?(?:/[A-Za-z0-9](?:[A-Za-z0-9._-]{0,60}[A-Za-z0-9])?)?\Z"
)
#: Names an id may not take: the overview page of every generated folder, the generated folders
#: themselves, and names Windows keeps for devices (a plant copy on a share must open).
RESERVED = frozenset(
    {"index", "departments", "roles", "sites", "owners", "registers", "changes", "training", "id", "assets"}
    | {"search", "con", "prn", "aux", "nul"}
    | {f"{name}{n}" for name in ("com", "lpt") for n in range(1, 10)}
)
#: Scripts whose letters are drawn like Latin ones: mixed into a Latin id they deceive the reader.
_LOOKALIKE_SCRIPTS = ("CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC", "LISU", "LATIN SMALL LETTER DOTLESS")


def describe_char(char: str) -> str:
    """``'О' (U+041E CYRILLIC CAPITAL LETTER O)``: a character as an author can find it."""
    return f"{char!r} (U+{ord(char):04X} {unicodedata.name(char, 'UNNAMED CHARACTER')})"


def lookalike(value: str, ascii_only: bool = False) -> str | None:
    """The first character of ``value`` that passes for a Latin letter or digit but is not one.

    A non-ASCII character counts when NFKC folds it to ASCII (fullwidth ``Ｑ``, ``ℹ``), when it is
    from a script drawn like Latin (Cyrillic, Greek, ...) in an id that also has Latin letters, or
    when it is invisible (a zero-width space). With ``ascii_only`` (SOP ids), any non-ASCII
    character counts.
    """
    if value.isascii():  # the common case: no character to look at
        return None
    has_latin = any("a" <= c.lower() <= "z" for c in value)
    for char in value:
        if char.isascii():
            continue
        if (
            ascii_only
            or unicodedata.category(char) in ("Cf", "Zs", "Cc")
            or (has_latin and unicodedata.category(char) == "Mn")
        ):
            return char
        if unicodedata.normalize("NFKC", char).isascii():
            return char
        name = unicodedata.name(char, "")
        if has_latin and name.startswith(_LOOKALIKE_SCRIPTS):
            return char
    return None


def id_problem(value: object, what: str = "id") -> str | None:
    """Why ``value`` cannot be an id that becomes a file name, or None when it can."""
    if not isinstance(value, str):
        return None  # a type error, reported by the schema
    if not value:
        return None
    char = lookalike(value)
    if char is not None:
        return (
            f"{value!r} contains {describe_char(char)}, which looks like a Latin letter but is not: type the id again"
        )
    if not SAFE_ID.match(value):
        return (
            f"{value!r} cannot be a {what}: use letters, digits and . - _ inside (no spaces, slashes or "
            "'..'; at most 100 characters), starting and ending with a letter or digit"
        )
    if value.lower() in RESERVED or value.split(".")[0].lower() in RESERVED:
        return f"{value!r} is a reserved name (a generated page or folder, or a Windows device name): choose another {what}"
    return None


def handle_problem(value: object) -> str | None:
    """Why ``value`` cannot be an owner handle (``@name`` or ``@org/team``), or None."""
    if not isinstance(value, str) or not value:
        return None
    char = lookalike(value, ascii_only=True)
    if char is not None:
        return f"{value!r} contains {describe_char(char)}: a handle is ASCII letters, digits and . - _"
    if not HANDLE.match(value):
        return f"{value!r} is not a code-host handle such as @wangfang or @plant/qa-team"
    return None


def sop_id_problem(value: object) -> str | None:
    """An SOP id (or ``[[...]]`` reference) holding a character that only looks like ASCII."""
    if not isinstance(value, str):
        return None
    char = lookalike(value, ascii_only=True)
    if char is None:
        return None
    return f"{value!r} contains {describe_char(char)}, which looks like a Latin letter but is not: type the id again"


class CaseFold:
    """Remembers ids of one kind by their case-folded form, to catch ``QC`` beside ``qc``."""

    def __init__(self, what: str):
        self.what, self.first = what, {}

    def clash(self, value: object, where: str) -> str | None:
        """None for a new id (or the same spelling again); else a message naming the first one."""
        if not isinstance(value, str):
            return None
        key = unicodedata.normalize("NFKC", value).casefold()
        first = self.first.setdefault(key, (value, where))
        if first[0] == value:
            return None
        return (
            f"{self.what} {value!r} differs from {first[0]!r} ({first[1]}) only in case: on Windows and macOS "
            "their pages would be one file; spell them alike or choose another id"
        )


def is_inside(root: str | os.PathLike, path: str | os.PathLike) -> bool:
    """True when ``path``, with ``..`` and ``.`` worked out, is ``root`` or inside it.

    The check before a generated file is written (``root`` is the site folder). It is done on the
    names, without touching the disk, so that it costs nothing per file of a large site.
    """
    root_text = os.path.normpath(os.path.abspath(root))
    path_text = os.path.normpath(os.path.join(root_text, path))
    return path_text == root_text or path_text.startswith(root_text.rstrip(os.sep) + os.sep)
