"""movspec: model-check design variants of concurrent kernel protocols.

Pipeline (one way; each stage reads only the one before)::

    text --dsl--> AST --ir--> resolved Model per variant --check--> diagnostics
    Model --emit--> PlusCal/TLA+ + .cfg  --tlc-->      CheckResult
    Model --explore--> embedded checker  ------->      CheckResult
    CheckResult(s) --report--> terminal, docs, JSON, JUnit XML, ITF
"""

__version__ = "0.1.0"

# The public API (``movspec.api``), bound last so that ``movspec.check`` is the function. The
# semantic-check stage stays importable as the package ``movspec.check`` (``sys.modules``);
# it is imported first, so that importing it later does not rebind the name.
from . import check as _check_stage  # noqa: E402,F401
from .api import (BACKENDS, CheckResult, ConstError, LoadResult, Mismatch, Model, Options,  # noqa: E402
                  PropertyResult, Referee, UnknownName, Verdict, check, disagreements, explain, load,
                  mismatches, results_to_json)

__all__ = ["BACKENDS", "CheckResult", "ConstError", "LoadResult", "Mismatch", "Model", "Options",
           "PropertyResult", "Referee", "UnknownName", "Verdict", "__version__", "check", "disagreements",
           "explain", "load", "mismatches", "results_to_json"]
