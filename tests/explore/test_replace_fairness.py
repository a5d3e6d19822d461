"""A variant's ``replace`` may give the replaced step a new fairness mark: ``replace unfair
a.s``, ``replace fair+ a.s``, or ``replace fair a.s`` (no mark: the actor's own fairness).
The marks follow the rules of marks on steps, and the builtin checker, the reference
interpreter and TLC agree on what they do."""

from __future__ import annotations

import pytest

from movspec.dsl.parser import parse
from movspec.dsl.printer import print_file
from movspec.emit import emit
from movspec.explore import check, reference
from movspec.load import load_text
from movspec.result import Verdict
from tests.conftest import assert_backends_agree
from tests.traces import lasso_problems

# a test-and-set lock: under weak fairness a CPU may starve at `acquire`; `fair+` on `acquire`
# alone gives progress (tests/explore/test_step_fairness.py)
SPINLOCK = """
model spinlock
const Cpus = {C1, C2}
enum Owner { nobody }
var lock: Cpus | Owner = nobody
ACTOR actor cpu(self in Cpus) {
    ACQUIRE step acquire { await lock == nobody  lock = self }
    step enter { skip }
    step release { lock = nobody  goto acquire }
}
leadsto Progress: forall c in Cpus: cpu[c] at acquire ~> cpu[c] at enter
variant base
variant strong extends base {
    replace fair+ cpu.acquire { await lock == nobody  lock = self }
}
variant weak_again extends strong {
    replace fair cpu.acquire { await lock == nobody  lock = self }
}
variant kept extends strong {
    replace cpu.acquire { await lock == nobody  lock = self }
}
variant gone extends strong {
    replace unfair cpu.release { lock = nobody  goto acquire }
}
"""

VERDICTS = {"base": Verdict.VIOLATED, "strong": Verdict.HOLDS, "weak_again": Verdict.VIOLATED,
            "kept": Verdict.HOLDS, "gone": Verdict.VIOLATED}
MARKS = {"base": (None, None), "strong": ("strong", None), "weak_again": (None, None),
         "kept": ("strong", None), "gone": ("strong", "unfair")}


def _models(actor="fair", acquire=""):
    res = load_text(SPINLOCK.replace("ACTOR", actor).replace("ACQUIRE", acquire), "fair.mspec")
    assert res.ok, [d.render() for d in res.diagnostics]
    return res.models


def test_replace_sets_keeps_and_drops_marks():
    models = _models()
    for v, (acquire, release) in MARKS.items():
        a = models[v].actors[0]
        assert (a.step("acquire").fairness, a.step("release").fairness) == (acquire, release), v


@pytest.mark.parametrize("variant", list(VERDICTS))
def test_the_new_mark_decides_the_verdict(variant):
    model = _models()[variant]
    res = check(model).property("Progress")
    assert res.verdict is VERDICTS[variant], res.message
    assert reference.explore(model).leadsto["Progress"] is (VERDICTS[variant] is Verdict.VIOLATED)
    if res.verdict is Verdict.VIOLATED:
        p = next(x for x in model.properties if x.name == "Progress")
        assert lasso_problems(model, p, check(model)) == []


def test_the_new_mark_is_emitted():
    models = _models()
    assert "cpu_acquire:+" in emit(models["strong"]).tla
    assert "cpu_acquire:+" not in emit(models["weak_again"]).tla
    tla = emit(models["gone"]).tla
    assert "cpu_acquire:+" in tla and "cpu_release:-" in tla


def test_marks_of_replace_print_and_parse_back():
    f, diags = parse(SPINLOCK.replace("ACTOR", "fair").replace("ACQUIRE", ""), "fair.mspec")
    assert diags == []
    printed = print_file(f)
    for line in ("replace fair+ cpu.acquire {", "replace fair cpu.acquire {", "replace cpu.acquire {",
                 "replace unfair cpu.release {"):
        assert line in printed
    again, diags = parse(printed, "fair.mspec")
    assert diags == [] and again.decls == f.decls


@pytest.mark.parametrize("actor, delta, what, col", [
    ("", "replace unfair cpu.acquire { skip }", "is marked `unfair`, but actor `cpu` is not fair", 13),
    ("", "replace fair+ cpu.acquire { skip }", "is marked `fair+`, but actor `cpu` is not fair", 13),
    ("fair+", "replace fair+ cpu.acquire { skip }", "is marked `fair+`, but actor `cpu` is `fair+` already", 13),
    ("", "replace fair cpu.acquire { skip }", "gives the step its actor's fairness, but actor `cpu` is not fair",
     13),
])
def test_a_mark_given_by_replace_is_checked_where_it_is_written(actor, delta, what, col):
    text = SPINLOCK.split("variant base")[0].replace("ACTOR", actor).replace("ACQUIRE", "")
    text += "variant base\nvariant v extends base {\n    " + delta + "\n}\n"
    res = load_text(text, "fair.mspec")
    errs = [d for d in res.diagnostics if d.severity.value == "error"]
    assert len(errs) == 1 and what in errs[0].message, [d.render() for d in res.diagnostics]
    assert (errs[0].span.file, errs[0].span.line, errs[0].span.col) == ("fair.mspec", 14, col)
    assert errs[0].hint and "drop" in errs[0].hint


@pytest.mark.tlc
@pytest.mark.parametrize("variant", list(VERDICTS))
def test_replaced_marks_agree_with_tlc(variant):
    model = _models()[variant]
    ours, tlc = assert_backends_agree(model, symmetry=False)
    assert tlc.verdict("Progress") is VERDICTS[variant]
    if VERDICTS[variant] is Verdict.VIOLATED:
        p = next(x for x in model.properties if x.name == "Progress")
        assert lasso_problems(model, p, tlc) == []
