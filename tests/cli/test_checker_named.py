"""Every output says which checker produced its verdicts: the terminal (a "checked by" line
under the matrix), JSON (`runner`), JUnit, the generated docs, `explain` and `diff`; for TLC,
its version and runner (local Java with the jar's path, or Docker with the image)."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import pytest

from .conftest import FIXTURES, movspec

PROPS = str(FIXTURES / "props.mspec")


def test_builtin_check_names_its_checker(tmp_path):
    out, junit = tmp_path / "r.json", tmp_path / "r.xml"
    r = movspec("check", PROPS, "-j", "1", "--json", str(out), "--junit", str(junit))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "checked by the builtin checker" in r.stdout
    results = json.loads(out.read_text())["results"]
    assert results and all(res["backend"] == "builtin" and res["runner"] == "" for res in results)
    names = {p.get("name") for p in ET.parse(junit).getroot().iter("property")}
    assert "backend" in names and "runner" not in names  # no runner: nothing to name


def test_explain_and_diff_name_the_checker():
    r = movspec("explain", "split", "Exclusion", PROPS)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "checked by the builtin checker" in r.stdout
    r = movspec("explain", "split", "Exclusion", PROPS, "--json")
    assert json.loads(r.stdout)["checker"] == "the builtin checker"
    r = movspec("diff", "atomic", "split", PROPS)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "checked by the builtin checker" in r.stdout
    r = movspec("diff", "atomic", "split", PROPS, "--json")
    assert json.loads(r.stdout)["checker"] == "the builtin checker"


def test_docs_name_the_checker(tmp_path):
    r = movspec("docs", PROPS, "-o", str(tmp_path / "site"))
    assert r.returncode == 0, r.stdout + r.stderr
    pages = [p.read_text() for p in (tmp_path / "site").rglob("*.md")]
    assert any("(checked by the builtin checker)" in p for p in pages)


@pytest.mark.tlc
def test_tlc_results_name_version_and_runner(tmp_path):
    jar = os.environ.get("MOVSPEC_TLA2TOOLS")
    if not jar:
        pytest.skip("no MOVSPEC_TLA2TOOLS: the local Java runner is what this test names")
    out, junit = tmp_path / "r.json", tmp_path / "r.xml"
    r = movspec("check", PROPS, "-p", "Exclusion", "--backend", "both", "--json", str(out),
                "--junit", str(junit), env={"MOVSPEC_TLA2TOOLS": jar, "MOVSPEC_TLC_BACKEND": "local"})
    assert r.returncode == 0, r.stdout + r.stderr
    tlc = [res for res in json.loads(out.read_text())["results"] if res["backend"] == "tlc"]
    assert tlc
    for res in tlc:
        assert res["runner"].startswith("TLC 2.") and f"local Java, {os.path.abspath(jar)}" in res["runner"], res["runner"]
    shown = " ".join(r.stdout.split())  # each back end's matrix, each with its line
    assert "checked by the builtin checker" in shown and f"checked by {tlc[0]['runner']}" in shown
    runners = {p.get("value") for p in ET.parse(junit).getroot().iter("property") if p.get("name") == "runner"}
    assert runners == {tlc[0]["runner"]}
