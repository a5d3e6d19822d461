"""`step s while c { body }`: sugar for `step s { if c { body  goto s } }` (one round of the loop
per atomic step), in actors and functions; printed back as written; checked by both checkers
like the step it stands for."""

from __future__ import annotations

import pytest

from movspec.dsl.parser import parse
from movspec.dsl.printer import print_file
from movspec.explore import check
from movspec.load import load_text
from tests.conftest import assert_backends_agree

LOOP = """model w
const P = {p1, p2} symmetric
var n: 0..3 = 0
func count() -> 0..3 {
  local k: 0..3 = 0
  step round while k < 2 "count to two" { k += 1 }
  step out { return k + 1 }
}
actor b(self in P) {
  local m: 0..3 = 0
  step spin while n < 3 { n += 1 }
  step get { m = call count() }
  step drain while m > 0 { m -= 1 }
}
"""
# the same model with the loops written out
WRITTEN = LOOP.replace('step round while k < 2 "count to two" { k += 1 }',
                       'step round "count to two" { if k < 2 { k += 1  goto round } }') \
    .replace("step spin while n < 3 { n += 1 }", "step spin { if n < 3 { n += 1  goto spin } }") \
    .replace("step drain while m > 0 { m -= 1 }", "step drain { if m > 0 { m -= 1  goto drain } }")


def _model(text):
    res = load_text(text, "w.mspec")
    assert res.ok, [d.render() for d in res.diagnostics]
    return next(iter(res.models.values()))


def test_while_prints_and_parses_back():
    f, diags = parse(LOOP, "w.mspec")
    assert diags == []
    again, diags = parse(print_file(f), "w.mspec")
    assert diags == [] and again.decls == f.decls
    assert "step spin while n < 3 {" in print_file(f)


def test_while_is_the_loop_written_with_goto():
    loop, written = _model(LOOP), _model(WRITTEN)
    assert [s.body for a in loop.actors for s in a.steps] == [s.body for a in written.actors for s in a.steps]
    assert [s.body for f in loop.functions for s in f.steps] == [s.body for f in written.functions
                                                                 for s in f.steps]
    for sym in (False, True):
        a, b = check(loop, symmetry=sym), check(written, symmetry=sym)
        assert a.stats.distinct == b.stats.distinct and a.stats.distinct > 0


def test_a_while_step_cannot_call():
    text = LOOP.replace("step get { m = call count() }", "step get while m < 1 { m = call count() }")
    res = load_text(text, "w.mspec")
    errs = [d for d in res.diagnostics if d.severity.value == "error"]
    assert errs and "a `while` step cannot call a function (`count`)" in errs[0].message
    assert (errs[0].span.line, errs[0].span.col) == (12, 26) and errs[0].hint


@pytest.mark.tlc
@pytest.mark.parametrize("symmetry", [False, True], ids=["nosym", "sym"])
def test_while_agrees_with_tlc(symmetry):
    assert_backends_agree(_model(LOOP), "loop", symmetry=symmetry, verdicts=False, traces=False)
