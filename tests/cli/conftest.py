"""Helpers of the command-line tests: ``movspec`` run as a user runs it (``python -m movspec``
in a subprocess from the repository root, with a fixed terminal width and no TLC set up)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "cli"
MANY = "tests/fixtures/cli/many"  # twelve variants of the report tests' miniature
SMALL = "tests/fixtures/report/small"


def movspec(*args: str, columns: int | None = None, env: dict | None = None, timeout: float = 300,
            cwd: Path | str = ROOT) -> subprocess.CompletedProcess:
    """Run ``python -m movspec ARGS``; stdout and stderr captured as text."""
    e = dict(os.environ)
    e.update({"MOVSPEC_TLA2TOOLS": "", "MOVSPEC_TLC_BACKEND": "", "MOVSPEC_CACHE": "/nonexistent",
              "PYTHONIOENCODING": "utf-8"})
    e.pop("FORCE_COLOR", None)
    if columns is not None:
        e["COLUMNS"] = str(columns)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "movspec", *args], capture_output=True, text=True,
                          env=e, cwd=cwd, timeout=timeout)


def widest(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)
