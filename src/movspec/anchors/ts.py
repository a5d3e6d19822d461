"""The C parser: tree-sitter with its C grammar, imported on first use so that the rest of
movspec works without them."""

from __future__ import annotations

from functools import lru_cache

__all__ = ["ParserMissing", "INSTALL_HINT", "parser"]

INSTALL_HINT = ("install the C parser: `pip install 'movspec[anchors]'` (or "
                "`.venv/bin/pip install tree-sitter tree-sitter-c`); ./bootstrap.sh installs it")


class ParserMissing(RuntimeError):
    """tree-sitter or its C grammar is not installed."""


@lru_cache(maxsize=1)
def parser():
    try:
        import tree_sitter
        import tree_sitter_c
    except ImportError as e:
        raise ParserMissing(f"the C parser is not installed ({e.name or e})") from None
    try:
        return tree_sitter.Parser(tree_sitter.Language(tree_sitter_c.language()))
    except (TypeError, ValueError) as e:  # a grammar built for another tree-sitter ABI
        raise ParserMissing(f"tree-sitter {getattr(tree_sitter, '__version__', '?')} cannot load "
                            f"the C grammar: {e}") from None
