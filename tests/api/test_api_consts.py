"""Constants in the Python API (``movspec.load(..., consts=)``, ``movspec.check(..., consts=)``),
the same as ``movspec check --const``; and the API pieces ``movspec check`` is built on."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import movspec
from movspec import api
from movspec.cli import cli
from movspec.ir.overrides import Override

ROOT = Path(__file__).resolve().parents[2]
COUNT = ROOT / "tests" / "fixtures" / "cli" / "count.mspec"


def _verdicts(results) -> dict:
    return {(r.variant, p.name): p.verdict.value for r in results for p in r.properties}


def _cli_errors(*args) -> list[str]:
    r = CliRunner().invoke(cli, ["check", str(COUNT), "-q", *args])
    assert r.exit_code == 2, r.output
    return [line for line in r.output.splitlines() if line.startswith(("error:", "hint:"))]


def test_the_forms_of_a_value_are_those_of_const():
    assert api.overrides({"Procs": 3, "Max": "Procs+1"}) == (Override("Procs", size=3), Override("Max", expr="Procs+1"))
    assert api.overrides({"Procs": ["p1", "p2", "p9"]}) == (Override("Procs", atoms=("p1", "p2", "p9")),)
    assert api.overrides({"Procs": {"p2", "p1"}}) == (Override("Procs", atoms=("p1", "p2")),)
    assert api.overrides(["Procs=3", "Max = 4"]) == (Override("Procs", size=3), Override("Max", size=4))
    assert api.overrides(None) == () and api.overrides({}) == ()


def test_load_with_consts_sets_every_variant_as_the_cli_does():
    loaded = movspec.load([COUNT], consts={"Procs": 3, "Max": "Procs"})
    assert loaded.ok, loaded.diagnostics
    for m in loaded.models.values():
        assert m.const("Procs").atoms == ("p1", "p2", "p3")
        assert m.const("Max").value == 3
    results = movspec.check(loaded)
    assert _verdicts(results)[("racy", "AllCounted")] == "violated"
    assert _verdicts(results)[("atomic", "AllCounted")] == "holds"
    # the very verdicts `movspec check --const` gives
    out = CliRunner().invoke(cli, ["check", str(COUNT), "-q", "--no-cache", "-j", "1", "--const", "Procs=3",
                                   "--const", "Max=Procs", "--json", "-"])
    assert out.exit_code == 0, out.output
    import json
    doc = json.loads(out.stdout)
    assert {(r["variant"], p["name"]): p["verdict"] for r in doc["results"] for p in r["properties"]} == \
        _verdicts(results)
    assert [r.stats.distinct for r in results] == [r["stats"]["distinct"] for r in doc["results"]]


def test_check_with_consts_loads_the_model_again_and_leaves_the_first_alone():
    loaded = movspec.load([COUNT])
    (small,) = movspec.check(loaded, variants=["atomic"])
    (big,) = movspec.check(loaded, variants=["atomic"], consts={"Procs": 3, "Max": 3})
    assert big.stats.distinct > small.stats.distinct
    assert big.verdict("AllCounted") is movspec.Verdict.HOLDS
    assert loaded.models["atomic"].const("Procs").atoms == ("p1", "p2")  # not changed in place
    (again,) = movspec.check(str(COUNT), variants=["atomic"], consts={"Procs": 3, "Max": 3})  # or the paths
    assert again.stats.distinct == big.stats.distinct
    # without Max growing, x overflows 0..Max: the same finding as the CLI's (see test_const_sizes)
    (r,) = movspec.check(loaded, variants=["atomic"], consts={"Procs": 3})
    assert r.verdict("TypeOK") is movspec.Verdict.VIOLATED


def test_an_unknown_constant_is_the_clis_error():
    with pytest.raises(movspec.ConstError) as e:
        movspec.load([COUNT], consts={"Proc": 3})
    assert str(e.value) == "the model has no constant `Proc` to set"
    assert e.value.hint == "did you mean `Procs`?"
    assert _cli_errors("--const", "Proc=3") == [f"error: {e.value}", f"hint: {e.value.hint}"]
    with pytest.raises(movspec.ConstError, match="no constant `Proc`"):
        movspec.check(movspec.load([COUNT]), consts={"Proc": 3})


@pytest.mark.parametrize("value, cli", [
    (0, "Procs=0"),                 # a set has at least one value
    (["p1", "1x"], "Procs={p1,1x}"),  # not a name
    ("x/2", "Procs=x/2"),           # not an expression over constants
])
def test_a_value_that_does_not_fit_is_the_clis_error(value, cli):
    with pytest.raises(movspec.ConstError) as e:
        movspec.load([COUNT], consts={"Procs": value})
    lines = _cli_errors("--const", cli)
    assert lines[0].endswith(str(e.value)), (lines, str(e.value))  # the CLI adds `--const ` to syntax errors
    assert lines[1:] == ([f"hint: {e.value.hint}"] if e.value.hint else [])


def test_a_value_of_no_form_and_consts_on_loaded_models_are_refused():
    for bad in ({"Procs": 2.5}, {"Procs": True}, {"Procs": None}):
        with pytest.raises(movspec.ConstError, match="neither an integer"):
            movspec.load([COUNT], consts=bad)
    with pytest.raises(movspec.ConstError, match="given twice"):
        api.overrides(["Procs=2", "Procs=3"])
    loaded = movspec.load([COUNT])
    with pytest.raises(TypeError, match="when a model is loaded"):
        movspec.check(loaded.models, consts={"Procs": 3})
    with pytest.raises(ValueError, match="no such file"):
        movspec.check(str(ROOT / "nosuch.mspec"))


def test_select_says_what_the_cli_says():
    loaded = movspec.load([COUNT])
    with pytest.raises(movspec.UnknownName) as e:
        api.select(loaded, ["atomc"])
    assert isinstance(e.value, KeyError)
    assert e.value.message == "no variant atomc (the model has: atomic, racy)"
    assert e.value.hint == "did you mean `atomic`?"
    r = CliRunner().invoke(cli, ["check", str(COUNT), "-q", "--variant", "atomc"])
    assert r.exit_code == 2 and f"error: {e.value.message}\nhint: {e.value.hint}" in r.output
    with pytest.raises(movspec.UnknownName, match="no property AllCounte in the variants checked"):
        api.select(loaded, None, ["AllCounte"])
    chosen = api.select(loaded, ["atomic"], ["AllCounted"])
    assert list(chosen) == ["atomic"] and "AllCounted" in chosen["atomic"].property_names
    assert list(api.select(loaded)) == ["racy", "atomic"]


def test_options_carry_the_budgets_to_either_checker():
    loaded = movspec.load([COUNT])
    model = loaded.models["racy"]
    full = api.check_builtin(model)
    r = api.check_builtin(model, movspec.Options(max_states=3))
    assert full.complete and not r.complete and r.stats.distinct < full.stats.distinct
    assert movspec.Options(first=True).settings("builtin")["first"] is True
    assert "tlc" in movspec.Options().settings("tlc") and "fingerprints" not in movspec.Options().settings("tlc")
    assert api.backend_of("auto") == "builtin"
    with pytest.raises(ValueError, match="unknown backend 'spin'"):
        api.backend_of("spin")
    (first,) = movspec.check(loaded, variants=["racy"], first=True)
    assert first.verdict("AllCounted") is movspec.Verdict.VIOLATED


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_cli_checks_each_variant_through_the_api(monkeypatch, tmp_path, jobs):
    # one code path: `movspec check` runs api.check_builtin for every variant in process
    # (-j 1), and its two halves, api.check_builtin_safety then api.check_builtin_on_graph,
    # in its worker processes (-j 2, forked: they see the stand-ins too)
    import dataclasses
    import json

    real, first_half, second_half = api.check_builtin, api.check_builtin_safety, api.check_builtin_on_graph

    def ok(options):
        assert isinstance(options, api.Options) and options.max_depth == 40 and options.symmetry is False

    def spy(model, options=api.Options(), **kw):
        ok(options)
        return dataclasses.replace(real(model, options, **kw), runner=f"spy:{model.variant}")

    def spy_first(model, options=api.Options(), **kw):
        ok(options)
        return dataclasses.replace(first_half(model, options, **kw), runner=f"half:{model.variant}")

    def spy_second(model, safety, options=api.Options(), **kw):
        ok(options)
        assert safety.runner == f"half:{model.variant}"
        return dataclasses.replace(second_half(model, safety, options, **kw), runner=f"spy:{model.variant}")

    monkeypatch.setattr(api, "check_builtin", spy)
    monkeypatch.setattr(api, "check_builtin_safety", spy_first)
    monkeypatch.setattr(api, "check_builtin_on_graph", spy_second)
    out = tmp_path / "r.json"
    r = CliRunner().invoke(cli, ["check", str(COUNT), "-q", "--no-cache", "-j", jobs, "--max-depth", "40",
                                 "--no-symmetry", "--json", str(out)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert [x["runner"] for x in json.loads(out.read_text())["results"]] == ["spy:racy", "spy:atomic"]


def test_the_cache_keys_settings_are_what_they_were():
    # the result cache keys on these: a change would silently re-check every cached variant
    o = movspec.Options(max_states=10, timeout=2.0, max_memory=2**30, first=True, workers=3, tlc_jar="/no/jar")
    assert o.settings("builtin") == {"symmetry": True, "max_states": 10, "max_depth": None, "timeout": 2.0,
                                     "first": True, "max_memory": 2**30, "fingerprints": False}
    assert o.settings("tlc") == {"symmetry": True, "max_states": 10, "max_depth": None, "timeout": 2.0,
                                 "workers": 3, "tlc": "/no/jar", "first": True}
