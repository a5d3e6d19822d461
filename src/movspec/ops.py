"""The operators of the language, each defined once: its IR name, DSL spelling and precedence,
TLA+ spelling, Python evaluation and result type. Every stage reads this table: the IR
builder (DSL spelling -> IR name), both printers (precedence), the PlusCal emitter (TLA+),
the compiled checker and the interpreters (evaluation).

Precedence levels, loosest first (docs/language.md): quantifiers and ``if-then-else``,
``~>``, ``<=>``, ``=>``, ``||``, ``&&``, comparisons, ``|``, ``\\``, ``&``, ``..``, ``+ -``,
``* / %``, unary, postfix. ``=>`` associates to the right, comparisons not at all, the rest to
the left.

Integer semantics are TLA+'s: ``/`` is ``\\div`` (floor division, an error by zero) and
``%`` needs a positive divisor (an error otherwise), so every checker agrees with TLC.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

# precedence levels, loosest first
(P_QUANT, P_LEADS, P_EQUIV, P_IMPLIES, P_OR, P_AND, P_CMP, P_UNION, P_DIFF, P_INTER, P_RANGE,
 P_ADD, P_MUL, P_UNARY, P_POSTFIX) = range(15)


class OpError(ArithmeticError):
    """An operator applied outside its TLA+ definition (``%`` by a non-positive number)."""


def _div(a: int, b: int) -> int:
    return a // b  # ZeroDivisionError by zero, as TLC's "division by zero"


def _mod(a: int, b: int) -> int:
    if b <= 0:
        raise OpError(f"the second argument of % must be positive, not {b}")
    return a % b


@dataclass(frozen=True)
class BinOp:
    name: str  # the IR name (``ir.Binary.op``)
    dsl: str  # how the DSL spells it
    level: int  # precedence (P_*)
    assoc: str  # "left" | "right" | "none"
    tla: str  # TLA+ spelling
    result: str  # "int" | "bool" | "set"
    apply: Callable  # plain evaluation on Python values (bool, int, frozenset)
    py: str  # Python template for compiled code, ``{a}`` and ``{b}`` the operands; ``_mod`` is
    #          the compiled code's name for ``mod`` below
    total: bool = False  # never fails on operands of the right type (compiled code may hoist it)
    lazy: bool = False  # && || =>: the right side is evaluated only when needed

    def operand_levels(self) -> tuple[int, int]:
        """The least precedence each operand may have without parentheses."""
        if self.assoc == "none":
            return self.level + 1, self.level + 1
        if self.assoc == "right":
            return self.level + 1, self.level
        return self.level, self.level + 1


def _b(name, dsl, level, tla, result, apply, py, *, assoc="left", total=False, lazy=False) -> BinOp:
    return BinOp(name, dsl, level, assoc, tla, result, apply, py, total, lazy)


mod = _mod

BINARY: tuple[BinOp, ...] = (
    _b("+", "+", P_ADD, "+", "int", lambda a, b: a + b, "({a} + {b})", total=True),
    _b("-", "-", P_ADD, "-", "int", lambda a, b: a - b, "({a} - {b})", total=True),
    _b("*", "*", P_MUL, "*", "int", lambda a, b: a * b, "({a} * {b})", total=True),
    _b("/", "/", P_MUL, "\\div", "int", _div, "({a} // {b})"),
    _b("%", "%", P_MUL, "%", "int", _mod, "_mod({a}, {b})"),
    _b("==", "==", P_CMP, "=", "bool", lambda a, b: a == b, "({a} == {b})", assoc="none", total=True),
    _b("!=", "!=", P_CMP, "#", "bool", lambda a, b: a != b, "({a} != {b})", assoc="none", total=True),
    _b("<", "<", P_CMP, "<", "bool", lambda a, b: a < b, "({a} < {b})", assoc="none", total=True),
    _b("<=", "<=", P_CMP, "=<", "bool", lambda a, b: a <= b, "({a} <= {b})", assoc="none", total=True),
    _b(">", ">", P_CMP, ">", "bool", lambda a, b: a > b, "({a} > {b})", assoc="none", total=True),
    _b(">=", ">=", P_CMP, ">=", "bool", lambda a, b: a >= b, "({a} >= {b})", assoc="none", total=True),
    _b("&&", "&&", P_AND, "/\\", "bool", lambda a, b: bool(a and b), "({a} and {b})", total=True, lazy=True),
    _b("||", "||", P_OR, "\\/", "bool", lambda a, b: bool(a or b), "({a} or {b})", total=True, lazy=True),
    _b("=>", "=>", P_IMPLIES, "=>", "bool", lambda a, b: bool(not a or b), "(not {a} or {b})",
       assoc="right", total=True, lazy=True),
    _b("<=>", "<=>", P_EQUIV, "<=>", "bool", lambda a, b: (not a) == (not b), "((not {a}) == (not {b}))",
       total=True),
    _b("in", "in", P_CMP, "\\in", "bool", lambda a, b: a in b, "({a} in {b})", assoc="none"),
    _b("notin", "notin", P_CMP, "\\notin", "bool", lambda a, b: a not in b, "({a} not in {b})", assoc="none"),
    _b("subset", "subset", P_CMP, "\\subseteq", "bool", lambda a, b: a <= b, "({a} <= {b})", assoc="none"),
    _b("union", "|", P_UNION, "\\cup", "set", lambda a, b: a | b, "({a} | {b})"),
    _b("inter", "&", P_INTER, "\\cap", "set", lambda a, b: a & b, "({a} & {b})"),
    _b("minus", "\\", P_DIFF, "\\", "set", lambda a, b: a - b, "({a} - {b})"),
)

BY_NAME: dict[str, BinOp] = {o.name: o for o in BINARY}
BY_DSL: dict[str, BinOp] = {o.dsl: o for o in BINARY}
LEADSTO_LEVEL = P_LEADS  # ``~>``: only at the top of a leadsto property


def binop(name: str) -> BinOp:
    """The operator named ``name`` in the IR; an unknown name fails loudly."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown binary operator {name!r}") from None


def apply(name: str, a, b):
    """Evaluate ``a <name> b`` on plain values with TLA+'s meaning."""
    return binop(name).apply(a, b)
