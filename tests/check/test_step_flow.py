"""Steps no path reaches are reported (warnings), per variant."""

from __future__ import annotations

from movspec.load import load_text

MODEL = '''model m
var n: 0..2 = 0
actor a {
    step one { if n == 0 { goto three }  n = 1 }
    step two { n = 2  goto one }
    step three { either { goto one } or { goto two } }
    step four { skip }
}
variant base
variant v extends base {
    insert after a.two step orphan { skip }
}
'''


def test_unreachable_steps() -> None:
    r = load_text(MODEL, "m.mspec")
    assert r.ok
    assert [(d.message, d.span.line) for d in r.warnings] == [
        ("step `a.four` is never reached", 7),
        ("step `a.orphan` is never reached (in variant `v`)", 11),
    ]
    assert r.warnings[0].hint == ("step `three` before it always ends with a `goto` and no reachable step jumps "
                                  "to `four`; add a `goto four` or remove the step")


def test_reached_by_goto_or_fall_through() -> None:
    r = load_text(MODEL.replace("step three { either { goto one } or { goto two } }",
                                "step three { either { goto one } or { goto four } }"), "m.mspec")
    assert [d.message for d in r.warnings] == ["step `a.orphan` is never reached (in variant `v`)"]


AWAITS = '''model m "asserts and awaits"
var go: bool = false
var n: 0..2 = 0
actor a {
    step early { assert n == 0, "n is 0" as Early  await go }
    step branch { if n == 1 { assert false, "never" as Gone  goto late } await go }
    step joined { if n == 1 { assert n == 1, "one" as Joined } either { await go } or { skip } }
    step late { await go  assert n <= 2, "in range" as Late }
    step flip { go = true  goto early }
}
'''


def test_an_assert_before_an_await_on_one_path_is_a_warning() -> None:
    """Checked whenever the step is tried (TLC as PlusCal translates it, and the builtin
    checker), so it can fail where the await blocks the step: said for `early` and `joined`
    (a path through the `if` reaches the `await`), not for `branch` (its assert's path jumps
    away) nor `late` (the assert follows the await)."""
    r = load_text(AWAITS, "m.mspec")
    assert r.ok
    found = [(d.span.line, d.code) for d in r.warnings]
    assert found == [(5, "assert-before-await"), (7, "assert-before-await")]
    assert "in step `a.early`" in r.warnings[0].message
    assert r.warnings[0].hint.startswith("move the `assert` after the `await`")


def test_the_warning_is_about_a_real_trap() -> None:
    """The assertion fails in a state where its step cannot run: both checkers say so."""
    from movspec.explore import check

    text = '''model m "x"
var go: bool = false
actor a {
    step s { assert false, "x" as Early  await go }
}
allow deadlock
'''
    r = load_text(text, "m.mspec")
    assert [d.code for d in r.warnings] == ["assert-before-await"]
    res = check(next(iter(r.models.values())))
    assert {p.name: p.verdict.value for p in res.properties}["Early"] == "violated"
