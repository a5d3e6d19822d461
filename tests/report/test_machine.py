import json
from dataclasses import replace

import pytest
import xmlschema

from movspec.ir.nodes import Expectation
from movspec.report import itf, junit, outputs
from movspec.result import CheckResult, PropertyResult, Stats, Verdict

from . import handbuilt as hb


def _same_trace(a, b):
    assert len(a.steps) == len(b.steps)
    for x, y in zip(a.steps, b.steps):
        assert (x.actor, x.proc, x.step, x.anchor, x.state, x.failure) == \
               (y.actor, y.proc, y.step, y.anchor, y.state, y.failure)


def test_junit_validates_and_counts():
    xml = junit.to_junit_xml(hb.results(), hb.models())
    junit.validate(xml)
    assert '<testsuites name="movspec" tests="6" failures="0" errors="0" skipped="0"' in xml
    assert xml.count("<testcase ") == 6


def test_junit_failure_carries_the_trace():
    models = hb.models()
    models["per_driver_locking"] = replace(models["per_driver_locking"], expectations=(Expectation("holds", ()),))
    xml = junit.to_junit_xml(hb.results(), models, timing=False)
    junit.validate(xml)
    doc = xmlschema.XMLSchema(junit.schema_path()).to_dict(xml)
    suites = {s["@name"]: s for s in doc["testsuite"]}
    bad = suites["movable.per_driver_locking"]
    assert bad["@failures"] == 1
    case = next(c for c in bad["testcase"] if c["@name"] == "NoUseAfterUnload")
    assert "expected to hold" in case["failure"]["@message"]
    assert "free_module()" in case["failure"]["$"] and "isolate_movable_page()" in case["failure"]["$"]


def test_junit_incomplete_and_error():
    r = CheckResult("movable", "v4_8", "builtin", (
        PropertyResult("TypeOK", "invariant", Verdict.INCOMPLETE),
        PropertyResult("NoUseAfterUnload", "assert", Verdict.ERROR),
        PropertyResult("Deadlock", "deadlock", Verdict.INCOMPLETE),
    ), Stats(distinct=10), complete=False, reason="state budget of 10 reached")
    m = replace(hb.model("v4_8"), expectations=(Expectation("holds", ("TypeOK", "NoUseAfterUnload")),))
    xml = junit.to_junit_xml([r], {"v4_8": m}, timing=False)
    junit.validate(xml)
    assert 'failures="1" errors="1" skipped="1"' in xml
    assert 'type="incomplete"' in xml and "state budget of 10 reached" in xml


def test_schema_rejects_malformed_junit():
    xml = junit.to_junit_xml(hb.results(), hb.models(), timing=False)
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        junit.validate(xml.replace('tests="3"', 'tests="three"', 1))
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        junit.validate(xml.replace('<testcase name="TypeOK"', '<testcase', 1))


def test_junit_is_byte_stable_without_timing():
    a = junit.to_junit_xml(hb.results(), hb.models(), timing=False)
    assert a == junit.to_junit_xml(hb.results(), hb.models(), timing=False)


def test_itf_round_trip(tmp_path):
    written = outputs.write_outputs(hb.results(), hb.models(), itf_dir=tmp_path)
    assert [p.name for p in written] == ["per_driver_locking.NoUseAfterUnload.itf.json"]
    text = written[0].read_text()
    doc = json.loads(text)
    assert doc["#meta"]["format"] == "ITF"
    assert doc["vars"] == ["page", "driver_loaded", "compactor.p", "pc", "mbt::actionTaken"]
    assert doc["states"][2]["page"] == {"#map": [["P1", {"ref": {"#bigint": "2"}, "isolated": False}]]}
    assert [s["mbt::actionTaken"] for s in doc["states"]] == [
        "init", "compactor.scan", "compactor.get", "driver.release", "loader.unload"]
    trace, meta = itf.read_itf(text)
    _same_trace(trace, hb.uau_trace())
    assert meta["violation"]["step"] == "isolate"


def test_itf_lasso_and_sets():
    from movspec.result import Trace, TraceStep
    t = Trace((TraceStep(None, None, None, None, None, {"s": frozenset({"a", "b"}), "n": 3}),
               TraceStep("x", "x", "go", None, None, {"s": frozenset(), "n": -4})), loop_start=0)
    back, _ = itf.read_itf(itf.dumps(itf.to_itf(t)))
    assert back.loop_start == 0
    assert [s.state for s in back.steps] == [s.state for s in t.steps]


@pytest.mark.parametrize("doc, where", [
    ({"vars": ["x"]}, "states"),
    ({"vars": ["x"], "states": [{"y": 1}]}, "states[0]"),
    ({"vars": ["x"], "states": [{"x": 1.5}]}, "states[0].x"),
    ({"vars": ["x"], "states": [{"x": {"#bigint": "1x"}}]}, "states[0].x"),
    ({"vars": ["x"], "states": [{"x": [1, 2.5]}]}, "states[0].x[2]"),  # a sequence (a list) of a non-value
    ({"vars": ["x"], "states": [{"x": {"#map": [[1]]}}]}, "states[0].x#map[0]"),
    ({"vars": ["x"], "states": [{"x": 1}], "loop": 3}, "loop"),
    ({"vars": ["x"], "states": [{"#meta": {"index": 4}, "x": 1}]}, "states[0].#meta.index"),
    ({"vars": ["x"], "states": [{"x": 1}], "extra": 1}, "extra"),
])
def test_itf_reader_rejects(doc, where):
    with pytest.raises(itf.ITFError) as e:
        itf.read_itf(doc)
    assert e.value.path == where


def test_json_document(tmp_path):
    path = tmp_path / "out" / "result.json"
    outputs.write_outputs(hb.results(), hb.models(), json_path=path)
    doc = json.loads(path.read_text())
    assert doc["schema_version"] == 1 and doc["ok"] is True
    p = doc["results"][1]["properties"][1]
    assert (p["name"], p["verdict"], p["expected"], p["outcome"]) == \
           ("NoUseAfterUnload", "violated", "violates", "as-expected")
    assert p["trace"]["steps"][-1]["failure"].startswith("use-after-unload")
    assert doc["results"][1]["description"] == "compactor takes no PG_lock"


def test_json_matches_its_schema():
    jsonschema = pytest.importorskip("jsonschema")
    from importlib import resources
    schema = json.loads((resources.files("movspec.report") / "schemas" / "result.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    doc = outputs.result_document(hb.results(), hb.models())
    jsonschema.validate(doc, schema)
    doc["results"][0]["properties"][0]["verdict"] = "maybe"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema)


def test_two_backends_give_distinct_suites_and_files():
    rs = hb.results()
    tlc = replace(rs[1], backend="tlc")
    xml = junit.to_junit_xml(rs + [tlc], hb.models(), timing=False)
    junit.validate(xml)
    assert '<testsuite name="movable.per_driver_locking" ' in xml
    assert '<testsuite name="movable.per_driver_locking.tlc" ' in xml
    assert sorted(outputs.itf_documents(rs + [tlc], hb.models())) == [
        "per_driver_locking.NoUseAfterUnload.itf.json", "per_driver_locking.NoUseAfterUnload.tlc.itf.json"]


def test_itf_matches_its_schema():
    jsonschema = pytest.importorskip("jsonschema")
    from importlib import resources
    schema = json.loads((resources.files("movspec.report") / "schemas" / "itf.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    for doc in outputs.itf_documents(hb.results(), hb.models()).values():
        jsonschema.validate(doc, schema)
        bad = json.loads(json.dumps(doc))
        bad["states"][1]["page"] = {"#bigint": 3}
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)
