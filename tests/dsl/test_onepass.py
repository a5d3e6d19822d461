"""The one-pass parse (``dsl.onepass``) gives exactly what Lark's own path gives: the same
syntax tree, spans and kept source text included, for every model and fixture in the
repository and for random declarations; and it leaves every file with a problem (syntax,
nesting depth, a malformed literal) to Lark's path, so those diagnostics stay as they are."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from movspec.dsl.onepass import parse_decls
from movspec.dsl.parser import _parse_lark, parse
from movspec.dsl.printer import print_file

from .dsl_strategies import decls

ROOT = Path(__file__).resolve().parent.parent.parent
FILES = sorted({*ROOT.glob("spec/**/*.mspec"), *ROOT.glob("tests/fixtures/**/*.mspec")})


def difference(a, b, at: str = "file") -> str | None:
    """Where ``a`` and ``b`` differ, every dataclass field compared (spans and kept text too,
    which ``==`` on the syntax tree ignores), and token types; None when they do not."""
    if type(a) is not type(b):
        return f"{at}: {type(a).__name__} vs {type(b).__name__}"
    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            d = difference(getattr(a, f.name), getattr(b, f.name), f"{at}.{f.name}")
            if d:
                return d
        return None
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return f"{at}: {len(a)} vs {len(b)} items"
        return next((d for i, (x, y) in enumerate(zip(a, b)) if (d := difference(x, y, f"{at}[{i}]"))), None)
    if a != b or getattr(a, "type", None) != getattr(b, "type", None):
        return f"{at}: {a!r} vs {b!r}"
    return None


def both(text: str):
    """(Lark's path, the parse as ``parse`` runs it), and whether the one pass was taken."""
    return _parse_lark(text, "m.mspec"), parse(text, "m.mspec"), parse_decls(text, "m.mspec") is not None


def test_the_files_checked_are_there() -> None:
    assert len(FILES) > 50 and any(f.parts[-2] == "spec" for f in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_same_tree_as_lark(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    (want, diags), got, one_pass = both(text)
    if want is None:
        assert not one_pass and got[0] is None and got[1], "a file Lark's path rejects is left to it"
    else:
        assert one_pass, "a file Lark's path accepts is parsed in one pass"
        assert difference(want, got[0]) is None, difference(want, got[0])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(decls, min_size=1, max_size=4))
def test_same_tree_as_lark_on_random_declarations(ds) -> None:
    text = print_file(ds)
    (want, _), (got, _), one_pass = both(text)
    assert want is not None and one_pass
    assert difference(want, got) is None, (text, difference(want, got))


@pytest.mark.parametrize("text", [
    "invariant I: ((x + 1)) * (y)\n",            # a parenthesised operand: its container spans the parentheses
    "var v: [0..3 -> bool] = [i in 0..3 |-> (i > 1)]\n",
    "actor a {\n  step s { if (x) { skip } else { skip } }\n}\n",
    "",
    "// only a comment\n/* and a block\ncomment */\n",
])
def test_same_tree_as_lark_on_small_texts(text: str) -> None:
    (want, _), (got, _), one_pass = both(text)
    assert one_pass and difference(want, got) is None, difference(want, got)


@pytest.mark.parametrize("text", [
    "invariant I: forall p in Pages p == p\n",    # a syntax error
    "invariant I: " + "-" * 300 + "x\n",         # deeper than MAX_DEPTH
    "actor a {\n  step s { skip }\n  local x: bool\n}\n",  # refused while building the tree
    "var x: 0..3 = 1 $\n",                        # an unexpected character
])
def test_problems_are_left_to_lark(text: str) -> None:
    assert parse_decls(text, "m.mspec") is None
    tree, diags = parse(text, "m.mspec")
    assert (tree, diags) == _parse_lark(text, "m.mspec")
