"""Preludes shipped with movspec (`import "linux/pagemap"`): found in the package, parsed once
however often imported, their unused declarations not reported against the model, an unknown
import a diagnostic with the list of preludes, and the page lock they give behaving as the
kernel's (examples/page_lock.mspec is checked with the other examples)."""

from __future__ import annotations

from movspec.dsl.parser import parse
from movspec.dsl.printer import print_file
from movspec.explore import check
from movspec.load import PRELUDE_PREFIX, load_files, load_text, preludes
from movspec.result import Verdict

MODEL = """model m
import "linux/pagemap"
const Pages = {P1}
fair actor a { step l { call lock_page(P1) } step u { call unlock_page(P1) } }
fair actor b { step l { call lock_page(P1) } step u { call unlock_page(P1) } }
leadsto BothDone: true ~> (a at done) && (b at done)
"""


def test_the_page_lock_prelude_is_shipped_and_loads():
    assert "linux/pagemap" in preludes()
    res = load_text(MODEL, "m.mspec")
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    assert not res.diagnostics  # the prelude's unused `trylock_page` is not the model's concern
    assert any(name.startswith(PRELUDE_PREFIX) for name in res.sources.files)
    model = next(iter(res.models.values()))
    assert {f.name for f in model.functions} >= {"lock_page", "unlock_page"}
    got = {p.name: p.verdict for p in check(model, symmetry=False).properties}
    assert got["BothDone"] is Verdict.HOLDS and got["Deadlock"] is Verdict.HOLDS


def test_an_import_twice_is_one_prelude():
    res = load_files([("a.mspec", MODEL), ("b.mspec", 'import "linux/pagemap"\n')])
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]


def test_an_unknown_import_lists_the_preludes():
    res = load_text('model m\nimport "linux/pagemp"\n', "m.mspec")
    [d] = [d for d in res.diagnostics if d.severity.value == "error"]
    assert (d.span.line, d.span.col) == (2, 1) and "unknown import `linux/pagemp`" in d.message
    assert "linux/pagemap" in d.hint


def test_import_prints_and_parses_back():
    f, diags = parse(MODEL, "m.mspec")
    assert diags == []
    again, diags = parse(print_file(f), "m.mspec")
    assert diags == [] and again.decls == f.decls
