"""The language server's name index and resolution, in process, over the project's own models
(spec/, examples/) and over broken text: every `goto`, `replace`, `insert` and `remove` of a
real model resolves to the step it names; no position of any file, whole or cut short, makes
resolution, hover text or the outline fail."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

pytest.importorskip("lsprotocol")
from lsprotocol import types as T  # noqa: E402

from movspec.lsp.convert import Lines  # noqa: E402
from movspec.lsp.model import Models, model_files  # noqa: E402
from movspec.lsp.resolve import Resolver, hover_markdown, word_at  # noqa: E402
from movspec.lsp.symbols import document_symbols  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
MODELS = [ROOT / "spec", ROOT / "spec" / "zsmalloc", ROOT / "spec" / "z3fold", ROOT / "examples"]


def _analyse(directory: Path, texts: dict[str, str] | None = None, path: Path | None = None):
    texts = texts or {}
    models = Models(lambda p: texts.get(p))
    first = path or sorted(directory.glob("*.mspec"))[0]
    return models, models.analyse(str(first))


def _code(line: str) -> str:
    return line.split("//", 1)[0]


@pytest.mark.parametrize("directory", MODELS, ids=lambda p: p.name)
def test_every_step_reference_of_a_real_model_resolves_to_that_step(directory):
    _, an = _analyse(directory)
    assert an.result.ok and not an.stale
    r = Resolver(an.index)
    checked = 0
    for path, text in an.texts.items():
        for n, line in enumerate(text.split("\n"), 1):
            code = _code(line)
            for m in re.finditer(r"\bgoto\s+(\w+)", code):
                name = m.group(1)
                syms, builtin = r.resolve(path, text, n, m.start(1) + 1)
                if name == "done":
                    assert builtin and not syms
                    continue
                assert syms, f"{path}:{n}: goto {name} unresolved"
                assert syms[0].kind in ("step", "param") and syms[0].name == name
                checked += 1
            for m in re.finditer(r"\b(replace|remove|insert\s+(?:after|before))\s+(\w+)\.(\w+)", code):
                syms, _ = r.resolve(path, text, n, m.start(3) + 1)
                assert syms, f"{path}:{n}: {m.group(0)} unresolved"
                assert (syms[0].kind, syms[0].container, syms[0].name) == ("step", m.group(2), m.group(3))
                checked += 1
    assert checked > 0


@pytest.mark.parametrize("directory", MODELS, ids=lambda p: p.name)
def test_every_declared_name_is_its_own_definition(directory):
    _, an = _analyse(directory)
    r = Resolver(an.index)
    for sym in an.index.symbols:
        text = an.index.sources[sym.span.file]
        assert Lines(text).line(sym.span.line)[sym.span.col - 1:sym.span.end_col - 1] == sym.name
        syms, _ = r.resolve(sym.span.file, text, sym.span.line, sym.span.col)
        assert syms and syms[0] is sym


@pytest.mark.parametrize("seed", range(6))
def test_no_position_of_cut_or_scrambled_text_fails(seed):
    rng = random.Random(seed)
    directory = MODELS[seed % 2]
    files = sorted(directory.glob("*.mspec"))
    victim = rng.choice(files)
    good = victim.read_text()
    cut = rng.randrange(len(good))
    if seed % 3 == 0:  # cut short, with a block left open (a cut in a comment may parse)
        broken = good[:cut] + "\n{"
    elif seed % 3 == 1:
        broken = good[:cut] + "".join(rng.choice("{}()[]\"/*@.:=| \n") for _ in range(40)) + good[cut:]
    else:
        broken = bytes(rng.randrange(256) for _ in range(500)).decode("latin-1")
    models, an = _analyse(directory, {str(victim): broken}, victim)
    assert an.result.diagnostics  # the broken text is reported, never raised
    r = Resolver(an.index)
    lines = broken.split("\n")
    for _ in range(300):
        n = rng.randrange(1, len(lines) + 2)
        col = rng.randrange(1, 80)
        syms, _ = r.resolve(str(victim), broken, n, col)
        for s in syms:
            assert hover_markdown(s)
    tree = an.trees.get(str(victim))
    if tree is not None:  # the last good tree (here, the saved file), against the broken text
        document_symbols(tree, Lines(broken))


def test_a_model_is_the_directory_or_its_group_or_a_standalone_file():
    spec = sorted(str(p) for p in (ROOT / "spec").glob("*.mspec"))
    proofs = sorted(str(p) for p in (ROOT / "proofs").glob("*.mspec"))
    assert model_files(spec[0]) == spec
    # examples/ holds stand-alone models, each with its own `model` header
    example = str(ROOT / "examples" / "spinlock.mspec")
    assert model_files(example) == [example]
    # a group is loaded as `movspec lint spec/ proofs/` loads it
    groups = [[str(ROOT / "spec"), str(ROOT / "proofs")]]
    assert model_files(proofs[0], groups) == spec + proofs
    an = Models(lambda p: None, groups).analyse(proofs[0])
    assert an.result.ok, [d.render() for d in an.result.diagnostics]
    alone = Models(lambda p: None).analyse(proofs[0])
    assert not alone.result.ok  # proofs/ is no model without spec/


def test_word_at_skips_comments_strings_and_numbers():
    assert word_at("  x = y // see z", 1, 3).name == "x"
    assert word_at("  x = y // see z", 1, 16) is None
    assert word_at('step a "the lock" {', 1, 11) is None
    assert word_at('step a "the lock" {', 1, 6).name == "a"
    assert word_at("n = 12", 1, 6) is None
    w = word_at("compactor[c].p == 0", 1, 14)
    assert (w.name, w.qual) == ("p", "compactor")


def test_positions_count_utf16_units_as_lsp_does():
    text = 'var x "😋 é": bool = false\n/* 😋 */ var y: bool'
    lines = Lines(text)
    # `y` is the 14th character of line 2; the emoji before it is two UTF-16 units
    assert lines.to_lsp(2, 14) == T.Position(line=1, character=14)
    assert lines.from_lsp(T.Position(line=1, character=14)) == (2, 14)
    utf32 = Lines(text, T.PositionEncodingKind.Utf32)
    assert utf32.to_lsp(2, 14) == T.Position(line=1, character=13)
    assert utf32.from_lsp(T.Position(line=1, character=13)) == (2, 14)


def _at(text: str, needle: str, into: int = 0) -> tuple[int, int]:
    i = text.index(needle) + into
    return text.count("\n", 0, i) + 1, i - text.rfind("\n", 0, i)


def test_bound_names_and_parameters_refer_to_their_binder():
    base = ROOT / "tests" / "fixtures" / "lsp" / "model" / "base.mspec"
    text = base.read_text() + "\nvar c: bool = false\n"  # a variable named like the bound `c`
    _, an = _analyse(base.parent, {str(base): text}, base)
    r = Resolver(an.index)
    path = str(base)
    # `c` in `holds(c)` of OwnerInside is the `forall c`, not the variable `c`
    line, col = _at(text, "=> holds(c)", 9)
    (sym,), _ = r.resolve(path, text, line, col)
    assert (sym.kind, sym.detail) == ("bound", "c in Cpus")
    assert (sym.span.line, sym.span.col) == _at(text, "forall c", 7)
    # the parameter of `def holds(c)` in its body
    line, col = _at(text, "lock == c", 8)
    (sym,), _ = r.resolve(path, text, line, col)
    assert (sym.kind, sym.container) == ("param", "holds")
    # outside both, `c` is the variable
    line, col = _at(text, "var c:", 4)
    (sym,), _ = r.resolve(path, text, line, col)
    assert sym.kind == "var"


def test_an_expect_line_names_only_variants_and_properties():
    vpath = ROOT / "tests" / "fixtures" / "lsp" / "model" / "variants.mspec"
    _, an = _analyse(vpath.parent, None, vpath)
    text = an.texts[str(vpath)]
    r = Resolver(an.index)
    # `holds` is a verdict here, though the model has a `def holds`
    line, col = _at(text, "expect test_and_set holds", 21)
    assert r.resolve(str(vpath), text, line, col) == ([], None)
    line, col = _at(text, "expect test_and_set", 8)
    (sym,), _ = r.resolve(str(vpath), text, line, col)
    assert sym.kind == "variant"


def test_a_document_that_is_no_file_is_a_model_by_itself():
    text = (ROOT / "examples" / "spinlock.mspec").read_text().replace("lock = self", "lokc = self", 1)
    an = Models(lambda p: text if p == "untitled:Untitled-1" else None).analyse("untitled:Untitled-1")
    assert an.paths == ["untitled:Untitled-1"]
    (d,) = an.result.diagnostics
    assert d.message == "unknown name `lokc`" and d.span.file == "untitled:Untitled-1"
    assert list(an.diagnostics_by_file("untitled:Untitled-1")) == ["untitled:Untitled-1"]


def test_a_function_step_named_like_a_struct_field_resolves_to_the_step(tmp_path):
    # `insert after f.s`, `replace f.s`: the step of function f, not a field named s
    (tmp_path / "m.mspec").write_text(
        'model m\n'
        'struct S { done_flag: bool = false, flag: bool = false }\n'
        'var x: S\n'
        'func f() {\n    step flag { x.flag = true }\n}\n'
        'actor a {\n    step go { call f() }\n}\n'
        'variant v\n'
        'variant w extends v {\n    insert after f.flag step more { skip }\n    replace f.flag { skip }\n}\n')
    _, an = _analyse(tmp_path)
    assert an.result.ok
    r = Resolver(an.index)
    path, text = next(iter(an.texts.items()))
    for n, line in enumerate(text.split("\n"), 1):
        m = re.search(r"\b(?:insert after|replace) f\.(flag)", line)
        if m:
            syms, _ = r.resolve(path, text, n, m.start(1) + 1)
            assert syms and (syms[0].kind, syms[0].container, syms[0].name) == ("step", "f", "flag"), line


def test_a_function_local_read_by_a_property_resolves_to_the_function(tmp_path):
    # `w[p].bump.k` is bump's parameter, `w[p].bump.result` what bump returns
    (tmp_path / "m.mspec").write_text(
        'model m\nconst Procs = {A, B}\nvar x: 0..2 = 0\n'
        'func bump(k: 0..2) -> bool {\n    step s { x = k  return true }\n}\n'
        'actor w(self in Procs) {\n    local ok: bool = false\n    step go { ok = call bump(1) }\n}\n'
        'invariant I: forall p in Procs: w[p].bump.k <= 2 && (w[p] at go.bump => w[p].bump.result)\n')
    _, an = _analyse(tmp_path)
    assert an.result.ok
    r = Resolver(an.index)
    path, text = next(iter(an.texts.items()))
    n = text.split("\n").index(next(l for l in text.split("\n") if l.startswith("invariant I"))) + 1
    line = text.split("\n")[n - 1]
    syms, _ = r.resolve(path, text, n, line.index(".bump.k") + len(".bump.") + 1)
    assert syms and (syms[0].kind, syms[0].container, syms[0].name) == ("local", "bump", "k")
    syms, _ = r.resolve(path, text, n, line.index(".bump.result") + len(".bump.") + 1)
    assert syms and (syms[0].kind, syms[0].name) == ("func", "bump")
    assert "-> bool" in hover_markdown(syms[0])
