"""`movspec show`: a resolved variant printed as DSL text loads back to the same model."""

from __future__ import annotations

from pathlib import Path

import pytest

from movspec.ir import nodes as N
from movspec.ir.printer import expr_str, model_str
from movspec.load import load, load_text

ROOT = Path(__file__).parent.parent.parent
MODELS = [ROOT / "tests" / "fixtures" / "ir" / "movable_small.mspec", ROOT / "examples" / "spinlock.mspec",
          ROOT / "examples" / "functions.mspec"]


def _variants():
    for path in MODELS:
        r = load([path])
        assert r.ok
        for name, model in r.models.items():
            yield pytest.param(model, id=f"{path.stem}-{name}")


@pytest.mark.parametrize("model", list(_variants()))
def test_printed_variant_loads_back_equal(model: N.Model) -> None:
    text = model_str(model)
    again = load_text(text, "shown.mspec")
    assert again.ok, "\n".join(d.render(again.sources) for d in again.errors)
    m2 = again.models[model.variant]
    assert m2.consts == model.consts and m2.vars == model.vars and m2.modules == model.modules
    assert m2.properties == model.properties
    assert m2.allow_deadlock == model.allow_deadlock
    for a, b in zip(model.actors, m2.actors, strict=True):
        assert (a.name, a.proc_set, a.fairness, a.locals) == (b.name, b.proc_set, b.fairness, b.locals)
        assert [(s.name, s.anchor, s.doc, s.body) for s in a.steps] == \
            [(s.name, s.anchor, s.doc, s.body) for s in b.steps]
    assert _functions(m2) == _functions(model)
    if model.base is None:  # a base variant prints identically the second time
        assert model_str(m2) == text


def _functions(model: N.Model) -> list:
    return [(f.name, f.params, f.locals, f.result, f.anchor, [(s.name, s.anchor, s.doc, s.body) for s in f.steps])
            for f in model.functions]


@pytest.mark.parametrize("variant", ["v4_8", "per_driver_locking", "v6_0"])
def test_spec_variants_print_their_functions(variant: str) -> None:
    # spec/'s compactor calls isolate_movable_page(), a function the variants change step by step
    model = load([ROOT / "spec"]).models[variant]
    text = model_str(model)
    assert "func isolate_movable_page(p: Pages, cpu: Cpus) -> bool" in text
    assert "ok = call isolate_movable_page(p, self)" in text
    again = load_text(text, "shown.mspec")
    assert again.ok, "\n".join(d.render(again.sources) for d in again.errors)
    assert _functions(again.models[variant]) == _functions(model)
    marked = [line for line in text.splitlines() if "// from variant" in line]
    if variant == "v4_8":
        assert marked == []
    else:
        assert marked and all(line.endswith(f"// from variant {variant}") for line in marked)
        assert any("step isolate @" in line for line in marked)


@pytest.mark.parametrize("e, text", [
    (N.Binary("-", N.IntLit(1), N.Binary("-", N.IntLit(2), N.IntLit(3))), "1 - (2 - 3)"),
    (N.Binary("=>", N.Binary("=>", N.VarRef("a"), N.VarRef("b")), N.VarRef("c")), "(a => b) => c"),
    (N.Binary("&&", N.Quant("forall", "x", N.ConstRef("S"), N.BoundRef("x")), N.VarRef("b")),
     "(forall x in S: x) && b"),
    (N.Unary("-", N.IntLit(-1)), "-(-1)"),
    (N.Card(N.Card(N.ConstRef("S"))), "| |S| |"),
    (N.Binary("union", N.VarRef("s"), N.SetLit((N.AtomLit("a", "enum"),))), "s | {a}"),
    (N.At("c", N.AtomLit("C1", "model"), (N.DONE,)), "c[C1] at done"),
])
def test_expression_printing(e, text) -> None:
    assert expr_str(e) == text
