"""Values of the embedded checker, below its state layout (``layout``, whose docstring gives
the internal form of each type): the errors evaluation raises, the table of atom codes, and
per type its domain keys, its values, its number of leaves and its shape."""

from __future__ import annotations

from itertools import product

from ..ir import nodes as ir
from ..ops import OpError
from . import listcodes

SET_TABLE_MAX = 10  # universes up to this size get precomputed encode/decode tables
SET_UNIVERSE_MAX = 62


class CompileError(Exception):
    """The model uses something the embedded checker cannot represent."""


class EvalError(Exception):
    """Evaluating the model failed at run time (function applied outside its domain, division
    by zero, choice from an empty set)."""


class Overflow(EvalError):
    """A step computed an integer beyond the headroom the layout keeps past its declared range
    (``TypeOK`` is violated by then). The search cannot store that state: it stops there, and
    the properties it has not decided are INCOMPLETE, not ERROR."""

    def __init__(self, message: str, name: str = "", value: int = 0, type_=None):
        super().__init__(message)
        self.name = name
        self.value = value
        self.type = type_


# ----------------------------------------------------------------------------- atoms


# what evaluating compiled code can raise on a model that is wrong at run time
RUNTIME_ERRORS = (EvalError, ArithmeticError, TypeError, KeyError, IndexError, ValueError)


def error_text(e: BaseException) -> str:
    """The user's words for a run-time error of compiled code (no Python exception names)."""
    if isinstance(e, (EvalError, OpError)):
        return str(e)
    if isinstance(e, ZeroDivisionError):
        return "division by zero"
    if isinstance(e, (KeyError, IndexError)):
        return "a function applied to an argument outside its domain"
    if isinstance(e, TypeError):
        return "a value of the wrong type (a function applied outside its domain, or an unset local used)"
    return f"evaluation failed ({type(e).__name__})"


def overflow_message(name: str, value: int, type_) -> str:
    return (f"{name} = {value} is outside its type {type_} by more than the headroom the builtin "
            f"checker explores past a TypeOK violation")


class SetCodes(dict):
    """Set value -> bit mask of a small set leaf; a value outside the leaf's universe is an
    ``Overflow`` (TypeOK is violated), never a KeyError."""

    layout = None
    leaf = None

    def __missing__(self, value):
        raise self.layout.set_overflow(self.leaf, value)


class AtomTable:
    """Every atom of a model, with a stable code."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.codes: dict[str, int] = {}

    def add(self, name: str) -> int:
        code = self.codes.get(name)
        if code is None:
            code = len(self.names)
            self.codes[name] = code
            self.names.append(name)
        return code

    def code(self, name: str) -> int:
        return self.codes[name]


def _walk(node, out: list) -> None:
    """Every IR node reachable from ``node`` (dataclasses, tuples), depth first."""
    if isinstance(node, tuple):
        for x in node:
            _walk(x, out)
        return
    if not hasattr(node, "__dataclass_fields__"):
        return
    out.append(node)
    for name in node.__dataclass_fields__:
        if name == "span":
            continue
        _walk(getattr(node, name), out)


def build_atoms(model: ir.Model) -> AtomTable:
    table = AtomTable()
    for c in model.consts:
        if c.atoms is not None:
            for a in c.atoms:
                table.add(a)
    nodes: list = []
    _walk((model.vars, model.actors, model.properties), nodes)
    named = [n for n in nodes if isinstance(n, ir.AtomType) and n.name]
    for t in named:
        for a in t.atoms:
            table.add(a)
    for n in nodes:
        if isinstance(n, ir.AtomType):
            for a in n.atoms:
                table.add(a)
        elif isinstance(n, ir.AtomLit):
            table.add(n.name)
    for a in model.actors:
        if a.proc_set is None:
            table.add(a.name)
    table.add(ir.DEFAULT_INIT)
    return table


# ----------------------------------------------------------------------------- types


def domain_keys(atoms: AtomTable, t) -> tuple:
    """The internal keys of a function domain / set universe type, ascending."""
    if isinstance(t, ir.BoolType):
        return (False, True)
    if isinstance(t, ir.IntType):
        return tuple(range(t.lo, t.hi + 1))
    if isinstance(t, ir.AtomType):
        return tuple(sorted(atoms.code(a) for a in t.atoms))
    if isinstance(t, ir.SetType):
        # a domain given as a set type (rare): its elements
        return domain_keys(atoms, t.elem)
    raise CompileError(f"a function domain must be finite scalars, not {t}")


def all_values(atoms: AtomTable, t) -> list:
    """Every internal value of type ``t`` (for set universes), ascending."""
    if isinstance(t, (ir.BoolType, ir.IntType, ir.AtomType)):
        return list(domain_keys(atoms, t))
    if isinstance(t, ir.RecordType):
        return [tuple(v) for v in product(*(all_values(atoms, f.type) for f in t.fields))]
    if isinstance(t, ir.FuncType):
        keys = domain_keys(atoms, t.domain)
        return [tuple(v) for v in product(*(all_values(atoms, t.range) for _ in keys))]
    if isinstance(t, ir.ListType):
        elems = all_values(atoms, t.elem)
        if listcodes.count_lists(len(elems)) > 1 << 16:
            raise CompileError(f"type {t} is too large to enumerate")
        return listcodes.all_lists(elems)
    if isinstance(t, ir.SetType):
        elems = all_values(atoms, t.elem)
        if len(elems) > 16:
            raise CompileError(f"type {t} is too large to enumerate")
        out = []
        for mask in range(1 << len(elems)):
            out.append(frozenset(e for i, e in enumerate(elems) if mask >> i & 1))
        return out
    raise CompileError(f"cannot enumerate type {t}")


def leaf_count(t) -> int:
    if isinstance(t, ir.RecordType):
        return sum(leaf_count(f.type) for f in t.fields)
    if isinstance(t, ir.FuncType):
        n = domain_size(t.domain)
        return n * leaf_count(t.range)
    return 1


def domain_size(t) -> int:
    if isinstance(t, ir.BoolType):
        return 2
    if isinstance(t, ir.IntType):
        return t.hi - t.lo + 1
    if isinstance(t, ir.AtomType):
        return len(t.atoms)
    if isinstance(t, ir.SetType):
        return domain_size(t.elem)
    raise CompileError(f"a function domain must be finite scalars, not {t}")


def field_offset(t: ir.RecordType, name: str) -> tuple[int, object]:
    off = 0
    for f in t.fields:
        if f.name == name:
            return off, f.type
        off += leaf_count(f.type)
    raise CompileError(f"record {t.name} has no field {name}")


def field_index(t: ir.RecordType, name: str) -> int:
    for i, f in enumerate(t.fields):
        if f.name == name:
            return i
    raise CompileError(f"record {t.name} has no field {name}")


def is_composite(t) -> bool:
    return isinstance(t, (ir.RecordType, ir.FuncType))


def shape(t):
    """A nested tuple describing how a composite value sits in consecutive leaves:
    ``None`` for one leaf, ``("r", (sub, ...), (off, ...))`` for records,
    ``("f", count, stride, sub)`` for functions."""
    if isinstance(t, ir.RecordType):
        subs, offs, off = [], [], 0
        for f in t.fields:
            subs.append(shape(f.type))
            offs.append(off)
            off += leaf_count(f.type)
        return ("r", tuple(subs), tuple(offs))
    if isinstance(t, ir.FuncType):
        return ("f", domain_size(t.domain), leaf_count(t.range), shape(t.range))
    return None


def is_flat(sh) -> bool:
    """True when every child of the composite is one leaf (value == tuple(W[i:i+n]))."""
    if sh is None:
        return True
    if sh[0] == "r":
        return all(s is None for s in sh[1])
    return sh[3] is None
