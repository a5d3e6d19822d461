"""Type checks: well-typed models pass; each mistake is one error at its place."""

from __future__ import annotations

import pytest

from movspec.load import load_text

PRELUDE = '''model m
const Cpus = {C1, C2}
const Max = 3
enum Mode { idle, busy }
struct Page { ref: 0..Max = 1, mode: Mode = idle, owner: Cpus | {nobody} = nobody }
var page: [Cpus -> Page]
var n: 0..4 = 0
var flag: bool = false
var seen: set of Cpus = {}
actor a(self in Cpus) {
    local k: Mode
    step s {
%s
    }
}
'''


def errors(body: str) -> list[str]:
    r = load_text(PRELUDE % body, "m.mspec")
    return [d.message for d in r.errors]


@pytest.mark.parametrize("body", [
    "n = 4\n flag = n > 0 && !flag",
    "page[self].owner = self",
    "page[self].owner = nobody\n page[C2].mode = busy",
    "seen = seen | {self} \\ {C1} & Cpus",
    "await |seen| <= Max && self in seen && seen subset Cpus",
    "await forall c in Cpus: page[c].ref >= 0 => exists d in seen: d == c",
    "n = if flag then 1 else 2",
    "page[self] = Page(ref: 2)",
    "await k == idle || k == busy",
    "await [c in Cpus |-> page[c].ref] == [c in Cpus |-> 1]",
    "await {c in Cpus where page[c].owner == c} != {}",
    "await 1..2 subset 0..Max",
    "await page[self].mode in Mode",
])
def test_well_typed(body: str) -> None:
    assert errors(body) == []


@pytest.mark.parametrize("body, message", [
    ("n = 5", "5 is out of range for `n` (type 0..4)"),
    ("n = -1", "-1 is out of range for `n` (type 0..4)"),
    ("page[self].ref = 4", "4 is out of range for `page[self].ref` (type 0..3)"),
    ("page[self].owner = busy", "`busy` is not a value of `page[self].owner` (type {C1, C2, nobody})"),
    ("page[self].own = self", "struct `Page` has no field `own`"),
    ("await n.ref == 1", "`n` is an integer (0..4), it has no field `ref`"),
    ("await flag == 1", "comparing a bool with an integer (1..1)"),
    ("await k == C1", "comparing `k` (Mode) with `C1` ({C1}): they have no value in common"),
    ("await n", "the condition of `await` is an integer (0..4), not a bool"),
    ("assert seen, \"x\"", "the condition of `assert` is a set (set of Cpus), not a bool"),
    ("await flag && n", "the right operand of `&&` is an integer (0..4), not a bool"),
    ("n = n + flag", "the right operand of `+` is a bool, not an integer"),
    ("await flag in seen", "`flag` is a bool, never an element of `seen` (a set of Cpus)"),
    ("await n in flag", "the right operand of `in` is a bool, not a set"),
    ("flag = n", "`flag` is a bool, but `n` is an integer (0..4)"),
    ("page[self] = 1", "`page[self]` is a `Page` struct, but `1` is an integer (1..1)"),
    ("await page[1].ref == 0", "index `1` is an integer (1..1), but `page` is indexed by Cpus"),
    ("seen += 1", "`+=` on `seen`, which is a set (set of Cpus)"),
    ("n = if flag then 1 else flag", "the branches of `if ... then ... else` have unlike types: 1..1 and bool"),
    ("page[self] = Page(ref: 9)", "9 is out of range for field `ref` of `Page` (type 0..3)"),
])
def test_type_errors(body: str, message: str) -> None:
    assert errors(body) == [message]


def test_initial_values_and_defaults_are_checked() -> None:
    r = load_text("model m\nvar n: 0..2 = 3\nstruct S { f: 1..2 = 0 }\nvar s: S\n"
                  "actor a { local l: bool = 1  step x { n = 1  s.f = 1  l = true } }\n", "m.mspec")
    assert [d.message for d in r.errors] == [
        "3 is out of range for variable `n` (type 0..2)",
        "0 is out of range for field `S.f` (type 1..2)",
        "local `l` is a bool, but `1` is an integer (1..1)",
    ]


def test_invariant_must_be_boolean() -> None:
    r = load_text("model m\nvar n: 0..2 = 0\nactor a { step x { n = 1 } }\ninvariant I: n + 1\n", "m.mspec")
    assert [d.message for d in r.errors] == ["invariant `I` is an integer, not a bool"]


def test_finding_in_some_variants_names_them() -> None:
    r = load_text("model m\nconst Max = 3\nvar n: 0..Max = 0\nactor a { step s { n = 3 } }\n"
                  "variant base\nvariant small extends base { const Max = 2 }\nvariant alias extends small\n",
                  "m.mspec")
    assert [d.message for d in r.errors] == \
        ["3 is out of range for `n` (type 0..2) (in variants `small`, `alias`)"]


def test_a_finding_in_a_supplied_default_entry_is_placed_at_the_declaration() -> None:
    # found by tests/dsl/test_robustness.py: a function local over an empty range gets a
    # default the builder writes, whose entries have no place of their own
    r = load_text("model m\nactor a {\n  local a: [bool -> 1..0]\n  step a { skip }\n}\n", "m.mspec")
    found = [d for d in r.errors if d.message.startswith("1 is out of range for an entry of local `a`")]
    assert len(found) == 1 and found[0].span is not None and found[0].span.line == 3, r.errors
