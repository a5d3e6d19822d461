"""The emit stage: IR models as PlusCal/TLA+ modules and TLC configurations.

Public API::

    emit(model, root=None) -> Emitted        # one variant: .tla text, .cfg text, line map
    render_files(models, root=None) -> dict[str, str]   # file name -> content, for gen/
    write_files(files, out) -> GenReport     # write gen/, remove stale generated files
    compare_files(files, out) -> GenReport   # what `movspec gen --check` reports

Output is byte-stable: the same models always give the same bytes (no timestamps, fixed
order, paths relative to ``root``).
"""

from __future__ import annotations

from .gen import GenReport, compare_files, render_files, write_files
from .expr import EmitError
from .module import Emitted, emit

__all__ = ["emit", "Emitted", "EmitError", "render_files", "write_files", "compare_files", "GenReport"]
