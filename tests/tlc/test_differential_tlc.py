"""The builtin checker against a real TLC on random small models (``tests/explore/randmodels``,
seeded), with and without symmetry (both given the same setting): per property the same
verdict (leadsto included, each lasso of either judged fair by the reference), the same
shortest-counterexample length, the same distinct-state
count and depth, the same symmetry flag, and evaluation errors reported by both.

TLC runs are many and short: they go through ``tlc.check_model`` a few at a time, with the
JVM's quick-start JIT setting unless ``MOVSPEC_JAVA_OPTS`` says otherwise. Known, tracked
differences (``PENDING``) are counted apart; each has a fixture, replayed here as a strict
xfail (every fixture of tests/fixtures/explore/differential/ is replayed against TLC).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from movspec.explore import check
from movspec.load import load
from tests.explore.differential import load_gen, tlc_disagreements
from tests.explore.randmodels import generate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "explore" / "differential"

pytestmark = pytest.mark.tlc

MODELS = 300  # variant models, at least
SEED0 = 50_000
PARALLEL = 3
MAX_STATES = 3000  # the builtin's count above which a model is too big for this test


# tracked differences, each with a fixture under tests/fixtures/explore/differential/ whose
# replay below is a strict xfail: fixture name -> what is wrong
PENDING: dict[str, str] = {}


def pending(model, msg: str) -> str | None:
    """The fixture of the tracked bug a disagreement belongs to, or None (a new one)."""
    return None


def _cases():
    """(seed, variant, model) for the first MODELS variant models that are small enough."""
    out = []
    seed = SEED0
    while len(out) < MODELS:
        models = load_gen(generate(seed, small=True))
        for vname, m in (models or {}).items():
            r = check(m, symmetry=False, max_states=MAX_STATES)
            if r.complete or r.error:
                out.append((seed, vname, m))
        seed += 1
    return out


def _quick_jvm(monkeypatch, tmp: Path, model) -> None:
    """JVM options for many short runs: the quick-start JIT tier, the serial collector and a
    class-data archive of tla2tools written by a first run (ignored by a JVM that cannot
    use it). Left alone when ``MOVSPEC_JAVA_OPTS`` is set."""
    from movspec.tlc import check_model
    if os.environ.get("MOVSPEC_JAVA_OPTS"):
        return
    quick = "-XX:TieredStopAtLevel=1 -XX:-UseParallelGC -XX:+UseSerialGC"
    archive = tmp / "tla2tools.jsa"
    monkeypatch.setenv("MOVSPEC_JAVA_OPTS", f"{quick} -XX:ArchiveClassesAtExit={archive}")
    check_model(model, workers=1, symmetry=False, timeout=300)
    opts = f"{quick} -XX:SharedArchiveFile={archive} -Xshare:auto" if archive.is_file() else quick
    monkeypatch.setenv("MOVSPEC_JAVA_OPTS", opts)


def test_builtin_agrees_with_tlc(monkeypatch, tmp_path):
    from movspec.tlc import check_model
    t0 = time.perf_counter()
    cases = _cases()
    _quick_jvm(monkeypatch, tmp_path, cases[0][2])
    jobs = [(seed, vname, m, sym) for seed, vname, m in cases
            for sym in ([False, True] if any(c.symmetric for c in m.consts) else [False])]

    def run(job):
        seed, vname, m, sym = job
        theirs = check_model(m, workers=1, symmetry=sym, timeout=300)
        ours = check(m, symmetry=sym)
        return job, tlc_disagreements(ours, theirs, m)

    new: list[str] = []
    known: Counter = Counter()
    with ThreadPoolExecutor(PARALLEL) as pool:
        for (seed, vname, m, sym), diffs in pool.map(run, jobs):
            for msg in diffs:
                why = pending(m, msg)
                if why is None:
                    new.append(f"seed {seed} variant {vname} symmetry={sym}: {msg}")
                else:
                    known[why] += 1
    seconds = time.perf_counter() - t0
    print(f"\ndifferential (builtin vs TLC): {len(cases)} models, {len(jobs)} TLC checks, "
          f"{seconds:.0f}s; pending: {dict(known)}")
    assert len(cases) >= MODELS
    assert sum(1 for j in jobs if j[3]) >= MODELS // 3  # a good share with symmetry on
    assert not new, "\n".join(new[:20])


def _fixture_cases():
    out = []
    for path in sorted(FIXTURES.glob("*.mspec")):
        marks = [pytest.mark.xfail(strict=True, reason=PENDING[path.stem])] if path.stem in PENDING else []
        out.append(pytest.param(path, id=path.stem, marks=marks))
    return out


@pytest.mark.parametrize("path", _fixture_cases())
def test_fixture_agrees_with_tlc(path, monkeypatch):
    from movspec.tlc import check_model
    if not os.environ.get("MOVSPEC_JAVA_OPTS"):
        monkeypatch.setenv("MOVSPEC_JAVA_OPTS", "-XX:TieredStopAtLevel=1")
    res = load([str(path)])
    assert res.ok, [d.render(res.sources) for d in res.diagnostics]
    diffs = []
    for name, m in res.models.items():
        for sym in ([False, True] if any(c.symmetric for c in m.consts) else [False]):
            theirs = check_model(m, workers=1, symmetry=sym, timeout=300)
            diffs += [f"{name} symmetry={sym}: {d}" for d in tlc_disagreements(check(m, symmetry=sym), theirs, m)]
    assert not diffs, "\n".join(diffs)


def test_every_pending_case_has_a_fixture():
    assert set(PENDING) <= {p.stem for p in FIXTURES.glob("*.mspec")}
