"""Record a TLC session of ``movspec.tlc.check_model`` for tests/tlc/test_runner.py.

    MOVSPEC_TLA2TOOLS=.../tla2tools.jar python -m tests.tlc.record_session leaky

runs the real TLC (local Java) on a variant of tests/emit/handmade.py and writes, into
tests/fixtures/tlc/session_<variant>/, the translated module and, for each TLC run, its
arguments, configuration and -tool output, exactly as TLC produced them. The replay test
then checks that the run loop asks for the same runs and reads the same verdicts.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from movspec.tlc import check_model
from movspec.tlc.backend import LocalJava, RunResult
from tests.emit import handmade

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "tlc"


class Recorder(LocalJava):
    def __init__(self, out: Path):
        super().__init__()
        self.out = out
        self.runs = 0

    def run(self, main, args, workdir, timeout=None) -> RunResult:
        res = super().run(main, args, workdir, timeout)
        if main == "pcal.trans":
            shutil.copy(Path(workdir) / args[-1], self.out / "translated.tla")
        else:
            self.runs += 1
            n = self.runs
            cfg = args[args.index("-config") + 1]
            (self.out / f"run{n}.args").write_text(" ".join(args) + "\n")
            (self.out / f"run{n}.cfg").write_text((Path(workdir) / cfg).read_text())
            (self.out / f"run{n}.out").write_text(res.output)
        return res


def main(variant: str) -> None:
    out = FIX / f"session_{variant}"
    out.mkdir(exist_ok=True)
    for old in out.glob("run*"):
        old.unlink()
    rec = Recorder(out)
    res = check_model(handmade.model(variant), backend=rec)
    print(f"{variant}: {rec.runs} TLC runs, " + ", ".join(f"{p.name} {p.verdict.value}" for p in res.properties))


if __name__ == "__main__":
    for v in sys.argv[1:]:
        main(v)
