"""The IR builder: name resolution, expansion, built-in variables and properties."""

from __future__ import annotations

from pathlib import Path

import pytest

from movspec.ir import nodes as N
from movspec.load import load, load_text

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ir"

MODEL = '''
model m "a test model"
const Pages = {P1, P2} symmetric
const Cpus = {C1, C2}
const MaxRef = 2
enum Mapping { null, ops }
struct Page {
    ref: 0..MaxRef = 1
    lock: Cpus | {none} = none
    mapping: Mapping = ops
}
var page: [Pages -> Page]
var freed: set of Pages = {}
module driver "drv" { ops isolate_page }
module other guards OtherGuard { ops cb }

def movable(p) = page[p].mapping == ops
def locked_by(p, c) = page[p].lock == c

macro get_page(p, fail) {
    if page[p].ref == 0 { goto fail }
    page[p].ref += 1
}

fair actor compactor(self in Cpus) {
    local p: Pages
    local m: Mapping = null
    step scan { p = any Pages }
    step get { get_page(p, scan) }
    step isolate {
        if movable(p) && locked_by(p, self) {
            call driver.isolate_page(p)
            m = ops
        }
        assert at isolate, "running here"
        assert m != null, "isolated" as Isolated
    }
    step out { goto done }
}

actor loader {
    local gone: bool = false
    step unload { unload driver  gone = true }
    step tail { any q in Pages { await q notin freed  call other.cb(q) } }
}

invariant Safe "safe": forall p in Pages, c in Cpus: compactor[c] at isolate => compactor[c].p in Pages
invariant Done: loader at done => !driver.loaded && loader.gone
leadsto Back: forall c in Cpus: compactor[c] at get ~> compactor[c] at scan

variant base "the base"
'''


@pytest.fixture(scope="module")
def model() -> N.Model:
    r = load_text(MODEL, "m.mspec")
    assert r.ok, "\n".join(d.render(r.sources) for d in r.diagnostics)
    return r.models["base"]


def test_header_and_variant(model) -> None:
    assert (model.name, model.title, model.variant, model.description, model.base) == \
        ("m", "a test model", "base", "the base", None)


def test_consts_and_types(model) -> None:
    assert model.const("Pages") == N.Const("Pages", ("P1", "P2"), symmetric=True)
    assert model.const("MaxRef").value == 2
    page = model.var("page")
    rt = page.type.range
    assert page.type.domain == N.AtomType(("P1", "P2"), "Pages")
    assert rt.field("ref").type == N.IntType(0, 2)
    assert rt.field("lock").type == N.AtomType(("C1", "C2", "none"))
    assert rt.field("mapping").type == N.AtomType(("null", "ops"), "Mapping")
    # default of a function: every page gets the field defaults
    init = page.init
    assert isinstance(init, N.FuncLit) and init.domain == N.ConstRef("Pages")
    assert init.body == N.RecordLit(rt, (("ref", N.IntLit(1)), ("lock", N.AtomLit("none", "enum")),
                                         ("mapping", N.AtomLit("ops", "enum"))))


def test_module_loaded_vars(model) -> None:
    assert [v.name for v in model.vars] == ["page", "freed", "driver_loaded", "other_loaded"]
    assert model.var("driver_loaded") == N.Var("driver_loaded", N.BoolType(), N.BoolLit(True), "module driver is loaded")
    assert [(m.name, m.guards) for m in model.modules] == [("driver", "NoUseAfterUnload"), ("other", "OtherGuard")]


def test_actors(model) -> None:
    c = model.actor("compactor")
    assert (c.proc_set, c.fairness) == ("Cpus", "weak")
    assert c.local("p") == N.Local("p", N.AtomType(("P1", "P2"), "Pages"), None)
    assert c.local("m").init == N.AtomLit("null", "enum")
    assert model.actor("loader").proc_set is None
    assert model.procs(model.actor("loader")) == ("loader",)


def test_any_becomes_with(model) -> None:
    (w,) = model.actor("compactor").step("scan").body
    assert isinstance(w, N.With) and w.domain == N.ConstRef("Pages")
    assert w.body == (N.Assign(N.LocalRef("compactor", "p"), "=", N.BoundRef(w.var)),)


def test_macro_expansion_substitutes_expressions_and_goto_targets(model) -> None:
    body = model.actor("compactor").step("get").body
    ref = N.Field(N.Index(N.VarRef("page"), N.LocalRef("compactor", "p")), "ref")
    assert body == (
        N.If(N.Binary("==", ref, N.IntLit(0)), (N.Goto("scan"),), ()),
        N.Assign(ref, "+=", N.IntLit(1)),
    )


def test_defs_inline_with_arguments(model) -> None:
    stmt = model.actor("compactor").step("isolate").body[0]
    page_p = N.Index(N.VarRef("page"), N.LocalRef("compactor", "p"))
    assert stmt.cond == N.Binary("&&", N.Binary("==", N.Field(page_p, "mapping"), N.AtomLit("ops", "enum")),
                                 N.Binary("==", N.Field(page_p, "lock"), N.SelfRef()))


def test_call_assert_at(model) -> None:
    body = model.actor("compactor").step("isolate").body
    call = body[0].then[0]
    assert call == N.Call("driver", "isolate_page", (N.LocalRef("compactor", "p"),), "NoUseAfterUnload")
    assert body[1] == N.Assert(N.At("compactor", None, ("isolate",)), "running here", "Assertions")
    assert body[2].prop == "Isolated"
    tail = model.actor("loader").step("tail").body[0].body
    assert tail[1] == N.Call("other", "cb", (N.BoundRef("q"),), "OtherGuard")


def test_unload_and_goto_done(model) -> None:
    assert model.actor("loader").step("unload").body[0] == \
        N.Assign(N.VarRef("driver_loaded"), "=", N.BoolLit(False))
    assert model.actor("compactor").step("out").body == (N.Goto(N.DONE),)


def test_properties(model) -> None:
    names = [p.name for p in model.properties]
    assert names == ["TypeOK", "Safe", "Done", "Back", "NoUseAfterUnload", "Assertions", "Isolated", "OtherGuard"]
    assert model.property_names[-1] == N.DEADLOCK
    safe = model.get_property("Safe")
    assert isinstance(safe.expr, N.Quant) and isinstance(safe.expr.body, N.Quant)
    inner = safe.expr.body.body
    assert inner.left == N.At("compactor", N.BoundRef("c"), ("isolate",))
    assert inner.right.left == N.LocalRef("compactor", "p", N.BoundRef("c"))
    done = model.get_property("Done").expr
    assert done.left == N.At("loader", None, (N.DONE,))
    assert done.right.left == N.Unary("!", N.VarRef("driver_loaded"))
    assert done.right.right == N.LocalRef("loader", "gone", N.AtomLit("loader", "enum"))
    back = model.get_property("Back")
    assert back.bound == (("c", N.ConstRef("Cpus")),)
    assert back.q == N.At("compactor", N.BoundRef("c"), ("scan",))
    assert all(isinstance(model.get_property(n), N.AssertProperty)
               for n in ("Assertions", "Isolated", "NoUseAfterUnload", "OtherGuard"))


def test_type_ok_covers_vars_and_locals(model) -> None:
    type_ok = model.get_property("TypeOK").expr
    parts = []
    stack = [type_ok]
    while stack:
        e = stack.pop()
        if isinstance(e, N.Binary) and e.op == "&&":
            stack += [e.right, e.left]
        else:
            parts.append(e)
    assert [p.expr.name for p in parts[:4]] == ["page", "freed", "driver_loaded", "other_loaded"]
    p_ok = parts[4]  # compactor.p has no initial value: defaultInitValue is accepted
    assert isinstance(p_ok, N.Quant) and p_ok.domain == N.ConstRef("Cpus")
    ref = N.LocalRef("compactor", "p", N.BoundRef(p_ok.var))
    assert p_ok.body == N.Binary("||", N.InType(ref, N.AtomType(("P1", "P2"), "Pages")),
                                 N.Binary("==", ref, N.AtomLit(N.DEFAULT_INIT, "default")))
    m_ok = parts[5]
    assert isinstance(m_ok.body, N.InType)
    assert parts[6] == N.InType(N.LocalRef("loader", "gone", N.AtomLit("loader", "enum")), N.BoolType())


def test_atom_kinds(model) -> None:
    lock_default = model.var("page").type.range.field("lock").default
    assert lock_default == N.AtomLit("none", "enum")
    r = load_text("model m\nconst S = {A, B}\nvar x: S = A\nactor a { step s { x = B } }\n")
    assert r.ok and r.models["m"].var("x").init == N.AtomLit("A", "model")


def test_spans_point_into_the_source(model) -> None:
    step = model.actor("compactor").step("get")
    assert (step.span.line, step.span.col) == (29, 5)
    # statements expanded from a macro keep the macro's lines
    assert step.body[1].span.line == 22


def test_expectation_notes() -> None:
    r = load_text(MODEL + "// it is safe\n// really\nexpect base holds Safe, TypeOK\nexpect base violates Isolated\n")
    assert r.ok
    exps = r.models["base"].expectations
    assert exps == (N.Expectation("holds", ("Safe", "TypeOK"), "it is safe\nreally"),
                    N.Expectation("violates", ("Isolated",), None))


def test_model_without_variants_is_its_own_variant() -> None:
    r = load_text("model solo\nvar x: bool = false\nactor a { step s { x = true } }\n")
    assert r.ok and list(r.models) == ["solo"]
    assert r.models["solo"].variant == "solo"


def test_fixture_model_loads_every_variant() -> None:
    r = load([FIXTURES / "movable_small.mspec"])
    assert r.ok
    assert list(r.models) == ["v4_8", "per_driver_locking"]
    # two unused locals, and invariant `Misc` names `P1` of the symmetric set `Pages`
    assert [(d.severity.value, d.code) for d in r.diagnostics] == \
        [("warning", "unused"), ("warning", "symmetric-element"), ("warning", "unused")]


def test_directory_loads_in_name_order(tmp_path) -> None:
    (tmp_path / "b.mspec").write_text("actor a { step s { x = true } }\n")
    (tmp_path / "a.mspec").write_text("model m\nvar x: bool = false\n")
    (tmp_path / "notes.txt").write_text("not a model")
    r = load([tmp_path])
    assert r.ok and list(r.sources.files) == [str(tmp_path / "a.mspec"), str(tmp_path / "b.mspec")]


def test_expansion_never_captures_an_argument() -> None:
    r = load_text('''model m
const S = {A, B}
var g: [S -> bool]
def f(x) = forall q in S: g[q] == g[x]
macro copy(y) { any q in S { g[q] = g[y] } }
actor a { step s { any q in S { await f(q)  copy(q) } } }
''')
    assert r.ok, [d.render() for d in r.diagnostics]
    (outer,) = r.models["m"].actor("a").steps[0].body
    await_, with_ = outer.body
    assert outer.var == "q"
    inner = await_.cond
    assert inner.var not in ("q",) and inner.body.left == N.Index(N.VarRef("g"), N.BoundRef(inner.var))
    assert inner.body.right == N.Index(N.VarRef("g"), N.BoundRef("q"))
    assert with_.var not in ("q", inner.var)
    assert with_.body[0].value == N.Index(N.VarRef("g"), N.BoundRef("q"))


def test_bound_variables_may_not_shadow() -> None:
    r = load_text("model m\nconst S = {A}\nvar x: bool = false\n"
                  "actor a { step s { await forall q in S: exists q in S: x } }\n")
    assert [d.message for d in r.errors] == ["bound variable `q` has the name of an enclosing bound variable"]
