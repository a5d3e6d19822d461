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
