"""Sizes from the command line: ``check --const``, ``check --sizes``, ``gen --const``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from movspec.cli import cli
from movspec.cli.sizes import parse_sizes
from movspec.cli.sweep import smallest
from movspec.ir.overrides import Override, OverrideError, grown, parse_override
from movspec.load import load, load_text

COUNT = Path(__file__).parents[1] / "fixtures" / "cli" / "count.mspec"


def _run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# ---------------------------------------------------------------------- values


@pytest.mark.parametrize("atoms, n, want", [
    (("P1", "P2"), 3, ("P1", "P2", "P3")),
    (("P1", "P2"), 1, ("P1",)),
    (("cpu0", "cpu1"), 4, ("cpu0", "cpu1", "cpu2", "cpu3")),
    (("P01", "P02"), 3, ("P01", "P02", "P03")),
    (("C2", "C1"), 3, ("C2", "C1", "C3")),
])
def test_new_model_values_follow_the_declared_names(atoms, n, want):
    assert grown(atoms, n, "S") == want


def test_names_without_a_pattern_are_refused_with_the_way_out():
    with pytest.raises(OverrideError) as e:
        grown(("alice", "bob"), 3, "Users")
    assert str(e.value) == ("cannot make 3 model values of `Users`: its names {alice, bob} have no common "
                            "pattern <prefix><number>")
    assert e.value.hint == "list them: --const Users={alice,bob,...}"
    with pytest.raises(OverrideError):
        grown(("A1", "B2"), 3, "S")  # two prefixes


def test_parse_override_forms():
    assert parse_override("Pages=3") == Override("Pages", size=3)
    assert parse_override("Pages={P1, P2,P9}") == Override("Pages", atoms=("P1", "P2", "P9"))
    assert parse_override("MaxRef = Cpus + 1") == Override("MaxRef", expr="Cpus+1")
    for bad in ("Pages", "=3", "Pages={P1", "Pages={1x}", "Pages=Cpus/2", "Pages=__import__('os')"):
        with pytest.raises(OverrideError):
            parse_override(bad)


def test_sizes_are_swept_smallest_first_with_derived_values_last():
    combos = parse_sizes(["Pages=2..3,Cpus=2..3,MaxRef=Cpus+1"])
    assert [tuple(o.size for o in c[:2]) for c in combos] == [(2, 2), (2, 3), (3, 2), (3, 3)]
    assert all(c[2] == Override("MaxRef", expr="Cpus+1") for c in combos)
    assert [tuple(o.size for o in c) for c in parse_sizes(["Cpus=3", "Pages=1..2"])] == [(3, 1), (3, 2)]
    for bad in (["Pages=3..2"], ["Pages=2..x"], ["Pages=1,Pages=2"], ["MaxRef=Cpus+1"]):
        with pytest.raises(OverrideError):
            parse_sizes(bad)


def test_smallest_keeps_the_minimal_violations():
    assert smallest([(2, 3), (3, 2), (3, 3)]) == [(2, 3), (3, 2)]
    assert smallest([(2, 2), (2, 3)]) == [(2, 2)]


# ---------------------------------------------------------------------- the model


def test_every_variant_gets_the_values_and_derived_ones_follow():
    res = load([COUNT], [Override("Procs", size=3), Override("Max", expr="Procs")])
    assert res.ok, res.diagnostics
    for m in res.models.values():
        assert m.const("Procs").atoms == ("p1", "p2", "p3") and m.const("Procs").symmetric
        assert m.const("Max").value == 3
        assert [p for p in m.procs(m.actor("inc"))] == ["p1", "p2", "p3"]


def test_the_command_line_wins_over_a_variant_s_own_constant():
    text = COUNT.read_text().replace('variant atomic extends racy "one step" {',
                                     'variant atomic extends racy "one step" {\n    const Procs = {p1, p2, p3, p4}')
    res = load_text(text, "count.mspec")
    assert res.models["atomic"].const("Procs").atoms == ("p1", "p2", "p3", "p4")
    from movspec.load import load_files
    res = load_files([("count.mspec", text)], [Override("Procs", size=2)])
    assert res.models["atomic"].const("Procs").atoms == ("p1", "p2")


# ---------------------------------------------------------------------- the command


def test_unknown_constant_is_a_usage_error_with_a_suggestion():
    r = _run("check", str(COUNT), "-q", "--const", "Proc=3")
    assert r.exit_code == 2
    assert "error: the model has no constant `Proc` to set" in r.output
    assert "hint: did you mean `Procs`?" in r.output


@pytest.mark.parametrize("arg, message", [
    ("Max={a,b}", "error: `Max={a,b}`: `Max` is an integer constant, not a set"),
    ("Procs=0", "error: `Procs=0`: a constant set has at least one model value"),
    ("Procs=x/2", "error: --const `Procs=x/2`: the value is neither an integer, a set {...} nor an expression"),
    ("Max=Prcs+1", "error: `Max=Prcs+1`: the model has no constant `Prcs`"),
])
def test_values_that_do_not_fit_are_usage_errors(arg, message):
    r = _run("check", str(COUNT), "-q", "--const", arg)
    assert r.exit_code == 2
    assert message in r.output


def test_a_larger_set_with_a_fixed_bound_shows_as_typeok_and_a_note():
    r = _run("check", str(COUNT), "-q", "--const", "Procs=3")
    assert r.exit_code == 1
    assert "note: Max = 2 as declared at" in r.output and "--const Max=Procs+1" in r.output
    assert "atomic: TypeOK: expected to hold, but it is violated" in r.output


def test_a_derived_bound_keeps_the_model_consistent(tmp_path):
    out = tmp_path / "r.json"
    r = _run("check", str(COUNT), "-q", "--const", "Procs=3", "--const", "Max=Procs", "--json", str(out))
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text())
    assert {(x["variant"], p["name"]): p["verdict"] for x in doc["results"] for p in x["properties"]} == {
        ("racy", "TypeOK"): "holds", ("racy", "AllCounted"): "violated", ("racy", "Deadlock"): "holds",
        ("atomic", "TypeOK"): "holds", ("atomic", "AllCounted"): "holds", ("atomic", "Deadlock"): "holds"}


def test_ill_typed_values_get_the_ordinary_diagnostics(tmp_path):
    f = tmp_path / "m.mspec"
    f.write_text(COUNT.read_text().replace("=> x == |Procs|", "=> x == |Procs| || inc[p2] at read"))
    r = _run("check", str(f), "-q", "--const", "Procs=1")
    assert r.exit_code == 1
    assert f"{f}:" in r.output and "p2" in r.output and "error:" in r.output


def test_sweep_reports_the_smallest_violating_size(tmp_path):
    out = tmp_path / "sweep.json"
    r = _run("check", str(COUNT), "-q", "--sizes", "Procs=1..3,Max=Procs", "--json", str(out))
    # at one process the race cannot happen: `expect racy violates` is not met there
    assert r.exit_code == 1
    assert "[Procs=1, Max=Procs] expectations not met:" in r.output
    assert "smallest sizes with a violation (3 of 3 size combinations checked)" in r.output
    doc = json.loads(out.read_text())
    assert [s["consts"] for s in doc["sweep"]] == [{"Procs": n, "Max": "Procs"} for n in (1, 2, 3)]
    assert doc["smallest"] == [{"variant": "racy", "property": "AllCounted", "smallest": [{"Procs": 2}],
                                "undecided": []}]
    assert [r["variant"] for r in doc["sweep"][2]["results"]] == ["racy", "atomic"]


def test_sweep_refuses_single_size_outputs_and_a_constant_given_twice(tmp_path):
    r = _run("check", str(COUNT), "-q", "--sizes", "Procs=1..2", "--junit", str(tmp_path / "j.xml"))
    assert r.exit_code == 2 and "--junit writes the results of one size" in r.output
    r = _run("check", str(COUNT), "-q", "--sizes", "Procs=1..2", "--const", "Procs=2")
    assert r.exit_code == 2 and "`Procs` is given by both --const and --sizes" in r.output


def test_gen_writes_the_modules_of_the_given_sizes(tmp_path):
    r = _run("gen", str(COUNT), "--out", str(tmp_path / "g"), "--const", "Procs=3", "--const", "Max=Procs")
    assert r.exit_code == 0, r.output
    cfg = (tmp_path / "g" / "racy.cfg").read_text()
    assert "Procs = {p1, p2, p3}" in cfg and "Max = 3" in cfg
    r = _run("gen", str(COUNT), "--out", str(tmp_path / "g"), "--const", "Pages=3")
    assert r.exit_code == 2


@pytest.mark.tlc
def test_tlc_gets_the_same_sizes():
    r = _run("check", str(COUNT), "-q", "--backend", "both", "--const", "Procs=3", "--const", "Max=Procs")
    assert r.exit_code == 0, r.output
    assert "builtin and TLC agree on 2 variants" in r.output
