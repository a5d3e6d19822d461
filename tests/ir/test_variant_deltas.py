"""Variant deltas: applied in order on top of the variant extended."""

from __future__ import annotations


import pytest

from movspec.ir import nodes as N
from movspec.load import Delta, load_text

BASE = '''model m
const Pages = {P1, P2}
var n: 0..3 = 0
var done_flag: bool = false
def small = n < 2
macro bump() { n += 1 }
actor a {
    step one @ "a.c:one" "first" { bump() }
    step two { await small }
    step three { done_flag = true }
}
invariant Small: n <= 3
invariant Flag: done_flag => n >= 0
'''


def variants(text: str):
    r = load_text(BASE + text, "m.mspec")
    assert r.ok, "\n".join(d.render(r.sources) for d in r.diagnostics)
    return r


def steps(model: N.Model, actor: str = "a") -> list[str]:
    return [s.name for s in model.actor(actor).steps]


def test_replace_keeps_anchor_and_doc_unless_given() -> None:
    r = variants('variant base\nvariant v extends base {\n    replace a.one { skip }\n'
                 '    replace a.two @ "b.c:two" "second" { skip }\n}\n')
    base, v = r.models["base"], r.models["v"]
    one = v.actor("a").step("one")
    assert (one.anchor, one.doc, one.body, one.origin) == ("a.c:one", "first", (N.Skip(),), "v")
    two = v.actor("a").step("two")
    assert (two.anchor, two.doc, two.origin) == ("b.c:two", "second", "v")
    assert base.actor("a").step("one").origin is None
    assert base.actor("a").step("one").body != one.body


def test_insert_and_remove_positions() -> None:
    r = variants("variant base\nvariant v extends base {\n    insert after a.one step x { skip }\n"
                 "    insert before a.one step y { skip }\n    remove a.three\n"
                 "    insert after a.two step z { skip }\n}\n")
    assert steps(r.models["base"]) == ["one", "two", "three"]
    v = r.models["v"]
    assert steps(v) == ["y", "one", "x", "two", "z"]
    assert [s.origin for s in v.actor("a").steps] == ["v", None, "v", None, "v"]


def test_deltas_apply_in_order_along_the_chain() -> None:
    r = variants("variant base\nvariant v1 extends base {\n    insert after a.one step x { skip }\n}\n"
                 "variant v2 extends v1 {\n    replace a.x { n = 1 }\n    remove a.two\n}\n"
                 "variant alias extends v2\n")
    assert steps(r.models["v1"]) == ["one", "x", "two", "three"]
    v2 = r.models["v2"]
    assert steps(v2) == ["one", "x", "three"]
    assert v2.actor("a").step("x").origin == "v2"
    assert v2.base == "v1"
    alias = r.models["alias"]
    same = ("consts", "vars", "modules", "actors", "properties", "allow_deadlock")
    assert all(getattr(alias, f) == getattr(v2, f) for f in same)
    assert alias.variant == "alias" and alias.base == "v2"


def test_constant_macro_and_def_overrides() -> None:
    r = variants("variant base\nvariant v extends base {\n    const Pages = {P1, P2, P3}\n"
                 "    macro bump() { n += 2 }\n    def small = n < 1\n}\n")
    base, v = r.models["base"], r.models["v"]
    assert base.const("Pages").atoms == ("P1", "P2")
    assert v.const("Pages").atoms == ("P1", "P2", "P3")
    assert base.actor("a").step("one").body == (N.Assign(N.VarRef("n"), "+=", N.IntLit(1)),)
    assert v.actor("a").step("one").body == (N.Assign(N.VarRef("n"), "+=", N.IntLit(2)),)
    assert v.actor("a").step("two").body == (N.Await(N.Binary("<", N.VarRef("n"), N.IntLit(1))),)
    # the order of declarations is kept: an override stays in place
    assert [c.name for c in v.consts] == ["Pages"]


def test_var_override_changes_initial_value() -> None:
    r = variants("variant base\nvariant v extends base {\n    var n: 0..3 = 2\n}\n")
    assert r.models["base"].var("n").init == N.IntLit(0)
    assert r.models["v"].var("n").init == N.IntLit(2)
    assert [v.name for v in r.models["v"].vars] == ["n", "done_flag"]


def test_constant_override_changes_types() -> None:
    r = variants("var where: Pages = P1\nvariant base\nvariant v extends base {\n"
                 "    const Pages = {P1, P3}\n    actor b { step s { where = P3 } }\n}\n")
    assert r.models["v"].var("where").type == N.AtomType(("P1", "P3"), "Pages")


def test_additions_and_property_removal() -> None:
    r = variants("variant base\nvariant v extends base {\n    var ghost: bool = false\n"
                 "    local a.mine: 0..1 = 1\n    actor b { step s { ghost = true  await a.mine == 1 } }\n"
                 "    invariant Extra: ghost => true\n    remove property Small\n    allow deadlock\n}\n")
    base, v = r.models["base"], r.models["v"]
    assert v.var("ghost") is not None and base.var("ghost") is None
    assert v.actor("a").local("mine") == N.Local("mine", N.IntType(0, 1), N.IntLit(1))
    assert [a.name for a in v.actors] == ["a", "b"]
    assert [p.name for p in v.properties] == ["TypeOK", "Flag", "Extra"]
    assert [p.name for p in base.properties] == ["TypeOK", "Small", "Flag"]
    assert v.allow_deadlock and not base.allow_deadlock
    assert N.DEADLOCK not in v.property_names


def test_removing_a_goto_target_is_reported_in_that_variant() -> None:
    r = load_text(BASE.replace("step three { done_flag = true }", "step three { done_flag = true  goto two }")
                  + "variant base\nvariant v extends base {\n    remove a.two\n}\n", "m.mspec")
    assert not r.ok
    (err,) = r.errors
    assert err.message == "`goto two`: actor `a` has no step `two`"
    assert "base" in r.models and "v" in r.models


def test_deltas_as_written() -> None:
    text = ("variant base\nvariant v extends base \"desc\" {\n    replace a.one { skip }\n"
            "    insert before a.two step x @ \"f.c:g\" {\n        skip\n    }\n"
            "    remove a.three\n    remove property Small\n    local a.k: bool\n"
            "    const Pages = {P1}\n    allow deadlock\n}\n")
    r = load_text(BASE + text, "m.mspec")
    assert [(d.kind, d.target) for d in r.deltas["v"]] == [
        ("replace", "a.one"), ("insert_before", "a.two"), ("remove", "a.three"),
        ("remove_property", "Small"), ("local", "a.k"), ("const", "Pages"), ("allow_deadlock", ""),
    ]
    texts = [d.text for d in r.deltas["v"]]
    assert texts[0] == "replace a.one { skip }"
    assert texts[1] == 'insert before a.two step x @ "f.c:g" {\n        skip\n    }'
    assert texts[5] == "const Pages = {P1}"
    assert r.deltas["base"] == []
    assert r.deltas["v"][0].span.line == BASE.count("\n") + 3
    assert isinstance(r.deltas["v"][0], Delta)


@pytest.mark.parametrize("delta, message", [
    ("replace a.fuor { skip }", "variant `v` replaces step `fuor` of actor `a`, which does not exist"),
    ("remove b.one", "variant `v` names actor `b`, which does not exist"),
    ("insert after a.one step two { skip }", "actor `a` already has a step `two`"),
    ("remove property Smal", "variant `v` removes property `Smal`, which does not exist"),
    ("local a.k: bool\n    local a.k: bool", "actor `a` already has a local `k`"),
    ("var Pages: bool = true", "`Pages` is already a constant, it cannot be redeclared as a variable"),
])
def test_bad_deltas(delta: str, message: str) -> None:
    r = load_text(BASE + f"variant base\nvariant v extends base {{\n    {delta}\n}}\n", "m.mspec")
    assert message in [d.message for d in r.errors]


def test_replace_without_a_block_keeps_the_statements() -> None:
    """A new anchor, text or name for a step whose code is unchanged: the step keeps its
    statements (macros expanded as before); the printed file parses back."""
    from movspec.dsl.parser import parse
    from movspec.dsl.printer import print_file

    text = ('variant base\nvariant v extends base {\n    replace a.one @ "a.c:one_renamed" "moved"\n'
            '    replace a.three as last\n}\n')
    r = variants(text)
    base, v = r.models["base"], r.models["v"]
    one, three = base.actor("a").steps[0], base.actor("a").steps[2]
    new_one = v.actor("a").steps[0]
    assert (new_one.anchor, new_one.doc) == ("a.c:one_renamed", "moved")
    assert new_one.body == one.body  # bump() as before
    assert steps(v) == ["one", "two", "last"] and v.actor("a").steps[2].body == three.body
    f, diags = parse(BASE + text, "m.mspec")
    assert not diags
    again, diags = parse(print_file(f), "m.mspec")
    assert not diags and again.decls == f.decls


def test_replace_without_a_block_or_anything_new_is_an_error() -> None:
    r = load_text(BASE + "variant base\nvariant v extends base {\n    replace a.one\n}\n", "m.mspec")
    errs = [d for d in r.diagnostics if d.severity.value == "error"]
    assert len(errs) == 1 and errs[0].message == "`replace a.one` without a block changes nothing"
    assert errs[0].span.line == BASE.count("\n") + 3 and "new statements" in errs[0].hint
