"""`movspec anchors`: the C index (tree-sitter), anchor collection from the model's text, the
check against a kernel tree, and the command. The kernel tree is the hand-written miniature
in tests/fixtures/anchors/kernel (its README says what each file is for)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("tree_sitter")
pytest.importorskip("tree_sitter_c")

from movspec.anchors import check_anchors, collect, split_anchor  # noqa: E402
from movspec.anchors import ts  # noqa: E402
from movspec.anchors.cindex import generator_stems, index_source  # noqa: E402
from movspec.cli import cli  # noqa: E402
from movspec.load import load  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "anchors"
KERNEL = FIX / "kernel"
MODEL = FIX / "model.mspec"


def kinds(ix, name):
    return [(s.kind, s.via, s.conditions) for s in ix.lookup(name)]


# ---------------------------------------------------------------------- the C index


def test_definition_declaration_macro():
    ix = index_source(b"extern void f(int);\nvoid f(int x)\n{\n}\n#define g(x) ((x) + 1)\n#define H 3\n")
    assert kinds(ix, "f") == [("declaration", None, ()), ("definition", None, ())]
    assert [s.line for s in ix.lookup("f")] == [1, 2]
    assert kinds(ix, "g") == [("macro", None, ())]
    assert kinds(ix, "H") == [("macro", None, ())]
    assert ix.lookup("x") == []  # a parameter is not a symbol


def test_syscall_define_is_macro_defined():
    ix = index_source((KERNEL / "kernel/module/main.c").read_bytes())
    assert kinds(ix, "delete_module") == [("macro-defined", "SYSCALL_DEFINE2", ())]
    assert kinds(ix, "sync_modules") == [("macro-defined", "SYSCALL_DEFINE0", ())]
    assert ix.lookup("SYSCALL_DEFINE2") == [] and ix.lookup("SYSCALL_DEFINE0") == []


def test_page_flag_generators():
    ix = index_source((KERNEL / "include/linux/thing.h").read_bytes())
    for name in ("PageIsolated", "__SetPageIsolated", "__ClearPageIsolated"):
        assert kinds(ix, name) == [("generated", "__PAGEFLAG", ())], name
    assert ix.lookup("SetPageIsolated") == []  # __PAGEFLAG makes only the non-atomic pair
    for name in ("PageWaiters", "SetPageWaiters", "ClearPageWaiters"):
        assert kinds(ix, name) == [("generated", "PAGEFLAG", ())], name
    assert kinds(ix, "TestClearPageWaiters") == [("generated", "TESTCLEARFLAG", ())]
    assert generator_stems("__SetPageIsolated") == {"Isolated"}
    assert "isolated" in generator_stems("folio_test_isolated")
    assert generator_stems("isolate_movable_page") == set()


def test_conditions_and_include_guard():
    ix = index_source((KERNEL / "include/linux/thing.h").read_bytes())
    # the include guard is not reported as a condition; the #ifdef and its #else are
    assert kinds(ix, "trylock_thing") == [("definition", None, ())]
    assert kinds(ix, "PageThing") == [("declaration", None, ("#ifdef CONFIG_COMPACTION",)),
                                      ("definition", None, ("#else of #ifdef CONFIG_COMPACTION",))]
    ix = index_source(b"#if defined(A)\nint e1(void) { }\n#elif B\nint e2(void) { }\n"
                      b"#else\nint e3(void) { }\n#endif\n")
    assert kinds(ix, "e1") == [("definition", None, ("#if defined(A)",))]
    assert kinds(ix, "e2") == [("definition", None, ("not #if defined(A)", "#elif B"))]
    assert kinds(ix, "e3") == [("definition", None, ("not #if defined(A)", "#else of #elif B"))]


def test_kernel_attributes_do_not_hide_a_definition():
    ix = index_source((KERNEL / "mm/migrate.c").read_bytes())
    assert kinds(ix, "now_named") == [("definition", None, ())]
    assert kinds(ix, "helper") == [("declaration", None, ())]
    assert [s.conditions for s in ix.lookup("migrate_thing")] == [
        ("#ifdef CONFIG_MIGRATION",), ("#else of #ifdef CONFIG_MIGRATION",)]


def test_syntax_error_file_still_indexed():
    data = (KERNEL / "mm/broken.c").read_bytes()
    ix = index_source(data)
    assert ix.errors >= 1
    assert kinds(ix, "after_broken") == [("definition", None, ())]
    assert [s.line for s in ix.lookup("after_broken")] == [10]


# ---------------------------------------------------------------------- anchors in the model


def test_split_anchor():
    assert split_anchor("mm/migrate.c:isolate_movable_page") == ("mm/migrate.c", "isolate_movable_page")
    assert split_anchor("mm/migrate.c") is None
    assert split_anchor("mm/migrate.c:") is None
    assert split_anchor(":f") is None
    assert split_anchor("mm/migrate.c:not a name") is None


def test_collect_from_fixture_model():
    res = load([MODEL])
    assert res.ok, [str(d) for d in res.diagnostics]
    uses = collect(res.files)
    by = {(u.what, u.variant): u for u in uses}
    assert by[("macro bump", None)].text == "include/linux/thing.h:__SetPageIsolated"
    assert by[("step a.s_found", None)].text == "mm/migrate.c:isolate_thing"
    assert by[("replace a.s_found", "later")].text == "mm/migrate.c:now_named"
    span = by[("step a.s_module", None)].span
    line = MODEL.read_text().splitlines()[span.line - 1]
    assert '"kernel/module.c:delete_module"' in line
    assert len(uses) == MODEL.read_text().count('@ "')


def test_collect_every_anchor_of_spec():
    res = load([ROOT / "spec"])
    assert res.ok
    uses = collect(res.files)
    written = sum(p.read_text().count('@ "') for p in (ROOT / "spec").glob("*.mspec"))
    assert len(uses) == written > 0
    assert all(split_anchor(u.text) is not None for u in uses), [u.text for u in uses if not split_anchor(u.text)]
    assert all(u.span is not None for u in uses)


# ---------------------------------------------------------------------- against the tree


@pytest.fixture(scope="module")
def report():
    res = load([MODEL])
    return check_anchors(collect(res.files), KERNEL)


def status(report, anchor):
    return next(r for r in report.results if r.anchor == anchor)


def test_found(report):
    for a in ("mm/migrate.c:isolate_thing", "mm/migrate.c:now_named", "include/linux/thing.h:trylock_thing",
              "include/linux/thing.h:page_thing_count", "include/linux/thing.h:__SetPageIsolated",
              "include/linux/thing.h:TestClearPageWaiters", "mm/broken.c:after_broken",
              "mm/migrate.c:migrate_thing"):
        assert status(report, a).status == "defined", a
    assert status(report, "mm/broken.c:after_broken").parse_errors >= 1


def test_declared_reports_the_definition(report):
    r = status(report, "include/linux/thing.h:only_declared")
    assert r.status == "declared" and not r.missing
    assert [(f.file, f.symbol.kind) for f in r.elsewhere] == [("mm/declared.c", "definition")]


def test_moved(report):
    r = status(report, "mm/migrate.c:put_thing")
    assert r.status == "moved" and r.file_exists
    assert [(f.file, f.symbol.line) for f in r.elsewhere] == [("mm/folio.c", 3)]
    assert sorted((u.what, u.variant) for u in r.uses) == [("replace a.s_moved", "later"), ("step a.s_moved", None)]
    r = status(report, "kernel/module.c:delete_module")
    assert r.status == "moved" and not r.file_exists
    assert [(f.file, f.symbol.kind, f.symbol.via) for f in r.elsewhere] == [
        ("kernel/module/main.c", "macro-defined", "SYSCALL_DEFINE2")]


def test_vanished_and_malformed(report):
    assert status(report, "mm/migrate.c:gone_thing").status == "vanished"
    assert status(report, "mm/migrate.c:gone_thing").elsewhere == []
    assert status(report, "mm/migrate.c").status == "malformed"
    assert not report.ok
    assert report.counts() == {"defined": 8, "declared": 1, "moved": 2, "vanished": 1, "malformed": 1}


def test_path_outside_the_tree_is_malformed(tmp_path):
    from movspec.anchors import AnchorUse

    rep = check_anchors([AnchorUse("../etc/passwd:root", "step x", None, None),
                         AnchorUse("/etc/passwd:root", "step y", None, None)], KERNEL)
    assert [r.status for r in rep.results] == ["malformed", "malformed"]


# ---------------------------------------------------------------------- the command


def run(*args):
    return CliRunner().invoke(cli, ["anchors", *args])


def test_cli_text_names_the_dsl_location():
    r = run("--kernel", str(KERNEL), str(MODEL))
    assert r.exit_code == 1, r.output
    lines = r.output.splitlines()
    moved = [x for x in lines if "moved" in x and "put_thing" in x]
    assert len(moved) == 1
    assert re.match(r".*model\.mspec:\d+:5: error: anchor `mm/migrate\.c:put_thing` moved: .*mm/folio\.c:3", moved[0])
    assert any(re.match(r".*model\.mspec:\d+:5: note: the same anchor \(replace a\.s_moved, variant later\)", x)
               for x in lines)
    assert any("vanished" in x and "gone_thing" in x for x in lines)
    assert any("warning:" in x and "only declares `only_declared`" in x and "mm/declared.c:3" in x for x in lines)
    assert "13 anchors: 8 defined, 1 declared, 2 moved, 1 vanished, 1 malformed" in r.output


def test_cli_json():
    r = run("--kernel", str(KERNEL), "--json", str(MODEL))
    assert r.exit_code == 1
    doc = json.loads(r.output)
    assert doc["ok"] is False
    assert doc["counts"]["moved"] == 2
    a = next(x for x in doc["anchors"] if x["anchor"] == "kernel/module.c:delete_module")
    assert a["status"] == "moved" and a["missing"] is True and a["file_exists"] is False
    assert a["elsewhere"][0]["file"] == "kernel/module/main.c"
    assert a["uses"][0]["span"]["file"].endswith("model.mspec")


def test_cli_exit_zero_when_every_anchor_is_there(tmp_path):
    m = tmp_path / "ok.mspec"
    m.write_text('model ok "all present"\nvar n: 0..1 = 0\nactor a {\n'
                 '    step s @ "mm/migrate.c:isolate_thing" {\n        n = 1\n    }\n}\n')
    r = run("--kernel", str(KERNEL), str(m))
    assert r.exit_code == 0, r.output
    assert "1 anchor: 1 defined" in r.output


def test_cli_kernel_not_a_directory(tmp_path):
    r = run("--kernel", str(tmp_path / "none"), str(MODEL))
    assert r.exit_code == 2
    assert "not a directory" in r.output


def test_cli_explains_how_to_install_the_parser(monkeypatch):
    ts.parser.cache_clear()
    monkeypatch.setitem(sys.modules, "tree_sitter_c", None)  # import fails
    try:
        r = run("--kernel", str(KERNEL), str(MODEL))
    finally:
        ts.parser.cache_clear()
    assert r.exit_code == 2
    assert "the C parser is not installed" in r.output
    assert "pip install" in r.output and "tree-sitter-c" in r.output


def test_vanished_lists_close_names_of_the_file():
    from movspec.anchors import AnchorUse

    rep = check_anchors([AnchorUse("mm/migrate.c:migrate_things", "step x", None, None),
                         AnchorUse("mm/migrate.c:gone_thing", "step y", None, None)], KERNEL)
    renamed, gone = rep.results
    assert renamed.status == "vanished" and renamed.similar == ["migrate_thing"]
    assert gone.status == "vanished" and gone.similar == []
    r = run("--kernel", str(KERNEL), str(MODEL))
    assert "similar names there" not in next(x for x in r.output.splitlines() if "gone_thing" in x)


def test_cli_variant_checks_only_what_that_variant_is_made_of():
    # base keeps s_found (isolate_thing); later replaces it (now_named) and re-anchors s_moved
    base = run("--kernel", str(KERNEL), "-v", "base", "--json", str(MODEL))
    later = run("--kernel", str(KERNEL), "-v", "later", "--json", str(MODEL))
    names = {v: {a["anchor"] for a in json.loads(r.output)["anchors"]} for v, r in (("base", base), ("later", later))}
    assert "mm/migrate.c:isolate_thing" in names["base"] and "mm/migrate.c:now_named" not in names["base"]
    assert "mm/migrate.c:now_named" in names["later"] and "mm/migrate.c:isolate_thing" not in names["later"]
    # the macro expanded by s_flag counts in both; the steps neither variant touches too
    for v in ("base", "later"):
        assert {"include/linux/thing.h:__SetPageIsolated", "mm/migrate.c:gone_thing"} <= names[v]
    uses = next(a for a in json.loads(later.output)["anchors"] if a["anchor"] == "mm/migrate.c:put_thing")["uses"]
    assert [u["variant"] for u in uses] == ["later"]  # the base step it replaces is not later's


def test_variant_leaves_out_a_macro_no_step_expands(tmp_path):
    from movspec.anchors import in_variants
    from movspec.api import select
    m = tmp_path / "m.mspec"
    m.write_text('model m "an unused macro"\nvar n: 0..1 = 0\n'
                 'macro used() @ "mm/migrate.c:isolate_thing" { n = 1 }\n'
                 'macro unused() @ "mm/migrate.c:gone_thing" { n = 0 }\n'
                 'actor a {\n    step s @ "mm/migrate.c:migrate_thing" { used() }\n}\n'
                 'variant only "one"\n')
    loaded = load([m])
    assert loaded.ok, loaded.diagnostics
    uses = collect(loaded.files)
    assert {u.text for u in uses} == {"mm/migrate.c:isolate_thing", "mm/migrate.c:gone_thing", "mm/migrate.c:migrate_thing"}
    kept = in_variants(uses, loaded.files, select(loaded.models, ["only"]))
    assert {u.text for u in kept} == {"mm/migrate.c:isolate_thing", "mm/migrate.c:migrate_thing"}


def test_cli_unknown_variant_is_a_usage_error():
    r = run("--kernel", str(KERNEL), "-v", "nosuch", str(MODEL))
    assert r.exit_code == 2
    assert "no variant nosuch" in r.output and "later" in r.output
