"""Symmetry reduction is never used for a variant that names an element of a symmetric set.

``tests/fixtures/ir/symmetric_named_element.mspec`` has the invariant ``OnlyP1: ref[P2] == 0``
over ``const Pages = {P1, P2} symmetric``: a search reduced by the permutation P1 <-> P2 never
sees ``ref[P2] == 1`` and says it holds; the full search finds the violation.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from movspec.emit.module import emit
from movspec.explore import check, compile_model
from movspec.explore import compile as explore_compile
from movspec.ir.symmetry import named_symmetric_atoms, symmetric_consts, symmetry_off_reason
from movspec.load import load, load_text
from movspec.result import Verdict

FIXTURE = Path(__file__).parent.parent / "fixtures" / "ir" / "symmetric_named_element.mspec"


@pytest.fixture(scope="module")
def named():
    r = load([FIXTURE])
    assert r.ok, [d.render(r.sources) for d in r.diagnostics]
    return r, r.models["onlyp1"]


def test_named_atoms_found_with_place(named) -> None:
    _, m = named
    found = named_symmetric_atoms(m)
    assert [(n.const, n.atom, n.where, n.span.line, n.span.col) for n in found] == \
        [("Pages", "P2", "invariant `OnlyP1`", 7, 23)]
    assert symmetric_consts(m) == ()
    assert symmetry_off_reason(m) == ("symmetry reduction is off: invariant `OnlyP1` names `P2`, an element of "
                                      f"the symmetric set `Pages` at {FIXTURE}:7:23")


def test_every_kind_of_place_is_found() -> None:
    r = load_text('''
model m
const Pages = {P1, P2, P3} symmetric
const Cpus = {C1, C2} symmetric
struct S { who: Cpus | {none} = C1 }
var owner: Cpus = C2
var s: S
actor a(self in Cpus) {
    local p: Pages = P3
    step one { if p == P1 { skip } }
}
invariant I: forall c in Cpus: a[c].p in Pages
leadsto L: a[C1] at one ~> a[C1] at done
''', "m.mspec")
    assert r.ok, [d.render(r.sources) for d in r.diagnostics]
    got = {(n.atom, n.where) for n in named_symmetric_atoms(r.models["m"])}
    assert got == {
        ("C2", "the initial value of variable `owner`"),
        ("C1", "the default of field `S.who`"),
        ("P3", "the initial value of local `a.p`"),
        ("P1", "step `a.one`"),
        ("C1", "leadsto `L`"),
    }


def test_spec_names_no_symmetric_element() -> None:
    r = load(["spec"])
    assert r.ok
    for m in r.models.values():
        assert named_symmetric_atoms(m) == []
        assert {c.name for c in symmetric_consts(m)} == {"Pages", "Cpus"}


def test_lint_warns_at_the_place(named) -> None:
    r, _ = named
    warnings = [d for d in r.diagnostics if d.code == "symmetric-element"]
    assert len(warnings) == 1
    assert warnings[0].render(r.sources) == (
        f"{FIXTURE}:7:23: warning: `P2` is an element of the symmetric set `Pages`; symmetry reduction is off "
        "for this variant: a search that permutes `Pages` cannot tell `P2` from its other elements (named in "
        "invariant `OnlyP1`)\n"
        " 7 | invariant OnlyP1: ref[P2] == 0\n"
        "   |                       ^^\n"
        "hint: remove `symmetric` from `Pages`, or don't name its elements (quantify over `Pages` instead)")


def test_builtin_violation_found_with_symmetry_requested(named) -> None:
    _, m = named
    with_sym = check(m, symmetry=True)
    without = check(m, symmetry=False)
    assert with_sym.verdict("OnlyP1") is Verdict.VIOLATED
    assert without.verdict("OnlyP1") is Verdict.VIOLATED
    assert with_sym.stats.distinct == without.stats.distinct
    assert [s.state for s in with_sym.property("OnlyP1").trace.steps] == \
        [s.state for s in without.property("OnlyP1").trace.steps]
    assert with_sym.symmetry is False and without.symmetry is False
    assert with_sym.symmetry_note == symmetry_off_reason(m)
    assert without.symmetry_note is None
    assert compile_model(m, symmetry=True).canon is None


def test_the_fixture_needs_the_guard(named, monkeypatch) -> None:
    # with the guard switched off, the reduced search does miss the violation: the fixture
    # exercises exactly the unsoundness the guard prevents
    _, m = named
    monkeypatch.setattr(explore_compile, "symmetry_off_reason", lambda model: None)
    assert compile_model(m, symmetry=True).canon is not None
    # which violations an unsound reduction misses depends on the representative it keeps:
    # with the least packed state of each orbit (canon="min") this one is missed
    from movspec.explore.search import Budget, Search
    comp = compile_model(m, symmetry=True, canon="min")
    assert Search(comp, Budget(), symmetry=True).run().verdict("OnlyP1") is Verdict.HOLDS


def test_emitted_cfg_has_no_symmetry(named) -> None:
    _, m = named
    em = emit(m)
    assert "SYMMETRY" not in em.render_cfg()
    assert "Permutations" not in em.tla
    sound = load(["spec"]).models["v4_8"]
    assert "SYMMETRY" in emit(sound).render_cfg()


@pytest.mark.tlc
def test_tlc_violation_found_with_symmetry_requested(named) -> None:
    from movspec.tlc import check_model

    _, m = named
    r = check_model(m, symmetry=True)
    assert r.verdict("OnlyP1") is Verdict.VIOLATED
    assert r.symmetry is False and r.symmetry_note == symmetry_off_reason(m)
    assert r.stats.distinct == check(m, symmetry=False).stats.distinct


def test_check_command_reports_the_violation_and_why(tmp_path) -> None:
    from click.testing import CliRunner

    from movspec.cli import cli

    env = {"MOVSPEC_TLA2TOOLS": "", "MOVSPEC_TLC_BACKEND": "", "MOVSPEC_CACHE": "/nonexistent"}
    out = {}
    for flags in ((), ("--no-symmetry",)):
        path = tmp_path / f"r{len(flags)}.json"
        r = CliRunner().invoke(cli, ["check", str(FIXTURE), "-q", "--backend", "builtin", "--json", str(path),
                                     *flags], env=env, catch_exceptions=False)
        assert r.exit_code == 0, r.output  # the fixture expects `violates OnlyP1`
        (res,) = json.loads(path.read_text())["results"]
        out[flags] = res
        assert {p["name"]: p["verdict"] for p in res["properties"]}["OnlyP1"] == "violated"
        assert res["symmetry"] is False
    assert out[()]["symmetry_note"].startswith("symmetry reduction is off: invariant `OnlyP1` names `P2`")
    assert out[("--no-symmetry",)]["symmetry_note"] is None
    assert out[()]["stats"]["distinct"] == out[("--no-symmetry",)]["stats"]["distinct"]
    # and the check prints lint's warning
    r = CliRunner().invoke(cli, ["check", str(FIXTURE), "-q"], env=env, catch_exceptions=False)
    assert "warning: `P2` is an element of the symmetric set `Pages`" in r.output
