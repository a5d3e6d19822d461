"""Headless Chromium for the report tests: find it, run it, or say why not (then the tests
skip). Uses Debian's ``chromium`` package (``apt-get install -y chromium``); ``MOVSPEC_CHROMIUM``
names another binary."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars"]


def find() -> str | None:
    env = os.environ.get("MOVSPEC_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser"):
        path = shutil.which(name) if "/" not in name else (name if Path(name).exists() else None)
        if path:
            return path
    return None


class BrowserUnavailable(Exception):
    pass


def run(binary: str, args: list[str], timeout: int = 90) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="movspec-chromium-") as profile:
        cmd = [binary, *FLAGS, f"--user-data-dir={profile}", *args]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise BrowserUnavailable(f"chromium did not run: {e}") from None
    return proc


def dump_dom(binary: str, url: str, size: str | None = None) -> str:
    """The DOM after the page's scripts ran; ``size`` (``"1300,500"``) sets the viewport."""
    extra = [f"--window-size={size}"] if size else []
    proc = run(binary, ["--virtual-time-budget=5000", *extra, "--dump-dom", url])
    if proc.returncode != 0 or "<html" not in proc.stdout:
        raise BrowserUnavailable(f"chromium failed to start (exit {proc.returncode}): {proc.stderr[-500:]}")
    return proc.stdout


def screenshot(binary: str, url: str, out: Path, size: str = "1300,2400") -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        out.unlink()
    proc = run(binary, ["--virtual-time-budget=5000", f"--window-size={size}", f"--screenshot={out}", url])
    if proc.returncode != 0 or not out.exists():
        raise BrowserUnavailable(f"chromium took no screenshot (exit {proc.returncode}): {proc.stderr[-500:]}")
