"""How a list leaf of the state layout (``layout.Layout``) packs its value.

A list's internal value is a tuple of its elements' internal values, head first, all distinct
(an object is on a list at most once), so it is at most as long as its universe (the element
type's values). Its code has one digit per position, least significant first: the position of
the element in the universe plus one, 0 past the end; a digit is ``digit_bits`` wide. Small
universes get tables both ways (``LIST_TABLE_MAX`` lists at most).
"""

from __future__ import annotations

from itertools import permutations

LIST_TABLE_MAX = 2000  # lists of a universe of up to 6 elements: 1957


def count_lists(n: int) -> int:
    """How many lists of distinct elements a universe of ``n`` elements has."""
    total, term = 1, 1
    for k in range(n):
        term *= n - k
        total += term
    return total


def all_lists(elems) -> list[tuple]:
    """Every list of distinct elements of ``elems``, shortest first, each length in the
    order of ``itertools.permutations``."""
    elems = tuple(elems)
    return [p for k in range(len(elems) + 1) for p in permutations(elems, k)]


def digit_bits(n: int) -> int:
    """Bits of one digit: codes 0..n (0 ends the list)."""
    return max(1, n.bit_length())


def encode(upos: dict, digit: int, value) -> int | None:
    """The code of list ``value``; None when an element is outside the universe or repeated."""
    code, shift = 0, 0
    for e in value:
        i = upos.get(e)
        if i is None:
            return None
        code |= (i + 1) << shift
        shift += digit
    if len(set(value)) != len(value):
        return None
    return code


def tables(universe: tuple, codes: type = dict) -> tuple:
    """``(upos, digit, enc, dec)`` of a list leaf over ``universe``: element -> position, the
    digit width, and for small universes list -> code (a ``codes`` dict) and code -> list."""
    upos = {u: i for i, u in enumerate(universe)}
    digit = digit_bits(len(universe))
    if count_lists(len(universe)) > LIST_TABLE_MAX:
        return upos, digit, None, None
    enc = codes({v: encode(upos, digit, v) for v in all_lists(universe)})
    return upos, digit, enc, {c: v for v, c in enc.items()}


def decode(universe: tuple, digit: int, code: int) -> tuple:
    out = []
    mask = (1 << digit) - 1
    while code:
        out.append(universe[(code & mask) - 1])
        code >>= digit
    return tuple(out)
