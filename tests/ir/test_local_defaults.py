"""A local without an initial value starts at its type's default, like a variable; only a local
of a type without one (atoms, functions to atoms) starts unset (``defaultInitValue``), and
``TypeOK`` admits the unset value for exactly those. Both checkers follow the IR."""

from __future__ import annotations

from pathlib import Path

import pytest

from movspec.explore import check
from movspec.ir import nodes as N
from movspec.ir.printer import expr_str
from movspec.load import load, load_text
from movspec.result import Verdict

FIXTURE = Path(__file__).parent.parent / "fixtures" / "ir" / "local_defaults.mspec"


@pytest.fixture(scope="module")
def loaded():
    r = load([FIXTURE])
    assert r.ok, [d.render(r.sources) for d in r.diagnostics]
    return r


def test_ir_puts_the_default_in(loaded) -> None:
    a = loaded.models["m"].actor("w")
    inits = {l.name: (expr_str(l.init) if l.init is not None else None) for l in a.locals}
    assert inits == {"s": "0", "b": "false", "r": "Rec(n: 1, f: false)", "fs": "[x in Procs |-> 1]",
                     "ss": "{}", "who": None}


def test_type_ok_admits_unset_only_without_a_default(loaded) -> None:
    m = loaded.models["m"]
    type_ok = expr_str(m.get_property(N.TYPE_OK).expr)
    assert any(".who == defaultInitValue" in part for part in type_ok.split("&&")), type_ok
    for name in ("s", "b", "r", "fs", "ss"):
        assert not any(f".{name} == defaultInitValue" in part for part in type_ok.split("&&")), name


def test_lint_notes_say_what_each_local_starts_as(loaded) -> None:
    got = "\n".join(d.render(loaded.sources) for d in loaded.notes)
    f = str(FIXTURE)
    unset = ("it starts unset (PlusCal's `defaultInitValue`) until a step assigns it",
             "hint: `TypeOK` admits the unset value for it; give it a value if a step may read it before "
             "assigning it")
    assert got == "\n".join([
        f"{f}:6:11: note: local `s` of `w` has no initial value: it starts at 0, the low end of 0..4",
        " 6 |     local s: 0..4", "   |           ^", "hint: write `= value` to give it another one",
        f"{f}:7:11: note: local `b` of `w` has no initial value: it starts as `false`, the default of bool",
        " 7 |     local b: bool", "   |           ^", "hint: write `= value` to give it another one",
        f"{f}:8:11: note: local `r` of `w` has no initial value: it starts with the field defaults of `Rec`",
        " 8 |     local r: Rec", "   |           ^", "hint: write `= value` to give it another one",
        f"{f}:9:11: note: local `fs` of `w` has no initial value: it starts as `[x in Procs |-> 1]`, the default "
        "of [Procs -> 1..3]",
        " 9 |     local fs: [Procs -> 1..3]", "   |           ^^", "hint: write `= value` to give it another one",
        f"{f}:10:11: note: local `ss` of `w` has no initial value: it starts as `{{}}`, the default of set of Procs",
        " 10 |     local ss: set of Procs", "    |           ^^", "hint: write `= value` to give it another one",
        f"{f}:11:11: note: local `who` of `w` has no initial value: {unset[0]}",
        " 11 |     local who: Procs", "    |           ^^^", unset[1],
    ])
    # notes are not warnings: they never fail `lint --strict` and are not in the diagnostics
    assert not [d for d in loaded.diagnostics if d.code == "initial-value"]


def test_range_local_holds_type_ok_in_the_initial_state() -> None:
    # the case from the issue: `local s: 0..4` used to violate TypeOK in the 0-step trace
    r = load_text('''
model uninit
const Procs = {A, B}
actor w(self in Procs) {
    local s: 0..4
    step one { if s < 4 { s = s + 1 } }
}
allow deadlock
''', "u.mspec")
    assert r.ok
    res = check(r.models["uninit"], symmetry=False)
    assert res.verdict(N.TYPE_OK) is Verdict.HOLDS
    assert res.stats.distinct == 4  # s in {0, 1} per process, each runs `one` once


def test_builtin_checks_the_fixture(loaded) -> None:
    res = check(loaded.models["m"], symmetry=False)
    assert res.verdict(N.TYPE_OK) is Verdict.HOLDS, res.property(N.TYPE_OK).message


@pytest.mark.tlc
def test_tlc_agrees_on_the_fixture(loaded) -> None:
    from movspec.tlc import check_model

    m = loaded.models["m"]
    b, t = check(m, symmetry=False), check_model(m, symmetry=False)
    assert [(p.name, p.verdict) for p in t.properties] == [(p.name, p.verdict) for p in b.properties]
    assert t.stats.distinct == b.stats.distinct
