"""The generated docs list a variant's functions beside its actors: each step with its kernel
anchor, the variant that changed it and how often it ran (summed over the callers)."""

from __future__ import annotations

from pathlib import Path

from movspec.explore import check
from movspec.load import load
from movspec.report.context import _step_rows

ROOT = Path(__file__).resolve().parents[2]


def test_functions_are_listed_with_their_changed_steps_and_runs():
    model = load([ROOT / "spec"]).models["per_driver_locking"]
    r = check(model)
    rows = _step_rows(model, dict(r.coverage))
    assert [row["kind"] for row in rows][-1] == "function"
    fn = next(row for row in rows if row["kind"] == "function")
    assert fn["name"] == "isolate_movable_page"
    assert [l["name"] for l in fn["locals"]][:2] == ["p", "cpu"]
    steps = {s["name"]: s for s in fn["steps"]}
    assert steps["recheck"]["origin"] == "per_driver_locking" and steps["get"]["origin"] == ""
    assert steps["isolate"]["function"] == "balloon_page_isolate"
    # every compactor's scan calls it: the first step runs at least as often as scan picks a page
    assert steps["get"]["runs"] and steps["get"]["runs"] >= steps["movable"]["runs"] > 0
