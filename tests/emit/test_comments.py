"""Text the emitter puts in TLA+ comments (``pluscal.comment_text``), on random strings: one
line, no comment delimiter, no control character, and nothing else changed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from movspec.emit.pluscal import comment_text

PIECES = list("ab(*) \\\n\t\r\"'é") + ["(*", "*)", "(**)", "\x00", "\x0c", "\x1b[0m", "\u2028", "\u0085", "\u202e"]
text = st.one_of(st.lists(st.sampled_from(PIECES), max_size=20).map("".join), st.text(max_size=30))


@settings(max_examples=1000, deadline=None)
@given(text)
def test_comment_text_is_one_safe_line(s):
    out = comment_text(s)
    assert "(*" not in out and "*)" not in out, (s, out)
    assert out.splitlines() == ([out] if out else []), (s, out)  # no line terminator of any kind
    assert all(c.isprintable() or c == " " for c in out), (s, out)
    # only spaces were added (splitting delimiters) or changed: the rest reads as written
    plain = "".join(c for c in out if c != " ")
    original = "".join(c for c in s if not c.isspace())
    if all(c.isprintable() for c in original):
        assert plain == original, (s, out)


def test_examples():
    assert comment_text("mm/x.c:f *) (* evil\nnext line") == "mm/x.c:f * ) ( * evil next line"
    assert comment_text("(*)") == "( * )"
    assert comment_text("a\x1bb") == "a\\u001bb"
