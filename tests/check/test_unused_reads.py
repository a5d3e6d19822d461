"""The unused-declaration warnings count every read: a local read only by a property (an
invariant, a leadsto, a variant's invariant, a refinement mapping, an inductive invariant),
and a function's parameter read only by an `assert` or passed on to another call, are used.
A parameter read only by a property (`a[c].f.unread`) is used too."""

from __future__ import annotations

import pytest

from movspec.load import load_text

MODEL = """model u
const Cpus = {C1, C2}
var n: 0..3 = 0
module drv { ops op }
func g(j: 0..3) { step s { n = j  return } }
func f(k: 0..3, k2: 0..3, k3: 0..3, unread: 0..3) {
    step s { assert k <= 3, "in range"  call g(k2) }
    step t { call drv.op(k3) }
    step r { return }
}
actor a(self in Cpus) {
    local p: 0..3 = 0
    local q: 0..3 = 0
    local r: 0..3 = 0
    local s: 0..3 = 0
    local t: 0..3 = 0
    step x { call f(1, 1, 1, 1) }
}
invariant I: forall c in Cpus: a[c].p <= 3
leadsto L: forall c in Cpus: a[c].q == 0 ~> n == 1
abstract Abs {
    var m: 0..3 = 0
    action go() { m = 1 }
}
refinement R of Abs {
    m = if (forall c in Cpus: a[c].s == 0) then n else n
}
inductive Ind: forall c in Cpus: a[c].t == 0
variant base
variant v extends base {
    invariant J: forall c in Cpus: a[c].r <= 3
}
"""


def test_reads_by_properties_and_checks_count_as_uses():
    res = load_text(MODEL, "u.mspec")
    assert not res.errors, [d.message for d in res.errors]
    # only the parameter nothing reads is reported
    assert [d.message for d in res.warnings if d.code == "unused"] == [
        "parameter `unread` of function `f` is never used"]


def test_a_parameter_read_by_a_property_is_used():
    res = load_text(MODEL + "invariant K: forall c in Cpus: a[c].f.unread <= 3\n", "u.mspec")
    assert not res.errors, [d.message for d in res.errors]
    assert [d.message for d in res.warnings if d.code == "unused"] == []


@pytest.mark.parametrize("prop,words", [
    ("invariant I: forall c in Cpus: a[c].f <= 3", "actor `a` has no local `f`"),
    ("invariant I: forall c in Cpus: f[c].k <= 3", "function `f` is not a value"),
])
def test_a_function_is_not_a_value(prop, words):
    text = MODEL.split("invariant I:")[0] + prop + "\n"
    res = load_text(text, "u.mspec")
    assert any(words in d.message for d in res.errors), [d.message for d in res.diagnostics]
