"""Model strings with control characters (tests/fixtures/report/ctl: U+0001, U+0002, U+0003,
a form feed and terminal escape sequences in the title, descriptions, an anchor and an
assertion message) leave every output well formed: JUnit XML (which cannot carry them at
all) parses and validates, JSON and ITF parse, the console shows no raw control character,
and the docs hold none."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from movspec.cli import cli
from movspec.report.junit import validate, xml_text

ROOT = Path(__file__).resolve().parents[2]
CTL = "tests/fixtures/report/ctl"
RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def test_the_fixture_really_holds_control_characters():
    assert {"\x01", "\x02", "\x03", "\x0c", "\x1b"} <= set(RAW.findall((ROOT / CTL / "ctl.mspec").read_text()))


def test_machine_outputs_stay_well_formed(tmp_path):
    r = CliRunner().invoke(cli, ["check", CTL, "-q", "--junit", str(tmp_path / "r.xml"),
                                 "--json", str(tmp_path / "r.json"), "--itf", str(tmp_path / "itf")])
    assert r.exit_code == 0, r.output
    xml = (tmp_path / "r.xml").read_text()
    ET.fromstring(xml)
    validate(xml)
    assert "desc \\u0003 \\u001b[31m red" in xml
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["results"][0]["description"] == "desc \x03 \x1b[31m red"  # JSON carries them escaped
    (itf,) = (tmp_path / "itf").iterdir()
    json.loads(itf.read_text())


def test_console_shows_no_raw_control_character():
    r = CliRunner().invoke(cli, ["check", CTL, "-q", "--traces", "all"], env={"COLUMNS": "150"})
    assert r.exit_code == 0, r.output
    assert "message \\u0001 \\u001b[0m" in r.output and "g\\u0002h()" in r.output
    assert RAW.findall(r.output) == []


def test_docs_hold_no_control_character(tmp_path):
    r = CliRunner().invoke(cli, ["docs", CTL, "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    files = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert [p.name for p in files] == ["README.md", "report.html", "v.md"]
    for p in files:
        assert RAW.findall(p.read_text()) == [], p.name


def test_xml_text():
    assert xml_text("a\x00b\tc\nd\x1b") == "a\\u0000b\tc\nd\\u001b"
