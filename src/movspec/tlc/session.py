"""One TLC session on one emitted module: translate it with pcal.trans, run TLC on a .cfg,
and turn what goes wrong into a ``TlcFailure`` in the user's terms (DSL lines through the
emitter's line map). ``runner`` and ``refinement`` both run TLC through it.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from ..emit import Emitted
from ..span import Span
from .backend import Backend, BackendUnavailable, RunResult, jvm_start_failure
from .distributed import Distributed, WorkersLost, run_distributed
from .errors import user_terms
from .output import TlcError, TlcOutput, parse_output

class TlcFailure(Exception):
    """TLC could not check the model; ``str()`` is the message for the user."""

    def __init__(self, message: str, span: Span | None = None, detail: str | None = None):
        self.span = span
        self.detail = detail
        super().__init__(f"{span}: {message}" if span else message)

    @classmethod
    def many(cls, parts: list[tuple[Span | None, str]], detail: str | None = None) -> "TlcFailure":
        text = "\n".join(f"{s}: {m}" if s else m for s, m in parts)
        exc = cls(text, None, detail)
        exc.span = next((s for s, _ in parts if s), None)
        return exc


class LineMap:
    """DSL spans of lines of the translated module (the emitter maps the untranslated one)."""

    def __init__(self, em: Emitted, translated: str):
        self.em = em
        self.lines = translated.split("\n")
        gen = em.tla.split("\n")
        self.begin = _index(self.lines, "\\* BEGIN TRANSLATION")
        end_t = _index(self.lines, "\\* END TRANSLATION")
        end_g = _index(gen, "\\* END TRANSLATION")
        self.end = end_t
        self.shift = (end_t - end_g) if end_t is not None and end_g is not None else 0

    def span(self, line: int) -> Span | None:
        """``line`` is 1-based in the translated module."""
        i = line - 1
        if self.begin is None or i < self.begin:
            return self.em.span_of_line(line)
        if self.end is not None and i > self.end:
            return self.em.span_of_line(line - self.shift)
        for j in range(i, self.begin, -1):  # inside the translation: the enclosing definition
            m = re.match(r"^(\w+)(?:\(.*?\))?\s*==", self.lines[j])
            if m:
                return self.em.definitions.get(m.group(1))
        return None


def _index(lines: list[str], needle: str) -> int | None:
    for i, l in enumerate(lines):
        if l.strip() == needle:
            return i
    return None


# --------------------------------------------------------------------------- the session

class TlcSession:
    """One scratch directory, one translated module, any number of TLC runs."""

    def __init__(self, em: Emitted, backend: Backend, workdir: Path, *, workers: int = 1,
                 deadline: float | None = None, distributed: Distributed | None = None):
        self.em = em
        self.backend = backend
        self.dir = workdir
        self.workers = workers
        self.distributed = distributed
        self.distributed_runs: list[int] = []  # the runs the distributed server decided
        self.deadline = deadline
        self.runs = 0
        self.version: str | None = None  # TLC's, from its first message
        self.linemap: LineMap | None = None
        self.translated: list[str] | None = None
        self.tla_name = f"{em.module}.tla"

    def remaining(self) -> float | None:
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - time.monotonic())

    def translate(self) -> str:
        path = self.dir / self.tla_name
        path.write_text(self.em.tla)
        res = self.backend.run("pcal.trans", ["-nocfg", self.tla_name], self.dir, self.remaining())
        if res.timed_out:
            raise TimeoutError
        _check_jvm(res)
        text = path.read_text()
        if res.returncode != 0 or "Unrecoverable error" in res.output or "BEGIN TRANSLATION" not in text:
            raise self._pcal_failure(res)
        self.linemap = LineMap(self.em, text)
        self.translated = text.split("\n")
        return text

    def append(self, definitions: str) -> None:
        """Add TLA+ definitions to the translated module of this scratch directory (before the
        closing ``====``), for this session's runs only."""
        if not definitions:
            return
        path = self.dir / self.tla_name
        lines = path.read_text().split("\n")
        end = max(i for i, l in enumerate(lines) if l.startswith("===="))
        lines[end:end] = definitions.split("\n")
        path.write_text("\n".join(lines))

    def _pcal_failure(self, res: RunResult) -> TlcFailure:
        out = res.output
        if "Could not find or load main class" in out or "ClassNotFoundException" in out:
            return TlcFailure("the jar given for TLC is not tla2tools.jar (no pcal.trans in it)")
        m = re.search(r"--\s*(.*?)\n(?:.*\n)*?\s*(?:at )?line (\d+), column (\d+)", out)
        msg = re.search(r"--\s*(.+)", out)
        text = msg.group(1).strip() if msg else out.strip().splitlines()[-1:] or ["no output"]
        if isinstance(text, list):
            text = text[0]
        span = self.em.span_of_line(int(m.group(2))) if m else None
        where = f" (generated module line {m.group(2)})" if m else ""
        return TlcFailure(f"error: the PlusCal translator rejected the generated module: {text}{where}",
                          span, detail=out)

    def tlc(self, cfg: str, *, deadlock: bool, cont: bool = False, coverage: bool = False,
            single: bool = False) -> tuple[TlcOutput, RunResult]:
        """One TLC run on ``cfg``. With ``distributed`` set (and not ``single``), a safety run
        goes to TLC's distributed server first (``_tlc_distributed``)."""
        if self.distributed is not None and not single and not cont and _distributable(cfg):
            got = self._tlc_distributed(cfg, deadlock=deadlock)
            if got is not None:
                return got
        return self._tlc(cfg, deadlock=deadlock, cont=cont, coverage=coverage)

    def _tlc_distributed(self, cfg: str, *, deadlock: bool) -> tuple[TlcOutput, RunResult] | None:
        """The run by a TLCServer and its workers (``tlc.distributed``) when it explored the
        whole state space without finding anything; None when it stopped at a violation or an
        error: TLC's server then names neither the property nor the path to the state (the
        parent of the violating state comes out as an initial state), so the same .cfg is run
        again by one TLC process, which stops at the first violation in breadth-first order
        and gives the message and a shortest trace."""
        self.runs += 1
        n = self.runs
        name = f"run{n}.cfg"
        (self.dir / name).write_text(cfg)
        args = ["-tool", "-config", name, "-metadir", f"states{n}"]
        if not deadlock:
            args.append("-deadlock")
        args.append(self.tla_name)
        (self.dir / f"run{n}.args").write_text("distributed " + " ".join(args) + "\n")
        try:
            res = run_distributed(self.backend, args, self.dir, self.remaining(), self.distributed, f"run{n}")
        except WorkersLost as exc:
            raise TlcFailure(f"error: {exc}") from None
        (self.dir / f"run{n}.out").write_text(res.output)
        if not res.timed_out:
            _check_jvm(res)
        out = self._parsed(res.output)
        # only "No error has been found" (2193) counts: after a violation the server prints
        # a trace header (2121) and its statistics, but no error message
        clean = out.success and out.complete and not out.errors and f"STARTMSG {_TRACE}:" not in res.output
        if res.timed_out or clean:
            self.distributed_runs.append(n)
            return out, res
        return None

    def _tlc(self, cfg: str, *, deadlock: bool, cont: bool, coverage: bool) -> tuple[TlcOutput, RunResult]:
        self.runs += 1
        name = f"run{self.runs}.cfg"
        (self.dir / name).write_text(cfg)
        args = ["-tool", "-workers", str(self.workers), "-config", name,
                "-metadir", f"states{self.runs}"]
        if cont:
            args.append("-continue")
        if not deadlock:
            args.append("-deadlock")
        if coverage:
            args += ["-coverage", "1"]  # action counts, printed every minute and at the end
        args.append(self.tla_name)
        (self.dir / f"run{self.runs}.args").write_text(" ".join(args) + "\n")
        res = self.backend.run("tlc2.TLC", args, self.dir, self.remaining())
        (self.dir / f"run{self.runs}.out").write_text(res.output)
        if not res.timed_out:
            _check_jvm(res)
        return self._parsed(res.output), res

    def _parsed(self, output: str) -> TlcOutput:
        out = parse_output(output)
        self.version = self.version or out.version
        return out

    # ------------------------------------------------------------------ errors
    def failure(self, out: TlcOutput, err: TlcError, res: RunResult) -> TlcFailure:
        lm = self.linemap
        if err.kind == "sany":
            if out.sany_errors:
                parts = []
                for e in out.sany_errors:
                    span = lm.span(e.line) if (lm and e.line) else None
                    where = f" (module line {e.line}, col {e.col})" if e.line else ""
                    parts.append((span, f"error: TLA+ semantic error in the generated module: {e.message}{where}"))
                return TlcFailure.many(parts, detail=res.output)
            return TlcFailure("error: SANY could not parse the generated module", None, detail=res.output)
        if err.kind == "memory":
            return TlcFailure("error: TLC ran out of memory; give Java more heap, e.g. "
                              "MOVSPEC_JAVA_OPTS=-Xmx8g, or shrink the model's constants", None, detail=res.output)
        span = None
        for line, _col, _mod in err.locations:
            span = lm.span(line) if lm else None
            if span:
                break
        text = user_terms(err.message)
        if err.kind == "eval":
            text = "TLC could not evaluate the model: " + text
        return TlcFailure(f"error: {text}", span, detail=res.output)


_TRACE = 2121  # "The behavior up to this point is:"


def _distributable(cfg: str) -> bool:
    """Whether TLC's distributed server can decide a run of ``cfg``: no temporal properties
    (it ignores them) and no movspec state constraints (``tlc.bounds``: they use ``TLCGet``/
    ``TLCSet``, which it does not support, and print their markers in the workers)."""
    return not re.search(r"^(PROPERTIES?|CONSTRAINTS?)\b", cfg, re.M)


def _check_jvm(res: RunResult) -> None:
    why = jvm_start_failure(res.output) if res.returncode != 0 else None
    if why is not None:
        raise BackendUnavailable(why)
