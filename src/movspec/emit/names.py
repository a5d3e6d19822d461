"""TLA+ names for DSL identifiers.

Every identifier of the emitted module (constants, model values, variables, process and label
operators, invariants, bound variables) lives in one TLA+ namespace, shared with the reserved
words of TLA+ and PlusCal, the operators of the standard modules the module extends, and the
names the PlusCal translator defines (``pc``, ``Init``, ``Next``, ...) and the keywords of
TLC's configuration file. A ``Namer`` hands out names first come, first served: a DSL name
that is free is kept as written; one that is reserved or already taken gets a numeric
suffix (``Next`` -> ``Next_1``). A name with a reserved prefix (``MS_`` for movspec's own
helpers, ``WF_``/``SF_``, which TLA+ reads as fairness operators) gets an ``x`` in front
first (``WF_x`` -> ``xWF_x``), since no suffix can repair a prefix. The order of the claims
is fixed by the emitter, so the same model always gets the same names.

Record fields live in no shared namespace, so ``field_name`` is a fixed, injective mapping
instead (keywords get a trailing ``_``, reserved prefixes a leading ``x``).
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

# Keywords of TLC's .cfg files: a constant or model value of that name would end a section.
CFG_KEYWORDS = frozenset("""
    ACTION_CONSTRAINT ACTION_CONSTRAINTS ALIAS CHECK_DEADLOCK CONSTANT CONSTANTS CONSTRAINT
    CONSTRAINTS INIT INVARIANT INVARIANTS NEXT POSTCONDITION PROPERTIES PROPERTY SPECIFICATION
    SYMMETRY TYPE TYPE_CONSTRAINT VIEW
""".split())

RESERVED = TLA_KEYWORDS | PLUSCAL_KEYWORDS | STANDARD_OPERATORS | TRANSLATION_NAMES | CFG_KEYWORDS

# Prefix of every helper name movspec adds; DSL names with this prefix are renamed.
INTERNAL_PREFIX = "MS_"
RESERVED_PREFIXES = (INTERNAL_PREFIX, "WF_", "SF_")

_IDENT = re.compile(r"[A-Za-z0-9_]*[A-Za-z][A-Za-z0-9_]*")


def has_reserved_prefix(name: str) -> bool:
    return name.startswith(RESERVED_PREFIXES)


def is_reserved(name: str) -> bool:
    return name in RESERVED or has_reserved_prefix(name)


def _first_free(base: str, taken) -> str:
    """``base`` when it is free; else the first of ``stem``, ``stem_1``, ``stem_2``... that
    is neither taken nor reserved, where ``stem`` is ``base`` with an ``x`` in front when
    ``base_<n>`` would carry a reserved prefix (``MS_a``, and the bare ``MS``, whose
    ``MS_1``... are all reserved). No candidate then has a reserved prefix, and only
    finitely many are taken or in ``RESERVED``, so the search ends."""
    if base not in taken and not is_reserved(base):
        return base
    stem = "x" + base if has_reserved_prefix(base + "_") else base
    name = stem
    n = 0
    while name in taken or is_reserved(name):
        n += 1
        name = f"{stem}_{n}"
    return name


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
        name = _first_free(sanitize(preferred if preferred is not None else key), self.taken)
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
    return _first_free(sanitize(name), avoid)


_FIELD_KEYWORDS = TLA_KEYWORDS | PLUSCAL_KEYWORDS


def field_name(name: str) -> str:
    """The TLA+ name of a record field: ``name`` itself unless TLA+ or PlusCal would read it
    as something else. Injective on DSL names: a name ``x...xW`` (any number of ``x``) whose
    ``W`` starts with ``WF_``/``SF_`` or has no letter (``_``, ``_1``) gets one more ``x``; a
    keyword followed by any number of ``_`` gets one more ``_``; no keyword starts with ``x``,
    so the two forms cannot meet, and every other name maps to itself."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", name)
    rest = name.lstrip("x")
    if rest and (rest.startswith(("WF_", "SF_")) or not re.search(r"[A-Za-z]", rest)):
        return "x" + name
    if name.rstrip("_") in _FIELD_KEYWORDS:
        return name + "_"
    return name
