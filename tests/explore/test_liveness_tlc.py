"""The embedded checker and TLC agree on liveness verdicts (``leadsto`` under weak and strong
fairness) on the example models. Needs a TLC backend; skipped without one."""

from __future__ import annotations

from pathlib import Path

import pytest

from movspec.load import load
from movspec.result import Verdict
from tests.traces import lasso_problems

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.tlc
@pytest.mark.parametrize("example", ["spinlock.mspec", "wakeup.mspec"])
@pytest.mark.parametrize("fairness", ["fair", "fair+"])
def test_builtin_and_tlc_agree_on_liveness(example, fairness, tmp_path):
    from movspec.explore import check
    from movspec.tlc import check_model

    text = (ROOT / "examples" / example).read_text(encoding="utf-8")
    text = text.replace("fair+ actor", "fair actor").replace("fair actor", f"{fairness} actor")
    path = tmp_path / example
    path.write_text(text, encoding="utf-8")
    res = load([path])
    assert res.ok, [d.message for d in res.errors]
    seen = set()
    for name, model in res.models.items():
        ours, theirs = check(model), check_model(model)
        assert theirs.error is None, theirs.error
        for p in ours.properties:
            if p.kind != "leadsto":
                continue
            assert theirs.verdict(p.name) is p.verdict, (name, p.name)
            seen.add(p.verdict)
            if p.verdict is Verdict.VIOLATED:
                prop = next(x for x in model.properties if x.name == p.name)
                # both lassos are fair lassos of the model (judged by the reference
                # interpreter), and the builtin's is no longer than TLC's
                assert lasso_problems(model, prop, ours) == []
                assert lasso_problems(model, prop, theirs) == []
                assert len(p.trace) <= len(theirs.property(p.name).trace)
    assert seen  # at least one leadsto property was compared
