"""Properties that read a function's parameters, locals and pending result in a given process:
``w[p].bump.k`` is process ``p``'s parameter ``k`` of function ``bump``, ``w[p].bump.result``
the result ``bump`` returned that the caller's result step has not stored yet. Between calls
each holds its value between calls (a parameter its type's default, a local its initial value,
the result its type's default). The builtin checker reads the lowered actor's copy
(``bump.k``), TLC the procedure's variable; both, and the reference interpreter, agree state
for state (tlc-marked). Misuse is a located error."""

from __future__ import annotations

import pytest

from movspec.dsl.parser import parse
from movspec.dsl.printer import print_file
from movspec.emit import emit
from movspec.explore import check
from movspec.explore.reference import explore
from movspec.ir import nodes as N
from movspec.ir.lower import lower_functions
from movspec.load import load_text
from movspec.result import Verdict
from tests.conftest import assert_backends_agree

MODEL = """model fl
const Procs = {A, B} symmetric
var x: 0..3 = 0
func bump(k: 0..2) -> bool {
    local old: 0..3 = 0
    step read { old = x }
    step write {
        if old < 3 { x = old + 1 }
        return old < 2
    }
}
actor w(self in Procs) {
    local ok: bool = false
    step go { ok = call bump(1) }
    step fin { skip }
}
actor solo {
    step s1 { call bump(2) }
}
invariant ArgIsOne "a worker calls bump with 1": forall p in Procs: w[p] at bump.write => w[p].bump.k == 1
invariant SoloArg "solo calls bump with 2": solo at bump.write => solo.bump.k == 2
invariant ArgIsTwo "wrong on purpose: a worker's argument is 2": forall p in Procs: w[p] at bump.write => w[p].bump.k == 2
invariant OldIsRead "wrong on purpose: x has not moved since bump read it": forall p in Procs: w[p] at bump.write => w[p].bump.old == x
invariant ResultTrue "the pending result is true": forall p in Procs: w[p] at go.bump => w[p].bump.result
invariant ResultStored "the stored result is the pending one": forall p in Procs: w[p] at fin => w[p].ok == (w[p].bump.old < 2)
invariant RestValue "between calls the parameter and the local hold their values between calls": forall p in Procs: w[p] at fin => w[p].bump.k == 0 && w[p].bump.old == 0 && !w[p].bump.result
"""
VERDICTS = {"ArgIsOne": Verdict.HOLDS, "SoloArg": Verdict.HOLDS, "ArgIsTwo": Verdict.VIOLATED,
            "OldIsRead": Verdict.VIOLATED, "ResultTrue": Verdict.VIOLATED, "ResultStored": Verdict.VIOLATED,
            "RestValue": Verdict.HOLDS, "TypeOK": Verdict.HOLDS}


def _model(text: str = MODEL):
    res = load_text(text, "fl.mspec")
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    return next(iter(res.models.values()))


def _errors(prop: str, text: str = MODEL):
    text = text.split("invariant ArgIsOne")[0] + prop + "\n"
    res = load_text(text, "fl.mspec")
    return text, [d for d in res.diagnostics if d.severity.value == "error"]


def test_verdicts_and_counterexamples():
    res = check(_model(), symmetry=False)
    for name, verdict in VERDICTS.items():
        assert res.verdict(name) is verdict, (name, res.property(name).message)
    # another process (or solo) bumped x between this one's read and write
    last = res.property("OldIsRead").trace.steps[-1].state
    assert last["x"] > min(dict(last["w.bump.old"].pairs).values())
    # the result step: bump returned false (it read 2 or more), the caller has not stored it
    last = res.property("ResultTrue").trace.steps[-1].state
    assert "go.bump" in dict(last["pc"].pairs).values()
    assert False in dict(last["w.bump()"].pairs).values()


def test_the_lowered_model_reads_the_callers_copy():
    lowered = lower_functions(_model())
    refs = {}

    def walk(n):
        if isinstance(n, N.LocalRef):
            refs.setdefault(n.actor, set()).add(n.name)
        if isinstance(n, tuple):
            for x in n:
                walk(x)
        elif hasattr(n, "__dataclass_fields__"):
            for f in n.__dataclass_fields__:
                walk(getattr(n, f))
    for p in lowered.properties:
        if p.name in ("ArgIsOne", "SoloArg", "ResultTrue", "RestValue"):
            walk(p.expr)
    assert refs == {"w": {"bump.k", "bump()", "bump.old"}, "solo": {"bump.k"}}


def test_the_reference_agrees():
    model = _model()
    ref = explore(model, max_states=50000)
    ours = check(model, symmetry=False)
    assert ref.complete and (ref.distinct, ref.depth) == (ours.stats.distinct, ours.stats.depth)
    violated = {p for p, v in ref.violated.items() if v}
    assert violated & set(VERDICTS) == {p for p, v in VERDICTS.items() if v is Verdict.VIOLATED}
    for p in violated & set(VERDICTS):
        assert ref.violated[p] == len(ours.property(p).trace.steps), p


def test_the_emitted_module_reads_the_procedures_variables():
    tla = emit(_model()).tla
    assert 'ArgIsOne == \\A p \\in Procs: (pc[p] = "bump_write") => (k[p] = 1)' in tla
    assert 'SoloArg == (pc["solo"] = "bump_write") => (k["solo"] = 2)' in tla
    assert 'ResultTrue == \\A p \\in Procs: (pc[p] = "w_go_bump") => bump_result[p]' in tla


def test_prints_and_parses_back():
    f, diags = parse(MODEL, "fl.mspec")
    assert diags == []
    printed = print_file(f)
    assert "w[p].bump.k == 1" in printed and "w[p].bump.result" in printed
    again, diags = parse(printed, "fl.mspec")
    assert diags == [] and again.decls == f.decls


@pytest.mark.parametrize("prop, at, words, hint", [
    ("invariant Bad: forall p in Procs: w[p].bump.kk == 1", "w[p].bump.kk",
     "function `bump` has no parameter or local `kk`", "did you mean `k`"),
    ("invariant Bad: forall p in Procs: w[p].bump.resutl", "w[p].bump.resutl",
     "function `bump` has no parameter or local `resutl`", "did you mean `result`"),
    ("invariant Bad: other.bump.k == 1", "other.bump.k",
     "actor `other` never runs function `bump`", "name an actor that calls `bump`"),
    ("invariant Bad: forall p in Procs: w[p].bump == 1", "w[p].bump",
     "actor `w` has no local `bump`", "`bump` is a function"),
    ("invariant Bad: w.bump.k == 1", "w",
     "actor `w` is a family: say which process", "w[id]"),
])
def test_misuse_says_where_and_what(prop, at, words, hint):
    text, errs = _errors(prop, MODEL.replace("actor solo {", "actor other { step s { skip } }\nactor solo {"))
    assert len(errs) == 1 and words in errs[0].message, [e.message for e in errs]
    line = text.count("\n")
    assert (errs[0].span.line, errs[0].span.col) == (line, prop.index(at) + 1) and hint in errs[0].hint


def test_a_function_without_result_has_no_result():
    text = MODEL.replace("func bump(k: 0..2) -> bool {", "func bump(k: 0..2) {").replace(
        "        return old < 2\n", "").replace("ok = call bump(1)", "call bump(1)")
    _, errs = _errors("invariant Bad: forall p in Procs: w[p].bump.result", text)
    assert len(errs) == 1 and "function `bump` returns no value" in errs[0].message
    assert "-> T" in errs[0].hint


def test_read_in_a_step_is_an_error():
    text = MODEL.replace("step fin { skip }", "step fin { assert solo.bump.k == 0, \"x\" }")
    res = load_text(text, "fl.mspec")
    errs = [d for d in res.diagnostics if d.severity.value == "error"]
    assert len(errs) == 1 and "a function's locals of a process are read by properties" in errs[0].message
    assert errs[0].span.line == text.split("\n").index("    step fin { assert solo.bump.k == 0, \"x\" }") + 1


def test_a_read_counts_as_a_use():
    text = MODEL.replace("step read { old = x }", "step read { skip }").replace(
        "if old < 3 { x = old + 1 }", "x = 1").replace("return old < 2", "return true")
    text = text.split("invariant ArgIsOne")[0]
    res = load_text(text, "fl.mspec")
    assert any("local `old` of function `bump` is never used" in d.message for d in res.diagnostics)
    res = load_text(text + "invariant Old: forall p in Procs: w[p].bump.old == 0\n", "fl.mspec")
    unused = [d.message for d in res.diagnostics if "never used" in d.message]
    assert unused == ["parameter `k` of function `bump` is never used"], unused


@pytest.mark.tlc
@pytest.mark.parametrize("symmetry", [False, True])
def test_agrees_with_tlc(symmetry):
    ours, tlc = assert_backends_agree(_model(), symmetry=symmetry)
    for name, verdict in VERDICTS.items():
        assert tlc.verdict(name) is verdict, name
