"""Anchors against kernel sources: every `@ "file:function"` of a model looked up in a kernel
tree with a real C parser (tree-sitter's C grammar), so a model stays honest as the kernel
moves. ``collect`` reads the anchors from the syntax trees, ``cindex`` indexes a C file,
``resolve`` checks anchors against a tree. The C parser is imported on first use
(``ts.ParserMissing`` says how to install it)."""

from .collect import AnchorUse, collect, in_variants, split_anchor
from .resolve import AnchorResult, Report, check_anchors
from .ts import INSTALL_HINT, ParserMissing

__all__ = ["AnchorUse", "collect", "in_variants", "split_anchor", "AnchorResult", "Report", "check_anchors",
           "INSTALL_HINT", "ParserMissing"]
