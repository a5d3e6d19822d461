"""`assert cond, why` in a macro: the message is the string the call binds `why` to
(`must(n <= 2, "n stays small")`), resolved when the macro is expanded, also when a macro
passes its own parameter on. Bound to anything but a string, or not a parameter at all, it is
an error at the argument (or the name) that says what to write; a string bound to a parameter
the macro uses as a value is one too. Both checkers report the call's string."""

from __future__ import annotations

import pytest

from movspec.dsl.parser import parse
from movspec.dsl.printer import print_file
from movspec.emit import emit
from movspec.explore import check
from movspec.explore.reference import explore
from movspec.load import load_text
from movspec.result import Verdict
from tests.conftest import assert_backends_agree

MODEL = """model am
var n: 0..3 = 0
macro must(c, why) { assert c, why }
macro twice(w) { must(n <= 2, w) }
actor a {
    step x { n = 1  must(n <= 2, "n stays small") }
    step y { n = 3  twice("n stays small, twice") }
}
"""


def _model(text: str):
    res = load_text(text, "am.mspec")
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    return next(iter(res.models.values()))


def _errors(text: str) -> list[str]:
    res = load_text(text, "am.mspec")
    return [f"{d.span.line}:{d.span.col}: {d.message} | {d.hint}" for d in res.diagnostics
            if d.severity.value == "error"]


def test_the_message_is_the_string_the_call_passes():
    model = _model(MODEL)
    asserts = [s for a in model.actors for st in a.steps for s in st.body if type(s).__name__ == "Assert"]
    assert [s.message for s in asserts] == ["n stays small", "n stays small, twice"]
    res = check(model, symmetry=False)
    p = next(p for p in res.properties if p.name == "Assertions")
    assert p.verdict is Verdict.VIOLATED
    assert p.trace.steps[-1].failure is not None and "n stays small, twice" in p.trace.steps[-1].failure
    ref = explore(model, max_states=100)
    assert ref.distinct == res.stats.distinct


def test_the_message_parameter_prints_and_parses_back():
    f, diags = parse(MODEL, "am.mspec")
    assert diags == []
    text = print_file(f)
    assert 'assert c, why' in text and 'must(n <= 2, "n stays small")' in text
    again, diags = parse(text, "am.mspec")
    assert diags == [] and again.decls == f.decls


@pytest.mark.parametrize("text,want", [
    ("model m\nvar n: 0..3 = 0\nmacro must(c, why) { assert c, why }\nactor a { step x { must(true, n + 1) } }",
     '4:31: `assert`: the message `why` must be a string, and the argument given for it is not '
     '| pass a string for `why`, in double quotes: "message"'),
    ("model m\nvar n: 0..3 = 0\nactor a { step x { assert n <= 2, why } }",
     "3:35: `assert`: the message must be a string, or a parameter of the macro the assert is in bound to one; "
     '`why` is neither | write the message in double quotes (`assert cond, "message"`), or name a parameter '
     "of the macro the assert is in"),
    ('model m\nvar n: 0..3 = 0\nmacro put(k) { n = k }\nactor a { step x { put("two") } }',
     "4:24: a string is not a value | a string can be a macro's argument only for the message of an `assert` "
     "in the macro (`assert cond, p`)"),
])
def test_a_message_that_is_not_a_string_is_an_error_at_the_argument(text, want):
    assert _errors(text) == [want]


def test_the_emitted_check_carries_the_string():
    em = emit(_model(MODEL))
    assert [s.message for s in em.sites] == ["n stays small", "n stays small, twice"]


@pytest.mark.tlc
def test_a_message_parameter_agrees_with_tlc():
    ours, tlc = assert_backends_agree(_model(MODEL), symmetry=False)
    assert tlc.verdict("Assertions") is Verdict.VIOLATED
