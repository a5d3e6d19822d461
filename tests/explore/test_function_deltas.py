"""Variant deltas on a function's steps: `replace f.s` (with `as t` and a fairness mark),
`insert after|before f.s`, `remove f.s`, `local f.x`. The model is a reference count taken
with kref_get_unless_zero() and dropped with kref_put(), both kernel functions; the variants
change one step of a function each, as a kernel patch changes one line of it. Checked by the
builtin checker and the reference interpreter here, and by TLC in the tlc-marked test."""

from __future__ import annotations

import pytest

from movspec.explore import check
from movspec.explore.reference import explore
from movspec.load import load_text
from movspec.result import Verdict
from tests.conftest import assert_backends_agree

MODEL = """model kref "a reference taken unless zero, dropped by the last put"
const Cpus = {C1, C2} symmetric
var ref: 0..3 = 1
var freed: bool = false

func kref_get_unless_zero() -> bool @ "include/linux/kref.h:kref_get_unless_zero" {
    local got: bool = false
    step inc { got = ref != 0  if ref != 0 { ref += 1 } }
    step ret { return got }
}

func kref_put() -> bool @ "include/linux/kref.h:kref_put" {
    local last: bool = false
    step dec { last = ref == 1  ref -= 1 }
    step release { if last { freed = true }  return last }
}

actor user(self in Cpus) {
    local ok: bool = false
    local gone: bool = false
    step get { ok = call kref_get_unless_zero() }
    step use { if !ok { goto done }  assert !freed, "use after free" as UseAfterFree }
    step put { gone = call kref_put() }
}

actor owner {
    local gone: bool = false
    step put { gone = call kref_put() }
}

assertion UseAfterFree "an object is used only while it is allocated"
invariant Counted "a count of zero is a freed object, once the last put has run": ref == 0 && !(owner at kref_put.release) && (forall c in Cpus: !(user[c] at kref_put.release)) => freed

variant unless_zero "kref_get_unless_zero(), kref_put()"

// kref_get(): the increment without the test, a reference taken on a dying object
variant plain_get extends unless_zero "kref_get() in the lookup" {
    replace kref_get_unless_zero.inc as get_always { got = true  ref += 1 }
}

// the test and the increment in two steps: another CPU's last put falls between them
variant split extends unless_zero "a test, then the increment" {
    replace kref_get_unless_zero.inc { got = ref != 0 }
    insert after kref_get_unless_zero.inc step add { if got { ref += 1 } }
    local kref_put.spare: 0..1 = 0
}

// the increment put back in one step, the split's extra step removed
variant rejoined extends split "the split undone" {
    replace kref_get_unless_zero.inc { got = ref != 0  if ref != 0 { ref += 1 } }
    remove kref_get_unless_zero.add
}
"""


@pytest.fixture(scope="module")
def models():
    res = load_text(MODEL, "kref.mspec")
    assert res.ok, [str(d) for d in res.diagnostics]
    return res.models


def _verdicts(model):
    r = check(model, symmetry=False)
    return {p.name: p.verdict for p in r.properties}, r


def test_each_delta_changes_the_function_as_written(models):
    base, _ = _verdicts(models["unless_zero"])
    plain, plain_r = _verdicts(models["plain_get"])
    split, split_r = _verdicts(models["split"])
    rejoined, _ = _verdicts(models["rejoined"])
    assert base["UseAfterFree"] is Verdict.HOLDS and base["Counted"] is Verdict.HOLDS
    assert plain["UseAfterFree"] is Verdict.VIOLATED  # kref_get() revives a freed object
    assert split["UseAfterFree"] is Verdict.VIOLATED
    assert rejoined == base
    # the renamed step is the step the trace names; the inserted one runs after `inc`
    names = [s.step for s in plain_r.property("UseAfterFree").trace.steps]
    assert "kref_get_unless_zero.get_always" in names
    names = [s.step for s in split_r.property("UseAfterFree").trace.steps]
    assert names.index("kref_get_unless_zero.inc") < names.index("kref_get_unless_zero.add")


def test_the_function_after_the_deltas(models):
    f = {m: next(f for f in models[m].functions if f.name == "kref_get_unless_zero") for m in models}
    assert [s.name for s in f["unless_zero"].steps][:2] == ["inc", "ret"]
    assert [s.name for s in f["plain_get"].steps][:2] == ["get_always", "ret"]
    assert [s.name for s in f["split"].steps][:3] == ["inc", "add", "ret"]
    assert [s.name for s in f["rejoined"].steps][:2] == ["inc", "ret"]
    put = next(f for f in models["split"].functions if f.name == "kref_put")
    assert "spare" in {l.name for l in put.locals}


def test_the_reference_interpreter_agrees(models):
    for name, m in models.items():
        ref = explore(m)
        ours = check(m, symmetry=False)
        assert ref.complete and (ref.distinct, ref.depth) == (ours.stats.distinct, ours.stats.depth), name


def test_an_old_step_name_means_the_renamed_step():
    text = MODEL.replace('step ret { return got }', 'step ret { if !got { goto inc }  return got }')
    text += """variant renamed extends unless_zero "inc renamed" {
    replace kref_get_unless_zero.inc as take { got = ref != 0  if ref != 0 { ref += 1 } }
    invariant AtTake: user[C1] at kref_get_unless_zero.inc => !freed || ref == 0
}
"""
    res = load_text(text, "k.mspec")
    assert res.ok, [str(d) for d in res.diagnostics]
    f = next(f for f in res.models["renamed"].functions if f.name == "kref_get_unless_zero")
    assert [s.name for s in f.steps][:2] == ["take", "ret"]
    assert check(res.models["renamed"], symmetry=False).stats.distinct == \
        check(res.models["unless_zero"], symmetry=False).stats.distinct


@pytest.mark.parametrize("delta, line_col, words", [
    ("replace kref_get_unless_zero.nosuch { skip }", (1, 13), "replaces step `nosuch` of function"),
    ("insert after kref_put.dec step dec { skip }", (1, 36), "function `kref_put` already has a step `dec`"),
    ("remove kref_puts.dec", (1, 12), "names actor `kref_puts`"),
    ("local kref_put.last: bool = false", (1, 20), "already has a parameter or local `last`"),
])
def test_a_bad_delta_on_a_function_says_where_and_what(delta, line_col, words):
    text = MODEL + f'variant bad extends unless_zero "x" {{\n    {delta}\n}}\n'
    res = load_text(text, "k.mspec")
    errs = [d for d in res.diagnostics if d.severity.value == "error"]
    first_line = MODEL.count("\n") + 2
    assert errs and words in errs[0].message and errs[0].hint, errs
    assert (errs[0].span.line - first_line + 1, errs[0].span.col) == line_col, errs[0]
    if "kref_puts" in delta:
        assert "kref_put" in errs[0].hint  # the function is offered


@pytest.mark.tlc
@pytest.mark.parametrize("variant", ["unless_zero", "plain_get", "split", "rejoined"])
def test_function_deltas_agree_with_tlc(models, variant):
    assert_backends_agree(models[variant], variant, symmetry=True)
