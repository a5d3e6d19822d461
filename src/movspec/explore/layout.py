"""The state layout of the embedded checker: how a model state packs into one integer.

A state is flattened into *leaves*: one per scalar (bool, integer, atom), per set, and per
process ``pc``, walking variables in declaration order, then actor locals (actor, local,
process), then ``pc`` (actor, process). Records contribute one group of leaves per field,
functions one group per domain element (in the canonical domain order: ascending internal
key). Each leaf owns a fixed bit field of the packed state.

Internal values (what compiled code computes with):

* bool: ``False``/``True`` or ``0``/``1`` (Python treats them as equal);
* integer: ``int``;
* atom (model value, enum member, inline atom, process id of a single actor,
  ``defaultInitValue``): a small ``int``, its *code* in the model's atom table;
* record: a tuple of field values in declaration order;
* function: a tuple of values in ascending order of the internal domain keys;
* set: a ``frozenset`` of internal values;
* list: a ``tuple`` of distinct internal values, head first (packed as in ``listcodes``);
* ``pc``: the index of the step in its actor, ``len(steps)`` for ``"Done"``.

Codes are assigned so that the atoms of each constant set and of each named atom type keep
their declared order; ascending code order is therefore the declared order.

Integer leaves keep headroom beyond their declared range (the range's size plus 8 on each
side), so a model that breaks ``TypeOK`` by a few units is still explored exactly as TLC does
past the violation; a value beyond the headroom raises ``Overflow``: the search stops there and
reports what it has not decided as INCOMPLETE (never HOLDS, never a wrong count).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..ir import nodes as ir
from ..result import Fn, Rec, Seq
from . import listcodes
from .domains import (SET_TABLE_MAX, SET_UNIVERSE_MAX, AtomTable, CompileError, Overflow, SetCodes,
                      domain_size, all_values, domain_keys, leaf_count, overflow_message)

# ----------------------------------------------------------------------------- leaves


@dataclass
class Leaf:
    index: int
    offset: int
    width: int
    kind: str  # "bool" | "int" | "atom" | "set" | "list" | "pc"
    root: str  # state key: variable name, "<actor>.<local>", or "pc"
    path: tuple  # (("f", field) | ("k", internal key, key type), ...) below the root
    type: object  # the scalar/set type (pc: None)
    bias: int = 0  # int leaves: value = code + bias
    lo: int = 0  # int leaves: encodable range
    hi: int = 0
    universe: tuple = ()  # set and list leaves: element values, ascending
    upos: dict = field(default_factory=dict)
    dec: tuple | dict | None = None  # set (list) leaves: mask -> frozenset (code -> tuple), small universes
    enc: dict | None = None  # set (list) leaves: frozenset -> mask (tuple -> code), small universes
    digit: int = 0  # list leaves: bits per position
    actor: str | None = None  # pc leaves


def default_sentinel(t) -> int:
    """The internal value standing for ``defaultInitValue`` in a bool or integer local."""
    if isinstance(t, ir.BoolType):
        return 2
    return t.lo - (t.hi - t.lo + 1 + 8) - 1


def _bits(n: int) -> int:
    """Bits to store codes 0..n-1."""
    return max(1, (n - 1).bit_length())


class Layout:
    """Leaves of one model, and where each variable, local and pc lives."""

    def __init__(self, model: ir.Model, atoms: AtomTable):
        self.model = model
        self.atoms = atoms
        self.leaves: list[Leaf] = []
        self.offset = 0
        self.var_base: dict[str, int] = {}
        self.local_base: dict[tuple[str, str], int] = {}  # first leaf of proc 0
        self.local_size: dict[tuple[str, str], int] = {}
        self.pc_base: dict[str, int] = {}
        self.roots: list[tuple[str, str, object]] = []  # (key, kind, detail) for traces
        atom_bits = _bits(len(atoms.names))
        self.atom_bits = atom_bits
        for v in model.vars:
            self.var_base[v.name] = len(self.leaves)
            self._add(v.type, v.name, ())
        for a in model.actors:
            procs = model.procs(a)
            for loc in a.locals:
                key = f"{a.name}.{loc.name}"
                self.local_base[(a.name, loc.name)] = len(self.leaves)
                self.local_size[(a.name, loc.name)] = leaf_count(loc.type)
                if loc.init is None and not isinstance(loc.type, (ir.AtomType, ir.IntType, ir.BoolType)):
                    raise CompileError(f"local {key} of type {loc.type} has no initial value; the "
                                       f"builtin checker needs one for records, functions and sets")
                for p in procs:
                    self._add(loc.type, key, (("k", atoms.code(p), "proc"),), loc.init is None)
        for a in model.actors:
            self.pc_base[a.name] = len(self.leaves)
            for p in model.procs(a):
                width = _bits(len(a.steps) + 1)
                self._leaf("pc", "pc", (("k", atoms.code(p), "proc"),), None, width, actor=a.name)
        self.bits = self.offset

    def _leaf(self, kind, root, path, t, width, **kw) -> Leaf:
        leaf = Leaf(len(self.leaves), self.offset, width, kind, root, path, t, **kw)
        self.leaves.append(leaf)
        self.offset += width
        return leaf

    def _add(self, t, root: str, path: tuple, with_default: bool = False) -> None:
        if isinstance(t, ir.RecordType):
            for f in t.fields:
                self._add(f.type, root, path + (("f", f.name),))
        elif isinstance(t, ir.FuncType):
            for k in domain_keys(self.atoms, t.domain):
                self._add(t.range, root, path + (("k", k, t.domain),))
        elif isinstance(t, ir.BoolType):
            # a local without initial value may hold defaultInitValue: code 2
            self._leaf("bool", root, path, t, 2 if with_default else 1)
        elif isinstance(t, ir.IntType):
            span = t.hi - t.lo + 1
            head = span + 8
            lo, hi = t.lo - head, t.hi + head
            if with_default:
                lo = default_sentinel(t)
            self._leaf("int", root, path, t, _bits(hi - lo + 1), bias=lo, lo=lo, hi=hi)
        elif isinstance(t, ir.AtomType):
            self._leaf("atom", root, path, t, self.atom_bits)
        elif isinstance(t, ir.ListType):
            universe = tuple(all_values(self.atoms, t.elem))
            if ir.DEFAULT_INIT not in t.elem.atoms:  # as for sets of atoms, below
                universe += (self.atoms.code(ir.DEFAULT_INIT),)
            upos, digit, enc, dec = listcodes.tables(universe, SetCodes)
            leaf = self._leaf("list", root, path, t, max(1, len(universe) * digit), universe=universe,
                              upos=upos, dec=dec, enc=enc, digit=digit)
            if enc is not None:
                enc.layout, enc.leaf = self, leaf
        elif isinstance(t, ir.SetType):
            universe = tuple(all_values(self.atoms, t.elem))
            if isinstance(t.elem, ir.AtomType) and ir.DEFAULT_INIT not in t.elem.atoms:
                # a local without an initial value may be added to a set of atoms: TLC keeps
                # exploring such a state (TypeOK is violated), so must we
                universe += (self.atoms.code(ir.DEFAULT_INIT),)
            if len(universe) > SET_UNIVERSE_MAX:
                raise CompileError(f"set type {t} has {len(universe)} possible elements; "
                                   f"the builtin checker handles at most {SET_UNIVERSE_MAX}")
            upos = {u: i for i, u in enumerate(universe)}
            dec = enc = None
            if len(universe) <= SET_TABLE_MAX:
                dec = tuple(frozenset(u for i, u in enumerate(universe) if m >> i & 1)
                            for m in range(1 << len(universe)))
                enc = SetCodes({s: m for m, s in enumerate(dec)})
            leaf = self._leaf("set", root, path, t, max(1, len(universe)), universe=universe, upos=upos,
                              dec=dec, enc=enc)
            if enc is not None:
                enc.layout, enc.leaf = self, leaf
        else:
            raise CompileError(f"unsupported type {t!r}")

    # -------------------------------------------------------------- encode/decode (slow path)

    def encode_set(self, leaf: Leaf, value) -> int:
        """The code of a set leaf's value, or of a list leaf's."""
        if leaf.enc is not None:
            m = leaf.enc.get(value)
            if m is not None:
                return m
        if leaf.kind == "list":
            m = listcodes.encode(leaf.upos, leaf.digit, value)
            if m is None:
                raise self.set_overflow(leaf, value)
            return m
        m = 0
        for e in value:
            i = leaf.upos.get(e)
            if i is None:
                raise self.set_overflow(leaf, value)
            m |= 1 << i
        return m

    def set_overflow(self, leaf: Leaf, value) -> "Overflow":
        """A set value with an element outside the set's type: ``TypeOK`` is violated, and
        the state cannot be stored (as an integer beyond its headroom)."""
        bad = next((e for e in value if e not in leaf.upos), None)
        if bad is None:  # a list with an element twice: not made by any list operation
            return Overflow(f"{self.leaf_name(leaf)} gets an element twice", self.leaf_name(leaf),
                            self.plain(tuple(value), leaf.type), leaf.type)
        shown = self.plain(bad, leaf.type.elem)
        return Overflow(f"{self.leaf_name(leaf)} gets the element {shown}, outside its type {leaf.type}",
                        self.leaf_name(leaf), shown, leaf.type)

    def decode_set(self, leaf: Leaf, mask: int):
        if leaf.dec is not None:
            return leaf.dec[mask]
        if leaf.kind == "list":
            return listcodes.decode(leaf.universe, leaf.digit, mask)
        return frozenset(u for i, u in enumerate(leaf.universe) if mask >> i & 1)

    def leaf_code(self, leaf: Leaf, v) -> int:
        """The bit-field code of internal value ``v`` in ``leaf``."""
        if leaf.kind == "int":
            if not leaf.lo <= v <= leaf.hi:
                raise Overflow(overflow_message(self.leaf_name(leaf), v, leaf.type),
                               self.leaf_name(leaf), v, leaf.type)
            return v - leaf.bias
        if leaf.kind in ("set", "list"):
            return self.encode_set(leaf, v)
        return int(v)

    def leaf_value(self, leaf: Leaf, code: int):
        if leaf.kind == "int":
            return code + leaf.bias
        if leaf.kind in ("set", "list"):
            return self.decode_set(leaf, code)
        return code

    def pack(self, W) -> int:
        s = 0
        for leaf, v in zip(self.leaves, W):
            s |= self.leaf_code(leaf, v) << leaf.offset
        return s

    def leaf_name(self, leaf: Leaf) -> str:
        out = leaf.root
        for step in leaf.path:
            if step[0] == "f":
                out += "." + step[1]
            elif step[2] == "proc":
                out = f"{leaf.root.split('.')[0]}[{self.atoms.names[step[1]]}]" + (
                    "." + leaf.root.split(".", 1)[1] if "." in leaf.root else "")
            else:
                out += f"[{self._key_name(step[1], step[2])}]"
        return out

    def _key_name(self, k, t) -> str:
        if isinstance(t, ir.AtomType):
            return self.atoms.names[k]
        if isinstance(t, ir.BoolType):
            return "true" if k else "false"
        return str(k)

    def plain(self, v, t):
        """Internal value -> the plain representation of ``result.py``."""
        if isinstance(t, ir.BoolType):
            return bool(v)
        if isinstance(t, ir.IntType):
            return v
        if isinstance(t, ir.AtomType):
            return self.atoms.names[v] if 0 <= v < len(self.atoms.names) else v
        if isinstance(t, ir.RecordType):
            return Rec(tuple((f.name, self.plain(x, f.type)) for f, x in zip(t.fields, v)))
        if isinstance(t, ir.FuncType):
            keys = domain_keys(self.atoms, t.domain)
            return Fn(tuple((self.plain(k, t.domain if not isinstance(t.domain, ir.SetType) else t.domain.elem),
                             self.plain(x, t.range)) for k, x in zip(keys, v)))
        if isinstance(t, ir.SetType):
            return frozenset(self.plain(x, t.elem) for x in v)
        if isinstance(t, ir.ListType):
            return Seq(tuple(self.plain(x, t.elem) for x in v))
        raise CompileError(f"unsupported type {t!r}")

    def internal(self, v, t):
        """Plain value (``result.py``) -> internal value: the inverse of ``plain``. An atom
        outside the model's atom table is a KeyError."""
        if isinstance(t, (ir.BoolType, ir.IntType)):
            return v
        if isinstance(t, ir.AtomType):
            return self.atoms.code(v)
        if isinstance(t, ir.RecordType):
            vals = dict(v.fields)
            return tuple(self.internal(vals[f.name], f.type) for f in t.fields)
        if isinstance(t, ir.FuncType):
            kt = t.domain.elem if isinstance(t.domain, ir.SetType) else t.domain
            by_key = {self.internal(k, kt): x for k, x in v.pairs}
            return tuple(self.internal(by_key[k], t.range) for k in domain_keys(self.atoms, t.domain))
        if isinstance(t, ir.SetType):
            return frozenset(self.internal(x, t.elem) for x in v)
        if isinstance(t, ir.ListType):
            return tuple(self.internal(x, t.elem) for x in v.items)
        raise CompileError(f"unsupported type {t!r}")

    def store(self, W, base: int, t, v) -> None:
        """Write internal value ``v`` of type ``t`` from leaf ``base`` on: the inverse of ``read``."""
        if isinstance(t, ir.RecordType):
            off = base
            for f, x in zip(t.fields, v):
                self.store(W, off, f.type, x)
                off += leaf_count(f.type)
        elif isinstance(t, ir.FuncType):
            n = leaf_count(t.range)
            for i, x in enumerate(v):
                self.store(W, base + i * n, t.range, x)
        else:
            W[base] = v

    def leaves_of(self, state: dict) -> list:
        """The leaf list ``W`` of a plain state (``result.State``): the inverse of ``state``.
        A key missing from ``state`` or a value outside the layout is a KeyError or ValueError."""
        model = self.model
        W: list = [None] * len(self.leaves)
        for v in model.vars:
            self.store(W, self.var_base[v.name], v.type, self.internal(state[v.name], v.type))
        for a in model.actors:
            procs = model.procs(a)
            for loc in a.locals:
                fn = state[f"{a.name}.{loc.name}"]
                base, size = self.local_base[(a.name, loc.name)], self.local_size[(a.name, loc.name)]
                for i, p in enumerate(procs):
                    x = fn.get(p)
                    if x == ir.DEFAULT_INIT and isinstance(x, str):
                        val = (self.atoms.code(ir.DEFAULT_INIT) if isinstance(loc.type, ir.AtomType)
                               else default_sentinel(loc.type))
                    else:
                        val = self.internal(x, loc.type)
                    self.store(W, base + i * size, loc.type, val)
        pcs = state["pc"]
        for a in model.actors:
            names = [s.name for s in a.steps] + [ir.DONE]
            for i, p in enumerate(model.procs(a)):
                W[self.pc_base[a.name] + i] = names.index(pcs.get(p))
        return W

    def read(self, W, base: int, t):
        """The internal value of type ``t`` stored from leaf ``base`` on."""
        if isinstance(t, ir.RecordType):
            out, off = [], base
            for f in t.fields:
                out.append(self.read(W, off, f.type))
                off += leaf_count(f.type)
            return tuple(out)
        if isinstance(t, ir.FuncType):
            n = leaf_count(t.range)
            return tuple(self.read(W, base + i * n, t.range) for i in range(domain_size(t.domain)))
        return W[base]

    def state(self, W) -> dict:
        """The plain state (``result.State``) of the leaf list ``W``."""
        model = self.model
        out: dict = {}
        for v in model.vars:
            out[v.name] = self.plain(self.read(W, self.var_base[v.name], v.type), v.type)
        for a in model.actors:
            procs = model.procs(a)
            for loc in a.locals:
                base = self.local_base[(a.name, loc.name)]
                size = self.local_size[(a.name, loc.name)]
                pairs = []
                for i, p in enumerate(procs):
                    val = self.read(W, base + i * size, loc.type)
                    pairs.append((p, self._plain_local(val, loc.type)))
                out[f"{a.name}.{loc.name}"] = Fn(tuple(pairs))
        pcs = []
        for a in model.actors:
            base = self.pc_base[a.name]
            for i, p in enumerate(model.procs(a)):
                code = W[base + i]
                pcs.append((p, a.steps[code].name if code < len(a.steps) else ir.DONE))
        out["pc"] = Fn(tuple(pcs))
        return out

    def _plain_local(self, val, t):
        # a local without an initial value holds defaultInitValue, whatever its type
        if isinstance(t, ir.AtomType) and val == self.atoms.code(ir.DEFAULT_INIT):
            return ir.DEFAULT_INIT
        if isinstance(t, (ir.BoolType, ir.IntType)) and val is not True and val == default_sentinel(t):
            return ir.DEFAULT_INIT
        return self.plain(val, t)
