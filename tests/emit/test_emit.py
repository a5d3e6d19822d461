"""The PlusCal emitter: golden modules, syntax (tree-sitter TLA+ grammar), byte stability,
labelling rules, name escaping, line maps, and the gen/ directory."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
import tree_sitter_tlaplus
from click.testing import CliRunner
from tree_sitter import Language, Parser

from . import handmade
from movspec.emit import compare_files, emit, render_files, write_files
from movspec.emit.names import Namer, is_reserved
from movspec.emit.pluscal import always_jumps, group_assignments, lower
from movspec.ir import nodes as ir
from movspec.span import Span
from tests.conftest import check_golden

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "emit"
with warnings.catch_warnings():
    # tree-sitter-tlaplus 1.5 hands out the language as an int pointer, which newer
    # tree-sitter bindings deprecate but still accept
    warnings.simplefilter("ignore", DeprecationWarning)
    PARSER = Parser(Language(tree_sitter_tlaplus.language()))


def syntax_errors(text: str) -> list[str]:
    """Positions of ERROR / MISSING nodes in the tree-sitter parse of a TLA+ module."""
    tree = PARSER.parse(text.encode())
    out = []

    def walk(n):
        if n.type == "ERROR" or n.is_missing:
            out.append(f"{n.start_point[0] + 1}:{n.start_point[1] + 1} {n.type}")
        for c in n.children:
            walk(c)

    walk(tree.root_node)
    return out


def spec_models():
    from movspec.load import load
    res = load([str(ROOT / "spec")])
    assert res.ok, [d.render() for d in res.errors]
    return res.models


# --------------------------------------------------------------------------- golden output

@pytest.mark.parametrize("variant", handmade.VARIANTS)
def test_golden_module_and_cfg(variant):
    em = emit(handmade.model(variant))
    for suffix, text in ((".tla", em.tla), (".cfg", em.cfg)):
        check_golden(FIX / f"{variant}{suffix}", text)


def test_output_is_byte_stable():
    a = render_files([handmade.model(v) for v in handmade.VARIANTS])
    b = render_files([handmade.model(v) for v in handmade.VARIANTS])
    assert a == b
    assert "locked.tla" in a and "leaky.cfg" in a


def test_spec_output_is_byte_stable():
    models = spec_models()
    assert render_files(models.values()) == render_files(spec_models().values())


# --------------------------------------------------------------------------- syntax

def test_tree_sitter_catches_a_broken_module():
    em = emit(handmade.model("locked"))
    assert syntax_errors(em.tla) == []
    broken = em.tla.replace("await page[P1].lock = \"none\";", "await page[P1].lock = ;")
    assert syntax_errors(broken), "the grammar must see inside the PlusCal algorithm"
    assert syntax_errors(em.tla.replace("FreeHygiene ==", "FreeHygiene = ="))


@pytest.mark.parametrize("variant", handmade.VARIANTS)
def test_handmade_modules_parse(variant):
    assert syntax_errors(emit(handmade.model(variant)).tla) == []


def test_every_spec_variant_parses():
    models = spec_models()
    assert models, "spec/ defines no variant"
    for name, m in models.items():
        em = emit(m)
        assert syntax_errors(em.tla) == [], name


def test_committed_gen_parses():
    gen = ROOT / "gen"
    files = sorted(gen.glob("*.tla"))
    assert files, "gen/ holds no module: run `movspec gen`"
    for f in files:
        assert syntax_errors(f.read_text()) == [], f.name


def test_translated_module_parses():
    # a module after pcal.trans (recorded fixture): the translation is TLA+ too
    text = (ROOT / "tests" / "fixtures" / "tlc" / "leaky_translated.tla").read_text()
    assert "\\* END TRANSLATION" in text
    assert syntax_errors(text) == []


# --------------------------------------------------------------------------- structure

def test_each_step_is_one_label_with_its_dsl_line_and_function():
    m = handmade.model("locked")
    em = emit(m)
    for a in m.actors:
        for s in a.steps:
            label = f"{a.name}_{s.name}"
            lines = [l for l in em.tla.splitlines() if re.match(rf"\s+{label}:", l)]
            assert len(lines) == 1, label
            assert f"spec/mini.mspec:{s.span.line} {a.name}.{s.name} @ {s.anchor}" in lines[0]
            assert em.labels[label].step == s.name


def test_line_map_points_at_dsl_statements():
    em = emit(handmade.model("locked"))
    lines = em.tla.splitlines()
    n = next(i for i, l in enumerate(lines, 1) if "compactor_get:" in l)
    assert em.span_of_line(n).line == 13
    n = next(i for i, l in enumerate(lines, 1) if "page[MS_Key(page, p)].ref := page[p].ref + 1;" in l)
    assert em.span_of_line(n).line == 15
    n = next(i for i, l in enumerate(lines, 1) if l.strip().startswith("FreeHygiene =="))
    assert em.span_of_line(n).line == 41


def test_consecutive_assignments_become_one_multiple_assignment():
    em = emit(handmade.model("locked"))
    block = em.tla.split("driver_release:")[1].split("}")[0]
    assert "page[P1].ref := page[P1].ref - 1\n" in block
    assert "|| page[P1].mapping := \"null\"" in block
    assert "|| page[P1].lock := \"none\";" in block
    assert block.count(":=") == 3


def test_tail_duplication_keeps_a_step_one_label():
    # if c { goto put }  x = 1; y = 2   ->  if c { goto put } else { x = 1; y = 2 }
    x = ir.Assign(ir.VarRef("x"), "=", ir.IntLit(1))
    y = ir.Assign(ir.VarRef("y"), "=", ir.IntLit(2))
    body = (ir.If(ir.BoolLit(True), (ir.Goto("put"),)), x, y)
    out = lower(body)
    assert out == (ir.If(ir.BoolLit(True), (ir.Goto("put"),), (x, y)),)
    # a branch that may fall through gets the tail; one that always jumps does not
    inner = ir.If(ir.BoolLit(False), (ir.Goto("a"),))
    out = lower((ir.Either(((inner,), (ir.Goto("b"),))), x))
    (either,) = out
    assert either.branches[1] == (ir.Goto("b"),)
    assert either.branches[0] == (ir.If(ir.BoolLit(False), (ir.Goto("a"),), (x,)),)
    assert not always_jumps(either.branches[0]) and always_jumps(either.branches[1])
    # no goto: nothing moves
    plain = (ir.If(ir.BoolLit(True), (x,)), y)
    assert lower(plain) == plain


def test_grouping_only_merges_the_same_variable():
    a1 = ir.Assign(ir.Field(ir.Index(ir.VarRef("page"), ir.IntLit(1)), "ref"), "=", ir.IntLit(0))
    a2 = ir.Assign(ir.Field(ir.Index(ir.VarRef("page"), ir.IntLit(2)), "lock"), "=", ir.IntLit(0))
    b = ir.Assign(ir.VarRef("n"), "=", ir.IntLit(0))
    assert group_assignments((a1, a2, b, a1)) == [[a1, a2], [b], [a1]]


def test_single_actor_self_is_its_id():
    em = emit(handmade.model("locked"))
    assert 'process (driver = "driver")' in em.tla
    assert "fair process (compactor \\in Cpus)" in em.tla
    assert 'MS_Check("NoUseAfterUnload", 1, self, driver_loaded)' in em.tla


def test_cfg_declares_model_values_symmetry_and_properties():
    em = emit(handmade.model("locked"))
    cfg = em.cfg
    assert "    Cpus = {C1, C2}\n" in cfg and "    C1 = C1\n" in cfg
    assert "defaultInitValue = defaultInitValue" in cfg
    assert "SYMMETRY Symmetry" in cfg
    assert "INVARIANTS\n    TypeOK\n    FreeHygiene\n" in cfg
    assert "PROPERTIES\n    EventualUnlock\n" in cfg
    assert 'MS_Checks = {"Assertions", "NoUseAfterUnload"}' in cfg
    off = em.render_cfg(checks=("Assertions",), symmetry=False, check_deadlock=False, invariants=())
    assert 'MS_Checks = {"Assertions"}' in off and "SYMMETRY" not in off
    assert "CHECK_DEADLOCK FALSE" in off and "INVARIANTS" not in off


# --------------------------------------------------------------------------- names

def test_reserved_words_and_collisions_are_escaped():
    sp = Span("x.mspec", 1, 1, 1, 2)
    t = ir.IntType(0, 1)
    m = ir.Model(
        name="esc", title=None, variant="Next", description=None, source=None, base=None,
        consts=(ir.Const("Init", atoms=("a", "pc")),),
        vars=(ir.Var("vars", t, ir.IntLit(0), span=sp), ir.Var("x", t, ir.IntLit(0), span=sp)),
        modules=(),
        actors=(
            ir.Actor("Spec", None, (ir.Local("x", t, ir.IntLit(0)),), (
                ir.Step("stack", (ir.Assign(ir.VarRef("vars"), "=", ir.IntLit(1)),
                                  ir.Assign(ir.LocalRef("Spec", "x"), "=", ir.IntLit(1)))),)),
            ir.Actor("w", None, (ir.Local("x", t, ir.IntLit(0)),), (
                ir.Step("if", (ir.Await(ir.Quant("exists", "x", ir.ConstRef("Init"),
                                                 ir.Binary("==", ir.BoundRef("x"), ir.AtomLit("pc", "model")))),)),)),
        ),
        properties=(ir.Invariant("TRUE", ir.Binary("<=", ir.VarRef("vars"), ir.IntLit(1))),),
        allow_deadlock=True,
    )
    em = emit(m)
    sy = em.symbols
    assert sy.const("Init") == "Init_1"
    assert sy.var("vars") == "vars_1"
    assert sy.model_value("pc") == "pc_1"
    assert sy.actor("Spec") == "Spec_1"
    # the same local name in two actors: both prefixed, and distinct from global x
    assert {sy.local("Spec", "x"), sy.local("w", "x")} == {"Spec_x", "w_x"}
    assert sy.label("w", "if") == "w_if"
    assert sy.prop("TRUE") == "TRUE_1"
    assert em.module == "Next_1"
    assert "MODULE Next_1" in em.tla
    assert "\\E x_1 \\in Init_1: x_1 = pc_1" in em.tla  # bound x may not shadow variable x
    assert syntax_errors(em.tla) == []


def test_namer_is_first_come_first_served():
    n = Namer()
    assert n.claim("var", "page") == "page"
    assert n.claim("local", "c.page", "page") == "page_1"
    assert n.claim("label", "c.x y") == "c_x_y"
    assert n.claim("var", "page") == "page"
    assert is_reserved("ENABLED") and is_reserved("MS_Check") and is_reserved("WF_x")
    assert not is_reserved("page")


# --------------------------------------------------------------------------- gen/

def test_write_and_compare_gen_directory(tmp_path):
    files = render_files([handmade.model(v) for v in handmade.VARIANTS])
    rep = write_files(files, tmp_path)
    assert sorted(rep.written) == sorted(files)
    assert compare_files(files, tmp_path).clean
    (tmp_path / "leaky.cfg").write_text("changed")
    (tmp_path / "nolock.tla").unlink()
    (tmp_path / "gone.tla").write_text("\\* Generated by movspec from x; do not edit.\n")
    (tmp_path / "notes.tla").write_text("hand-written, not ours\n")
    rep = compare_files(files, tmp_path)
    assert rep.stale == ["leaky.cfg"] and rep.missing == ["nolock.tla"] and rep.extra == ["gone.tla"]
    write_files(files, tmp_path)
    assert compare_files(files, tmp_path).clean
    assert not (tmp_path / "gone.tla").exists() and (tmp_path / "notes.tla").exists()


def test_leadsto_under_symmetry_gets_a_configuration_without_symmetry():
    from dataclasses import replace
    # TLC may miss a liveness violation under SYMMETRY: gen/ gives the leadsto properties a
    # .cfg of their own without it, and keeps SYMMETRY for the safety properties
    files = render_files([handmade.model("leaky")])
    assert sorted(files) == ["leaky.cfg", "leaky.tla", "leaky_liveness.cfg"]
    safety, live = files["leaky.cfg"], files["leaky_liveness.cfg"]
    assert "SYMMETRY Symmetry" in safety and "PROPERTIES" not in safety and "INVARIANTS\n    TypeOK" in safety
    assert "\nSYMMETRY" not in live
    assert "PROPERTIES\n    EventualUnlock\n" in live and "INVARIANTS" not in live
    assert "leaky_liveness.cfg" in safety and "tlc2.TLC -config leaky_liveness.cfg leaky.tla" in live
    # without symmetry, one configuration holds both
    plain = render_files([replace(handmade.model("leaky"), consts=tuple(
        replace(c, symmetric=False) for c in handmade.model("leaky").consts))])
    assert sorted(plain) == ["leaky.cfg", "leaky.tla"] and "PROPERTIES" in plain["leaky.cfg"]


def test_cli_gen_and_check(tmp_path):
    from movspec.cli import cli
    runner = CliRunner()
    out = tmp_path / "gen"
    res = runner.invoke(cli, ["gen", str(ROOT / "spec"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "wrote" in res.output and any(out.glob("*.tla")) and any(out.glob("*.cfg"))
    res = runner.invoke(cli, ["gen", str(ROOT / "spec"), "--out", str(out), "--check"])
    assert res.exit_code == 0 and "up to date" in res.output
    victim = sorted(out.glob("*.cfg"))[0]
    victim.write_text(victim.read_text() + "\\* edited\n")
    res = runner.invoke(cli, ["gen", str(ROOT / "spec"), "--out", str(out), "--check"])
    assert res.exit_code == 1
    assert f"{victim.name}: differs from what the specs produce" in res.output


def test_committed_gen_is_fresh(monkeypatch):
    """CI's freshness check: gen/ is exactly what `movspec gen` produces from spec/."""
    from movspec.cli import cli
    monkeypatch.chdir(ROOT)
    res = CliRunner().invoke(cli, ["gen", "--check"])
    assert res.exit_code == 0, res.output


def test_another_process_local_in_own_family_is_refused():
    from dataclasses import replace
    from movspec.emit import EmitError
    m = handmade.model("locked")
    comp = m.actor("compactor")
    sp = Span("spec/mini.mspec", 11, 9, 11, 20)
    other = ir.LocalRef("compactor", "p", ir.AtomLit("C2", "model"), span=sp)
    step = replace(comp.steps[0], body=(ir.Await(ir.Binary("==", other, ir.AtomLit("P1", "model"))),))
    comp = replace(comp, steps=(step,) + comp.steps[1:])
    bad = replace(m, actors=tuple(comp if a.name == "compactor" else a for a in m.actors))
    with pytest.raises(EmitError, match=r"spec/mini.mspec:11:9: a step of compactor reads compactor\[...\].p"):
        emit(bad)


def test_gen_does_not_depend_on_the_working_directory(tmp_path, monkeypatch):
    from movspec.cli import cli
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(cli, ["gen", str(ROOT / "spec"), "--out", str(ROOT / "gen"), "--check"])
    assert res.exit_code == 0, res.output
