"""Generated TLA+ stays valid whatever the user writes (marked ``tlc``: skipped without TLC).

tests/fixtures/emit/hostile has anchors, descriptions and doc strings holding ``*)``, ``(*``,
line breaks, quotes, backslashes, tabs and non-ASCII text, and names beginning ``MS_``,
``WF_`` and ``SF_`` (variables, constants, model values, struct fields, actors, steps,
properties, variants) and a constant named like a .cfg keyword. Each variant's module goes
through pcal.trans and SANY as written by the emitter, then TLC checks it, and TLC agrees
with the builtin checker (the referee of ``--backend both``) and meets the model's ``expect``
lines. A control shows the escaping matters: the same module with one anchor written raw
is rejected by the translator."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from movspec.emit import emit
from movspec.expect import disagreements, mismatches
from movspec.load import load

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "fixtures" / "emit" / "hostile"

pytestmark = pytest.mark.tlc


def _models():
    res = load([str(HOSTILE)])
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    return res.models


def _jar() -> str:
    jar = os.environ.get("MOVSPEC_TLA2TOOLS")
    if not jar or not Path(jar).is_file() or shutil.which("java") is None:
        pytest.skip("pcal.trans and SANY are run directly: needs java and $MOVSPEC_TLA2TOOLS")
    return jar


def _java(jar: str, tool: str, args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["java", "-XX:+UseSerialGC", "-cp", jar, tool, *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def _translate_and_parse(jar: str, module: str, text: str, d: Path) -> tuple[subprocess.CompletedProcess, ...]:
    d.mkdir(parents=True, exist_ok=True)
    (d / f"{module}.tla").write_text(text, encoding="utf-8")
    pcal = _java(jar, "pcal.trans", ["-nocfg", f"{module}.tla"], d)
    if pcal.returncode != 0:
        return (pcal,)
    sany = _java(jar, "tla2sany.SANY", [f"{module}.tla"], d)
    return pcal, sany


@pytest.mark.parametrize("variant", ["MS_base", "WF_fixed", "SF_asserts"])
def test_hostile_module_translates_and_parses(variant, tmp_path):
    jar = _jar()
    em = emit(_models()[variant], root=str(ROOT))
    # the prefixed names were renamed, the cfg keyword too, and nothing hung on the way
    assert em.module == "x" + variant
    assert em.symbols.var("MS_ref") == "xMS_ref" and em.symbols.const("TYPE") == "TYPE_1"
    assert "xWF_f |->" in em.tla
    pcal, sany = _translate_and_parse(jar, em.module, em.tla, tmp_path)
    assert pcal.returncode == 0, pcal.stdout + pcal.stderr
    assert "Translation completed" in pcal.stdout
    assert sany.returncode == 0 and "*** Errors" not in sany.stdout, sany.stdout + sany.stderr
    translated = (tmp_path / f"{em.module}.tla").read_text(encoding="utf-8")
    assert "\\* BEGIN TRANSLATION" in translated and "xWF_worker(self) ==" in translated


def test_a_raw_anchor_would_break_the_module(tmp_path):
    """The control: put one anchor back as the user wrote it (a line break and ``*)``), and
    the translator rejects the module."""
    jar = _jar()
    m = _models()["MS_base"]
    em = emit(m, root=str(ROOT))
    step = m.actor("WF_worker").step("MS_get")
    escaped = "@ mm/x.c:f * ) ( * evil next line"
    assert escaped in em.tla
    raw = em.tla.replace(escaped, "@ " + step.anchor)
    (pcal, *_) = _translate_and_parse(jar, em.module, raw, tmp_path)
    # the line break put "next line" into the algorithm, where the translator wants a statement
    assert pcal.returncode != 0 and "Unrecoverable error" in pcal.stdout, pcal.stdout


def test_tlc_agrees_with_the_builtin_checker_on_the_hostile_model():
    from movspec.explore import check
    from movspec.tlc import check_model

    for name, model in _models().items():
        b = check(model)
        t = check_model(model)
        assert t.error is None, t.error
        assert disagreements(b, t) == [], (name, disagreements(b, t))
        assert mismatches(t, model) == [] and mismatches(b, model) == [], name
        assert t.stats.distinct == b.stats.distinct > 1
    # the violated invariant came back under its DSL name, with the builtin's trace length,
    # and TLC's trace reads in DSL names (model values, fields, processes, steps): replayed
    # through the reference interpreter, it is an execution of the model
    base = _models()["MS_base"]
    p = check_model(base).property("WF_Inv")
    assert p.verdict.value == "violated" and len(p.trace) - 1 == 3
    _assert_execution(base, p.trace)
    assert {r.proc for r in p.trace.steps[1:]} <= {"WF_c1", "SF_c2", "SF_owner"}
    # a failed assertion: the failing process is named as in the DSL too
    asserts = _models()["SF_asserts"]
    p = check_model(asserts).property("MS_Assert")
    last = p.trace.steps[-1]
    assert p.verdict.value == "violated" and last.failure.startswith("one reference *) left")
    assert (last.actor, last.step) == ("WF_worker", "WF_put") and last.proc in ("WF_c1", "SF_c2")


def _norm(v):
    from movspec.result import Fn, Rec
    if isinstance(v, Fn):
        return ("fn", tuple(sorted((repr(_norm(k)), _norm(x)) for k, x in v.pairs)))
    if isinstance(v, Rec):
        return ("rec", tuple((k, _norm(x)) for k, x in v.fields))
    if isinstance(v, frozenset):
        return ("set", tuple(sorted(repr(_norm(x)) for x in v)))
    return v


def _assert_execution(model, trace) -> None:
    from movspec.explore import reference
    norm = lambda st: {k: _norm(v) for k, v in st.items()}  # noqa: E731
    rows = trace.steps
    assert norm(rows[0].state) == norm(reference.initial_state(model))
    prev = rows[0].state
    for row in rows[1:]:
        succ = reference.successors(model, prev)
        assert any((a, p, s) == (row.actor, row.proc, row.step) and new is not None and norm(new) == norm(row.state)
                   for a, p, s, new, _ in succ), (row.actor, row.proc, row.step)
        prev = row.state
