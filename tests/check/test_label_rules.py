"""Label rules: legal steps pass, each kind of violation is reported once at its place."""

from __future__ import annotations

import pytest

from movspec.load import load_text

PRELUDE = '''model m
const Cpus = {C1, C2}
var a: [Cpus -> 0..3]
var n: 0..3 = 0
var flag: bool = false
module drv { ops cb }
actor t(self in Cpus) {
    local l: 0..3 = 0
    step s {
%s
    }
    step u { call drv.cb()  await l >= 0 }
}
'''


def errors(body: str) -> list[str]:
    r = load_text(PRELUDE % body, "m.mspec")
    return [d.message for d in r.errors]


@pytest.mark.parametrize("body", [
    "a[C1] = 1\n a[C2] = 2",                       # consecutive parts: one multiple assignment
    "a[C1] = 1\n a[C2] = n + 1\n a[self] = 0",       # the run may be long, later ones read others
    "if flag { n = 1 } else { n = 2 }",              # once per path
    "either { n = 1 } or { n = 2  goto u }",
    "if flag { goto u }\n n = 1",                    # goto ends its path
    "n = 1\n l = n\n flag = l > 0",                  # reads after writes are fine
    "any c in Cpus { a[c] = 1 }\n n = 2",
    "unload drv\n n = 1",
])
def test_legal_steps(body: str) -> None:
    assert errors(body) == []


@pytest.mark.parametrize("body, message", [
    ("n = 1\n n = 2", "`n` is assigned twice in step `s`"),
    ("n = 1\n flag = true\n n = 2", "`n` is assigned twice in step `s`"),
    ("a[C1] = 1\n a[C2] = a[C1]", "`a` is assigned twice in step `s` (the later assignment reads it, so they "
                                 "cannot be merged)"),
    ("a[C1] = 1\n a[C2] += 1", "`a` is assigned twice in step `s` (the later assignment reads it, so they "
                               "cannot be merged)"),
    ("a[C1] = 1\n flag = true\n a[C2] = 1", "`a` is assigned twice in step `s`"),
    ("n = 1\n if flag { n = 2 }", "`n` is assigned twice in step `s`"),
    ("l = 1\n any c in Cpus { l = 2 }", "`l` is assigned twice in step `s`"),
    ("unload drv\n unload drv", "`drv.loaded` is assigned twice in step `s`"),
    ("goto u\n n = 1", "statement after `goto` in step `s` is never run"),
    ("if flag { goto u  skip }", "statement after `goto` in step `s` is never run"),
])
def test_violations(body: str, message: str) -> None:
    assert errors(body) == [message]


def test_violation_in_macro_points_into_the_macro() -> None:
    text = (PRELUDE % "twice()").replace("actor t", "macro twice() {\n    n = 1\n    n = 2\n}\nactor t")
    r = load_text(text, "m.mspec")
    (d,) = r.errors
    assert d.span.line == 9 and "first assigned at m.mspec:8:5" in d.hint


def test_many_branches_stay_exact() -> None:
    """Twelve independent `if`s give 4096 paths: the check must still find the one violation."""
    decls = "".join(f"var f{i}: bool = false\nvar x{i}: bool = false\n" for i in range(12))
    body = "\n".join(f"        if f{i} {{ x{i} = true }}" for i in range(12))
    r = load_text(f"model m\n{decls}actor a {{\n    step s {{\n{body}\n        x0 = false\n        y = 1\n    }}\n}}\n"
                  "var y: 0..1 = 0\n", "m.mspec")
    assert [d.message for d in r.errors] == ["`x0` is assigned twice in step `s`"]
