"""TLA+ names for DSL identifiers.

Every identifier of the emitted module (constants, model values, variables, process and label
operators, invariants, bound variables) lives in one TLA+ namespace, shared with the reserved
words of TLA+ and PlusCal, the operators of the standard modules the module extends, and the
names the PlusCal translator defines (``pc``, ``Init``, ``Next``, ...). A ``Namer`` hands out
names first come, first served: a DSL name that is free is kept as written; one that is
reserved or already taken gets a numeric suffix (``Next`` -> ``Next_1``). The order of the
claims is fixed by the emitter, so the same model always gets the same names.
"""

from __future__ import annotations

import re

TLA_KEYWORDS = frozenset("""
    ACTION ASSUME ASSUMPTION AXIOM BOOLEAN BY CASE CHOOSE CONSTANT CONSTANTS COROLLARY DEF
    DEFINE DEFS DOMAIN ELSE ENABLED EXCEPT EXTENDS FALSE HAVE HIDE IF IN INSTANCE LAMBDA LEMMA
    LET LOCAL MODULE NEW OBVIOUS OMITTED ONLY OTHER PICK PROOF PROPOSITION PROVE QED RECURSIVE
    SF_ STATE STRING SUBSET SUFFICES TAKE TEMPORAL THEN THEOREM TRUE UNCHANGED UNION USE
    VARIABLE VARIABLES WF_ WITH WITNESS
""".split())

PLUSCAL_KEYWORDS = frozenset("""
    algorithm assert await begin call define do either else elsif end fair goto if macro or
    print procedure process return skip then variable variables when while with Done Error
""".split())

# Operators of Naturals, Integers, Sequences, FiniteSets and TLC (the module extends Integers,
# FiniteSets and TLC; TLC extends Naturals and Sequences).
STANDARD_OPERATORS = frozenset("""
    Nat Int Seq Len Append Head Tail SubSeq SelectSeq Cardinality IsFiniteSet Print PrintT
    Assert JavaTime TLCGet TLCSet Permutations SortSeq RandomElement Any ToString TLCEval
    Integers Naturals Sequences FiniteSets TLC
""".split())

# Names the PlusCal translation defines or that movspec's own scaffolding uses.
TRANSLATION_NAMES = frozenset("""
    pc stack self vars Init Next Spec ProcSet Termination Terminating defaultInitValue
    Symmetry
""".split())

RESERVED = TLA_KEYWORDS | PLUSCAL_KEYWORDS | STANDARD_OPERATORS | TRANSLATION_NAMES

# Prefix of every helper name movspec adds; DSL names with this prefix are renamed.
INTERNAL_PREFIX = "MS_"

_IDENT = re.compile(r"[A-Za-z0-9_]*[A-Za-z][A-Za-z0-9_]*")


def is_reserved(name: str) -> bool:
    return (name in RESERVED or name.startswith(INTERNAL_PREFIX)
            or name.startswith("WF_") or name.startswith("SF_"))


class Namer:
    """Hands out unique TLA+ identifiers; remembers the name given to each (kind, key)."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.given: dict[tuple[str, str], str] = {}

    def reserve(self, name: str) -> None:
        self.taken.add(name)

    def claim(self, kind: str, key: str, preferred: str | None = None) -> str:
        """The TLA+ name of DSL entity ``key`` of ``kind`` (``"var"``, ``"label"``, ...)."""
        if (kind, key) in self.given:
            return self.given[(kind, key)]
        base = sanitize(preferred if preferred is not None else key)
        name = base
        n = 0
        while name in self.taken or is_reserved(name):
            n += 1
            name = f"{base}_{n}"
        self.taken.add(name)
        self.given[(kind, key)] = name
        return name

    def get(self, kind: str, key: str) -> str:
        return self.given[(kind, key)]


def sanitize(name: str) -> str:
    """A legal TLA+ identifier close to ``name``."""
    out = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not _IDENT.fullmatch(out):
        out = "x" + out
    return out


def fresh_bound(name: str, avoid: set[str]) -> str:
    """A bound-variable name not in ``avoid`` (TLA+ forbids shadowing any visible name)."""
    base = sanitize(name)
    cand = base
    n = 0
    while cand in avoid or is_reserved(cand):
        n += 1
        cand = f"{base}_{n}"
    return cand
