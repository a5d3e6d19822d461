"""`actor a when COND` (no step of the actor runs while COND is false), `replace a.s as NEW`
(the step's new name in traces; its old one, in a `goto` or an `at`, means the new step), and
the error for a property of the base that names a step only a variant adds."""

from __future__ import annotations

import pytest

from movspec.dsl.parser import parse
from movspec.dsl.printer import print_file
from movspec.explore import check
from movspec.explore.reference import explore
from movspec.load import load_text
from movspec.result import Verdict
from tests.conftest import assert_backends_agree

GUARD = """model g
var enabled: bool = false
var n: 0..3 = 0
fair actor switch { step on { enabled = true } step off { enabled = false } }
actor worker when enabled "works only while enabled" {
    step a { n = 1 }
    step b { n = 2 }
}
invariant WorkOnlyWhenEnabled: n == 2 => switch at {off, done} || enabled || !enabled
invariant NeverBeforeOn: switch at on => n == 0
"""

RENAME = """model r
var n: 0..3 = 0
actor a {
    step s1 { n = 1 }
    step s2 { if n < 2 { goto s1 } }
}
invariant AtS1: a at s1 => n <= 1
variant base
variant renamed extends base {
    replace a.s1 as set_two { n = 2 }
}
variant again extends renamed {
    replace a.s1 { n = 3 }
}
"""


def _models(text):
    res = load_text(text, "m.mspec")
    errors = [d.render(res.sources) for d in res.diagnostics if d.severity.value == "error"]
    assert not errors, errors
    return res.models


def test_an_actor_guard_keeps_every_step_waiting():
    model = next(iter(_models(GUARD).values()))
    assert all(isinstance(s.body[0], type(model.actor("worker").steps[0].body[0])) for s in model.actor("worker").steps)
    res = check(model, symmetry=False)
    got = {p.name: p.verdict for p in res.properties}
    assert got["NeverBeforeOn"] is Verdict.HOLDS
    # without the guard the worker can run before the switch is on
    free = next(iter(_models(GUARD.replace(' when enabled', '')).values()))
    assert {p.name: p.verdict for p in check(free, symmetry=False).properties}["NeverBeforeOn"] is Verdict.VIOLATED
    ref = explore(model, max_states=1000)
    assert (ref.distinct, ref.depth) == (res.stats.distinct, res.stats.depth)


def test_the_guard_prints_and_parses_back():
    f, diags = parse(GUARD, "g.mspec")
    assert diags == []
    again, diags = parse(print_file(f), "g.mspec")
    assert diags == [] and again.decls == f.decls


def test_a_renamed_step_keeps_its_place_and_its_old_name_follows():
    models = _models(RENAME)
    for name, body in (("renamed", 2), ("again", 3)):
        steps = models[name].actor("a").steps
        assert [s.name for s in steps] == ["set_two", "s2"]
        assert steps[0].body[0].value.value == body  # `again` replaced it by its old name
        assert steps[1].body[0].then[0].target == "set_two"  # the `goto s1` of the base
    from movspec.ir import nodes as N
    from movspec.ir.walk import walk
    prop = next(p for p in models["again"].properties if p.name == "AtS1")
    ats = [x for x in walk(prop.expr) if isinstance(x, N.At)]
    assert [x.steps for x in ats] == [("set_two",)]  # the base's `a at s1`
    res = check(models["again"], symmetry=False)
    assert res.complete and {p.name: p.verdict for p in res.properties}["AtS1"] is Verdict.HOLDS


def test_a_rename_onto_an_existing_step_is_an_error():
    text = RENAME.replace("replace a.s1 as set_two", "replace a.s1 as s2")
    res = load_text(text, "m.mspec")
    assert any("already has a step `s2`" in d.message and d.span.line == 10 for d in res.diagnostics)


def test_a_base_property_naming_a_variant_step_says_which_variant_adds_it():
    text = """model v
var n: 0..3 = 0
actor a { step s1 { n = 1 } }
invariant NotInS3: !(a at s3)
variant base
variant more extends base {
    insert after a.s1 step s3 { n = 2 }
}
"""
    res = load_text(text, "m.mspec")
    errs = [d for d in res.diagnostics if d.severity.value == "error"]
    assert len(errs) == 1
    d = errs[0]
    assert (d.span.line, d.span.col) == (4, 22)
    assert "is added by variant `more`" in d.message and "variant more" in d.hint


@pytest.mark.tlc
@pytest.mark.parametrize("which", ["guard", "renamed", "again"])
def test_guards_and_renames_agree_with_tlc(which):
    model = next(iter(_models(GUARD).values())) if which == "guard" else _models(RENAME)[which]
    assert_backends_agree(model, which, symmetry=False, traces=False)
