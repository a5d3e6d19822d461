"""The report stage: pure functions from check results (and the models they came from) to
what people and machines read.

* terminal: ``print_results`` (the variant x property matrix, counterexamples as lanes);
* ``explain_text``: a counterexample told step by step in kernel terms;
* ``model_diff``, ``verdict_diff``, ``replay_on``: how two variants differ;
* docs: ``render_site`` (Markdown) and ``render_html`` (one self-contained page) of a ``Site``;
* machines: ``write_outputs`` (JSON, JUnit XML, ITF traces), ``read_itf``.

Every rule about expectations lives in ``movspec.expect`` (the one ``movspec check`` uses).
"""

from .context import Site, VariantDoc
from .diff import model_diff, replay_on, verdict_diff
from .explain import explain_text
from .html import render_html
from .itf import read_itf, to_itf
from .markdown import render_site
from .outputs import write_outputs
from .terminal import print_results

__all__ = [
    "Site", "VariantDoc", "explain_text", "model_diff", "print_results", "read_itf", "render_html",
    "render_site", "replay_on", "to_itf", "verdict_diff", "write_outputs",
]
