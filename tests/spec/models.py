"""What the driver models' tests (tests/spec/test_*.py) share: loading a model's
directories, a counterexample's steps, and checking a model with one more file (a mutation
or a variant written by the test)."""

from __future__ import annotations

from pathlib import Path

from movspec.explore import check
from movspec.load import load, load_files


def load_ok(*dirs: Path):
    """The model of ``dirs``, asserted to load without errors."""
    r = load(list(dirs))
    assert r.ok, "\n".join(str(d) for d in r.diagnostics)
    return r


def trace_steps(trace) -> list[tuple]:
    """(actor, process, step) of each step of ``trace`` after its initial state."""
    return [(s.actor, s.proc, s.step) for s in trace.steps[1:]]


def check_with(model_dir: Path, name: str, text: str, variant: str):
    """The embedded checker's result (symmetry on) for ``variant`` of ``model_dir``'s files
    together with ``text`` as the file ``name``."""
    texts = [(str(f), f.read_text()) for f in sorted(model_dir.glob("*.mspec"))]
    texts.append((name, text))
    r = load_files(texts)
    assert r.ok, "\n".join(str(d) for d in r.errors)
    return check(r.models[variant], symmetry=True)
