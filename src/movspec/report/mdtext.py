"""Text from the model made safe in Markdown (GitHub-flavoured, tables included).

Every string a user wrote (descriptions, doc strings, anchors, assertion messages, file
names) reaches the Markdown site and the terminal's ``explain`` through these functions:

* ``md(text)``: inline text. One line (every run of white space, line breaks included,
  becomes one space, so a table row cannot be split), every character Markdown or HTML
  would read as syntax escaped (``\\*``, ``\\|``, ``&lt;``...), and a leading ``-``, ``+``,
  ``=`` or ``1.`` escaped so the text cannot start a list or a heading.
* ``md_value(text)``: a value in running text (not in a table), escaped more lightly so
  ``[P1 |-> 1]`` reads as written.
* ``code(text, table=False)``: an inline code span that survives backticks in ``text``;
  ``table=True`` also escapes ``|``, which GFM tables split on even inside code spans.

``to_html`` turns the small inline Markdown the report builds (code spans, ``**bold**``,
backslash escapes and character references) into safe HTML for the HTML report.
"""

from __future__ import annotations

import html
import re
import unicodedata

_SPECIAL = re.compile(r"([\\`*\[\]|<>#~&])")
_FREE_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
_ENTITY = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
_LEADING = re.compile(r"^([-+=]|\d{1,9}[.)])")


def one_line(text) -> str:
    """``text`` on one line, with no control or format characters."""
    s = " ".join(str(text).split())
    return "".join(c if not unicodedata.category(c).startswith("C") else "\ufffd" for c in s)


def md(text) -> str:
    """Inline text safe in Markdown (tables included): special characters escaped, one line.
    An ``_`` between two letters or digits (``PG_lock``) is left alone: it cannot start or
    end emphasis there."""
    s = _SPECIAL.sub(lambda m: _ENTITY.get(m.group(1), "\\" + m.group(1)), one_line(text))
    s = _FREE_UNDERSCORE.sub(r"\\_", s)
    return _LEADING.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], s)


_VALUE_SPECIAL = re.compile(r"([\\`*<&])")


def md_value(text) -> str:
    """A value as ``format_value`` writes it (``[P1 |-> {ref: 1}]``), escaped for running
    text outside tables: its brackets, ``|`` and ``>`` cannot be read as Markdown there
    (nothing follows a value that would make a link), so they stay as written."""
    s = _VALUE_SPECIAL.sub(lambda m: _ENTITY.get(m.group(1), "\\" + m.group(1)), one_line(text))
    return _FREE_UNDERSCORE.sub(r"\\_", s)


def code(text, table: bool = False) -> str:
    """``text`` as one inline code span, whatever backticks it holds."""
    s = one_line(text)
    if table:
        s = s.replace("|", "\\|")
    if not s:
        return ""
    longest = max((len(r) for r in re.findall(r"`+", s)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or (s.startswith(" ") and s.endswith(" ")) else ""
    return f"{ticks}{pad}{s}{pad}{ticks}"


# ----------------------------------------------------------------------------- to HTML

_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_TEXT_TOKEN = re.compile(r"\\([!-/:-@\[-`{-~])|(&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)|(\*\*)")


def _text_html(s: str) -> str:
    pieces: list[tuple[str, str]] = []  # ("text", literal) | ("bold", "**")
    at = 0
    for m in _TEXT_TOKEN.finditer(s):
        if m.start() > at:
            pieces.append(("text", s[at:m.start()]))
        if m.group(1) is not None:
            pieces.append(("text", m.group(1)))
        elif m.group(2) is not None:
            pieces.append(("text", html.unescape(m.group(2))))
        else:
            pieces.append(("bold", "**"))
        at = m.end()
    if at < len(s):
        pieces.append(("text", s[at:]))
    marks = [i for i, (k, _) in enumerate(pieces) if k == "bold"]
    paired = set(marks[: len(marks) - len(marks) % 2])
    out = []
    opening = True
    for i, (kind, t) in enumerate(pieces):
        if kind == "bold" and i in paired:
            out.append("<strong>" if opening else "</strong>")
            opening = not opening
        else:
            out.append(html.escape(t, quote=False))
    return "".join(out)


def to_html(text: str) -> str:
    """The inline Markdown of report lines (code spans, ``**bold**``, escapes) as HTML, with
    everything else escaped."""
    s = str(text)
    out = []
    at = 0
    for m in _CODE_SPAN.finditer(s):
        out.append(_text_html(s[at:m.start()]))
        body = m.group(2)
        if len(body) > 2 and body.startswith(" ") and body.endswith(" "):
            body = body[1:-1]
        out.append(f"<code>{html.escape(body, quote=False)}</code>")
        at = m.end()
    out.append(_text_html(s[at:]))
    return "".join(out)
