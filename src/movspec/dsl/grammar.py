"""The Lark parser for the grammar in ``movspec.lark`` (LALR, positions kept, tables cached)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from lark import Lark


@lru_cache(maxsize=1)
def lark_parser() -> Lark:
    text = resources.files(__package__).joinpath("movspec.lark").read_text(encoding="utf-8")
    # cache=True: Lark keeps the LALR tables in the temp directory, keyed by grammar and version
    import lark.parse_tree_builder as ptb

    make = getattr(ptb, "make_propagate_positions", None)
    base = getattr(ptb, "PropagatePositions", None)
    if make is None or base is None:  # another Lark: its own position tracking
        return Lark(text, parser="lalr", lexer="contextual", propagate_positions=True,
                    maybe_placeholders=True, cache=True)

    class _Positions(base):
        """Lark's position tracking, minus its no-op: a rule that hands its one child through
        (each level of the expression grammar does) leaves that child's positions as they are,
        so they are not computed again. Position tracking was 40% of the parse time."""

        def __call__(self, children):
            if len(children) == 1 and self.node_builder(children) is children[0]:
                return children[0]  # (a one-child node is rare: building it twice costs little)
            return super().__call__(children)

    ptb.make_propagate_positions = lambda option: _Positions if option is True else make(option)
    try:
        return Lark(text, parser="lalr", lexer="contextual", propagate_positions=True,
                    maybe_placeholders=True, cache=True)
    finally:
        ptb.make_propagate_positions = make
