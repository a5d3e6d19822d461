"""movspec: model-check design variants of concurrent kernel protocols.

Pipeline (one way; each stage reads only the one before)::

    text --dsl--> AST --ir--> resolved Model per variant --check--> diagnostics
    Model --emit--> PlusCal/TLA+ + .cfg  --tlc-->      CheckResult
    Model --explore--> embedded checker  ------->      CheckResult
    CheckResult(s) --report--> terminal, docs, JSON, JUnit XML, ITF
"""

__version__ = "0.1.0"
