"""`movspec lsp` from the command line: its help, and what it says when the `lsp` extra is
not installed (run in a subprocess where importing pygls and lsprotocol fails)."""

from __future__ import annotations

import subprocess
import sys

_NO_PYGLS = """
import sys
sys.modules["pygls"] = None
sys.modules["lsprotocol"] = None
sys.argv = ["movspec", "lsp"]
from movspec.cli import main
main()
"""


def test_lsp_without_pygls_says_how_to_install_it():
    out = subprocess.run([sys.executable, "-c", _NO_PYGLS], capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, check=False)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "error: the language server needs the `lsprotocol` package, which is not installed" in out.stderr
    assert "pip install 'movspec[lsp]'" in out.stderr


def test_lsp_is_a_command_of_python_m_movspec():
    out = subprocess.run([sys.executable, "-m", "movspec", "lsp", "--help"], capture_output=True,
                         text=True, check=False)
    assert out.returncode == 0
    assert "language server" in out.stdout and "docs/editor.md" in out.stdout
