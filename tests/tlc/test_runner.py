"""The TLC run loop without Java: a backend that replays recorded sessions
(tests/fixtures/tlc/session_*/) and checks that movspec asks TLC for exactly what it asked
in the real run (same arguments, same .cfg), then compares the verdicts."""

from __future__ import annotations

from pathlib import Path


import pytest

from movspec.ir import nodes as ir
from movspec.result import Verdict
from movspec.tlc import check_model
from movspec.tlc.backend import Backend, RunResult
from tests.emit import handmade

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "tlc"


class Replay(Backend):
    name = "replay"

    def __init__(self, session: Path, *, timeout_at: int | None = None, pcal_output: str | None = None):
        self.session = session
        self.runs = 0
        self.timeout_at = timeout_at
        self.pcal_output = pcal_output

    def available(self):
        return True, f"replaying {self.session.name}"

    def run(self, main, args, workdir, timeout=None):
        if main == "pcal.trans":
            assert args[0] == "-nocfg"
            if self.pcal_output is not None:
                return RunResult(255, self.pcal_output, False, 0.1)
            (Path(workdir) / args[-1]).write_text((self.session / "translated.tla").read_text())
            return RunResult(0, "Translation completed.\n", False, 0.1)
        assert main == "tlc2.TLC"
        self.runs += 1
        n = self.runs
        assert " ".join(args) == (self.session / f"run{n}.args").read_text().strip()
        cfg = args[args.index("-config") + 1]
        assert (Path(workdir) / cfg).read_text() == (self.session / f"run{n}.cfg").read_text()
        if self.timeout_at == n:
            return RunResult(137, "", True, 5.0)
        return RunResult(0, (self.session / f"run{n}.out").read_text(), False, 1.0)


def verdicts(res):
    return {p.name: p.verdict.value for p in res.properties}


def test_replay_leaky():
    be = Replay(FIX / "session_leaky")
    res = check_model(handmade.model("leaky"), backend=be)
    # FreeHygiene (found with the checks on, so traced again with them off, and its last state
    # confirmed by a run from that state), then Deadlock, then the full run, then EventualUnlock
    assert be.runs == 6
    assert res.error is None and res.complete
    assert verdicts(res) == {"TypeOK": "holds", "FreeHygiene": "violated", "NoUseAfterUnload": "holds",
                             "Assertions": "holds", "EventualUnlock": "violated", "Deadlock": "violated"}
    assert (res.stats.distinct, res.stats.depth, res.stats.generated) == (111, 13, 236)
    assert res.property("Deadlock").kind == "deadlock"
    assert res.property("EventualUnlock").trace.loop_start is not None
    cov = dict(res.coverage)
    assert cov["driver.lock"] == 21 and cov["loader.unload"] == 0  # the loader never runs
    assert len(cov) == sum(len(a.steps) for a in handmade.model("leaky").actors)


def test_replay_nolock():
    be = Replay(FIX / "session_nolock")
    res = check_model(handmade.model("nolock"), backend=be)
    assert be.runs == 4
    assert verdicts(res)["NoUseAfterUnload"] == verdicts(res)["Assertions"] == "violated"
    assert (res.stats.distinct, res.stats.depth) == (192, 15)
    tr = res.property("Assertions").trace
    assert tr.steps[-1].failure == "migrating a page without PG_lock"
    assert (tr.steps[-1].actor, tr.steps[-1].step) == ("compactor", "migrate")


def test_timeout_keeps_what_was_found():
    # runs 1-4 find FreeHygiene (traced again with the checks off, its last state confirmed) and
    # Deadlock; the full run times out
    res = check_model(handmade.model("leaky"), backend=Replay(FIX / "session_leaky", timeout_at=5), timeout=600)
    assert not res.complete and res.reason == "time budget of 600s reached"  # the builtin checker's words
    v = verdicts(res)
    assert v["FreeHygiene"] == v["Deadlock"] == "violated"
    assert v["TypeOK"] == v["EventualUnlock"] == "incomplete"  # never HOLDS when cut short
    assert Verdict.HOLDS not in {p.verdict for p in res.properties}


def test_translator_failure_is_reported_in_dsl_terms():
    from movspec.emit import emit
    tla = emit(handmade.model("locked")).tla.split("\n")
    line = next(i for i, l in enumerate(tla, 1) if "compactor_get:" in l) + 1  # a step's statement
    out = ("pcal.trans Version 1.11 of 31 December 2020\n\nUnrecoverable error:\n"
           f" -- Missing label at the following location:\n     line {line}, column 13.\n")
    res = check_model(handmade.model("locked"), backend=Replay(FIX / "session_leaky", pcal_output=out))
    assert res.error.startswith("spec/mini.mspec:")
    assert "Missing label" in res.error and f"generated module line {line}" in res.error
    assert {p.verdict for p in res.properties} == {Verdict.ERROR}


def test_inductive_invariants_are_decided_by_the_builtin_checker_and_say_so():
    from dataclasses import replace
    m = handmade.model("leaky")
    m = replace(m, properties=m.properties + (ir.Inductive("Ind", ir.BoolLit(True)),
                                              ir.Inductive("Never", ir.BoolLit(False))))
    res = check_model(m, backend=Replay(FIX / "session_leaky"))
    ind, never = res.property("Ind"), res.property("Never")
    # TRUE is not inductive here: TypeOK is part of every inductive check, and from some
    # type-correct state the leaky model drops a reference below 0
    assert ind.kind == "inductive" and ind.verdict is Verdict.VIOLATED
    assert "not inductive" in ind.message and "decided by the builtin checker" in ind.message
    # false in the initial state: not inductive, whoever ran the rest of the check
    assert never.verdict is Verdict.VIOLATED and "decided by the builtin checker" in never.message
    assert res.verdict("FreeHygiene") is Verdict.VIOLATED


class Interrupting(Replay):
    """Ctrl-C (or SIGTERM, which the CLI turns into one) while TLC run ``at`` is going."""

    def __init__(self, session: Path, at: int):
        super().__init__(session)
        self.at = at

    def run(self, main, args, workdir, timeout=None):
        if main == "tlc2.TLC" and self.runs + 1 == self.at:
            raise KeyboardInterrupt
        return super().run(main, args, workdir, timeout)


def test_an_interrupt_keeps_what_was_found_and_removes_the_scratch_dir(tmp_path, monkeypatch):
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    res = check_model(handmade.model("leaky"), backend=Interrupting(FIX / "session_leaky", at=5))
    assert not res.complete and res.reason == "interrupted"
    v = verdicts(res)
    assert v["FreeHygiene"] == v["Deadlock"] == "violated"
    assert Verdict.HOLDS not in {p.verdict for p in res.properties}
    assert list(tmp_path.iterdir()) == []


def test_a_jvm_that_cannot_start_is_not_a_translator_error(monkeypatch):
    monkeypatch.setenv("MOVSPEC_JAVA_OPTS", "-Xbogus")
    out = ("Unrecognized option: -Xbogus\nError: Could not create the Java Virtual Machine.\n"
           "Error: A fatal exception has occurred. Program will exit.\n")
    res = check_model(handmade.model("locked"), backend=Replay(FIX / "session_leaky", pcal_output=out))
    assert res.error == ("Java could not start ($MOVSPEC_JAVA_OPTS='-Xbogus'): Unrecognized option: -Xbogus; "
                         "fix or unset $MOVSPEC_JAVA_OPTS")
    assert {p.verdict for p in res.properties} == {Verdict.ERROR}
