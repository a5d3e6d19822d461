"""`assert ... as P` and `guards P` targets: undeclared names make new properties, misspellings
of a declared property or of a target used more often are errors (the rule in
docs/language.md); the search for close names stays linear in the number of names."""

from __future__ import annotations

import pytest

from movspec.ir.spelling import close_name
from movspec.load import load_text


@pytest.mark.parametrize("a, b", [("LockHedl", "LockHeld"), ("lockheld", "LockHeld"), ("LockHel", "LockHeld"),
                                  ("NoUseAfterUnlaod", "NoUseAfterUnload"), ("NoUseAftrUnlod", "NoUseAfterUnload")])
def test_close(a, b) -> None:
    assert close_name(a, b)


@pytest.mark.parametrize("a, b", [("Lock1", "Lock2"), ("Check12", "Check7"), ("LockHeld", "LockHeld"),
                                  ("Isolated", "Assertions"), ("Ab", "Cd"), ("LokHld", "LockHeld")])
def test_not_close(a, b) -> None:
    assert not close_name(a, b)


def model(targets: list[str], declared: list[str]) -> str:
    steps = "\n".join(f'    step s{i} {{ assert !x, "m" as {t} }}' for i, t in enumerate(targets))
    decls = "\n".join(f"assertion {d}" for d in declared)
    return f"model m\nvar x: bool = false\nactor a {{\n{steps}\n    step last {{ x = true }}\n}}\n{decls}\n"


def errors(text: str) -> list[str]:
    return [d.message for d in load_text(text, "m.mspec").errors]


def test_numbered_targets_are_distinct_properties() -> None:
    r = load_text(model([f"Lock{i}" for i in range(12)], []), "m.mspec")
    assert r.ok
    assert [p.name for p in r.models["m"].properties if p.name.startswith("Lock")] == [f"Lock{i}" for i in range(12)]


def test_undeclared_far_names_are_new_properties() -> None:
    assert errors(model(["Isolated", "Exclusive"], ["LockHeld"])) == []


def test_the_rarer_of_two_close_targets_is_the_typo() -> None:
    assert errors(model(["LockHeld", "LockHeld", "LockHedl"], [])) == \
        ["`as LockHedl` names no declared property; `LockHeld` is checked at 2 other places"]
    # used as often: the later one is reported
    assert errors(model(["LockHeld", "LockHedl"], [])) == \
        ["`as LockHedl` names no declared property; `LockHeld` is checked at 1 other place"]


def test_declaring_the_new_name_accepts_it() -> None:
    assert errors(model(["LockHeld", "LockHedl"], ["LockHeld", "LockHedl"])) == []


def test_many_targets_and_properties() -> None:
    # thousands of numbered targets and properties: no pair is taken for a typo, one typo is found
    n = 3000
    text = model([f"Target{i}Check" for i in range(n)] + ["Target7Chekc"], [f"Target{i}Check" for i in range(n)])
    assert errors(text) == ["`as Target7Chekc` names no declared property; `Target7Check` is a declared property"]
