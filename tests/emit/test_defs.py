"""`def`s in the emitted TLA+: one operator per def, used by name where the model applied it,
invariants built from them, and the inlined text kept where a name would not mean the same."""

from __future__ import annotations

from movspec.emit import emit
from movspec.explore import check
from movspec.load import load, load_text

from .test_emit import ROOT, syntax_errors

SMALL = """
model m
const Cpus = {C1, C2}
enum Mode { idle, busy }
var mode: [Cpus -> Mode] = [c in Cpus |-> idle]
var n: 0..3 = 0
def Busy(c) = mode[c] == busy
def AnyBusy = exists c in Cpus: Busy(c)
def Mine = mode[self] == busy
def Holding(c) = w[c] at {work} && w[c].k == c
actor w(self in Cpus) {
    local k: Cpus = C1
    step start { await !Busy(self)  mode[self] = busy  k = self }
    step work { await Mine  n = (n + 1) % 4 }
    step stop { mode[self] = idle  goto start }
}
invariant AtMostTwo: forall c in Cpus: Busy(c) => mode[c] != idle
invariant Some: AnyBusy || !AnyBusy
invariant Own: forall c in Cpus: Holding(c) => Busy(c)
"""


def _module(text: str, variant: str = "m") -> str:
    r = load_text(text, "m.mspec")
    assert r.ok, [d.render() for d in r.diagnostics]
    return emit(r.models[variant]).tla


def test_each_def_is_an_operator_used_by_name() -> None:
    tla = _module(SMALL)
    assert syntax_errors(tla) == []
    define = tla[tla.index("define {"):tla.index("    process (")]
    # in the define block (it reads globals only), in an order where each follows what it uses
    assert 'Busy(c) == mode[c] = "busy"' in define
    assert "AnyBusy == \\E c \\in Cpus: Busy(c)" in define
    assert "m.mspec:8 def AnyBusy\n" in define  # where it is in the model
    assert define.index("Busy(c) ==") < define.index("AnyBusy ==")
    # used by name in the invariants, and in a step that has assigned nothing it reads
    assert "await ~Busy(self);" in tla
    assert 'AtMostTwo == \\A c \\in Cpus: Busy(c) => (mode[c] # "idle")' in tla
    assert "Some == AnyBusy \\/ (~AnyBusy)" in tla


AFTER = """
model m
var x: 0..2 = 0
var y: 0..2 = 0
def Small = x < 2
def Low = y < 2
actor a {
    step s { x = 1  await Small  await Low  if Low { y = 1 } else { skip }  await Low }
    step t { await Small  x = 0 }
}
invariant I: Small || !Small
"""


def test_a_step_inlines_a_def_read_after_it_assigns_what_the_def_reads() -> None:
    # PlusCal primes `x` in `await x < 2` after `x := 1` in the same label, and cannot prime
    # it inside an operator's body: there the inlined text is written
    tla = _module(AFTER)
    assert syntax_errors(tla) == []
    step_s = tla[tla.index("a_s:"):tla.index("a_t:")]
    assert "await x < 2;" in step_s and "Small" not in step_s
    assert step_s.count("Low") == 2 and "await y < 2;" in step_s  # assigned on one path: inlined after
    assert "if (Low) {" in step_s
    step_t = tla[tla.index("a_t:"):]
    assert "await Small;" in step_t


def test_a_def_reading_locals_follows_the_translation_and_is_used_there_by_name() -> None:
    tla = _module(SMALL)
    after = tla[tla.index("\\* END TRANSLATION"):]
    assert "reads process locals, so it follows the translation" in after
    assert 'Holding(c) == (pc[c] = "w_work") /\\ (k[c] = c)' in after
    assert "Own == \\A c \\in Cpus: Holding(c) => Busy(c)" in after


def test_a_def_reading_self_stays_inlined_and_says_why() -> None:
    tla = _module(SMALL)
    assert 'await mode[self] = "busy";' in tla  # `Mine` means something else in each process
    assert "def Mine reads `self` or the running process's locals" in tla
    assert "Mine ==" not in tla


def test_an_application_whose_argument_a_binder_would_capture_stays_inlined() -> None:
    # `Near(c)` with the caller's own `c`: the resolver renames the def's binder, so the
    # inlined text is not the operator's body with `c` put in; the emitter writes it out
    text = """
model m
const Cpus = {C1, C2}
var owner: Cpus | {none} = none
def Other(x) = exists c in Cpus: c != x && owner == c
actor a { step s { owner = C1 } }
invariant I: forall c in Cpus: Other(c) || !Other(c)
"""
    tla = _module(text)
    assert syntax_errors(tla) == []
    inv = next(line.strip() for line in tla.splitlines() if line.strip().startswith("I == "))
    assert "Other(" not in inv and "\\E c2 \\in Cpus" in inv, inv
    assert "Other(x) == \\E c \\in Cpus: (c # x) /\\ (owner = c)" in tla  # defined all the same


def test_the_header_says_what_each_construct_became() -> None:
    tla = _module(SMALL)
    head = tla[:tla.index("EXTENDS")]
    for line in ("actor         -> a process", "step          -> a label", "def           -> an operator",
                 "invariant     -> an operator listed under INVARIANTS", "leadsto       -> a ~> property",
                 "MS_Check(prop, site, proc, cond)"):
        assert line in head, line


def test_the_builtin_checker_sees_the_same_model() -> None:
    # the operators are for the TLA+ reader: the model both checkers explore is unchanged
    r = load([ROOT / "spec"])
    m = r.models["v4_8"]
    assert {d.name for d in m.defs} >= {"PageMovable", "PageIsolated", "holds_isolation"}
    assert all(u.expr is not None for u in m.def_uses)
    res = check(m, max_states=2000)
    again = check(load([ROOT / "spec"]).models["v4_8"], max_states=2000)
    assert res.stats.distinct == again.stats.distinct > 0
