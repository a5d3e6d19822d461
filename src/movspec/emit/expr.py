"""IR expressions and types rendered as TLA+ text.

Binary operators are fully parenthesised below the top level, so the output never depends on
TLA+ precedence (which differs from the DSL's). Bound variables are renamed when they would
shadow a module-level name, which TLA+ forbids.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..ir import nodes as ir
from ..ops import binop
from .names import fresh_bound


class EmitError(Exception):
    """The model uses something the PlusCal emitter cannot express."""


_ATOMIC = (ir.IntLit, ir.BoolLit, ir.AtomLit, ir.VarRef, ir.LocalRef, ir.ConstRef, ir.BoundRef,
           ir.SelfRef, ir.Field, ir.Index, ir.SetLit, ir.Card, ir.RecordLit, ir.FuncLit,
           ir.SetFilter, ir.SeqLit, ir.ListOp)


def tla_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class Scope:
    """What an expression may see: ``in_step`` names the actor whose step is being rendered
    (None in properties); ``bound`` maps DSL bound names to their TLA+ names; ``assigned``,
    the variables (TLA+ names) the step assigned before the expression: PlusCal primes their
    reads, so a ``def`` that reads one is written inlined (see ``defs``)."""

    in_step: str | None = None
    bound: dict[str, str] = field(default_factory=dict)
    assigned: frozenset[str] = frozenset()

    def bind(self, dsl: str, tla: str) -> "Scope":
        b = dict(self.bound)
        b[dsl] = tla
        return Scope(self.in_step, b, self.assigned)

    def after(self, names) -> "Scope":
        """This scope once the step has also assigned ``names``."""
        return Scope(self.in_step, self.bound, self.assigned | frozenset(names))


# A key written through ``f[k] := v`` is checked first: TLA+'s EXCEPT leaves ``f`` unchanged
# when ``k`` is outside its domain, where both checkers' semantics make it an evaluation
# error. ``MS_Key`` applies ``f`` to such a key, so TLC stops with the error it gives for a
# read outside the domain ("Attempted to apply function ... which is not in the domain").
KEY_CHECK = "MS_Key"
KEY_CHECK_LINES = [
    "\\* f[k] := v is written f[MS_Key(f, k)] := v: a key outside the domain of f is then an",
    "\\* evaluation error, as in movspec, where EXCEPT would leave f unchanged",
    f"{KEY_CHECK}(f, k) == IF k \\in DOMAIN f THEN k ELSE f[k]",
]

# Kernel lists (``list of T``) are sequences of distinct elements, head first; an operation
# that would repeat an element (or delete a missing one) leaves the list as it is, as in both
# checkers (``ir.ListOp``).
LIST_LINES = [
    "\\* kernel lists (list of T): sequences of distinct elements, head first",
    "MS_OnList(l, x) == \\E i \\in DOMAIN l: l[i] = x",
    "MS_ListAdd(l, x) == IF MS_OnList(l, x) THEN l ELSE <<x>> \\o l",
    "MS_ListAddTail(l, x) == IF MS_OnList(l, x) THEN l ELSE Append(l, x)",
    "MS_ListDel(l, x) == LET MS_Keep(y) == y # x IN SelectSeq(l, MS_Keep)",
    "MS_List(S) == {l \\in Seq(S): \\A i, j \\in DOMAIN l: i # j => l[i] # l[j]}",
]
_LIST_OPS = {"has": "MS_OnList", "add": "MS_ListAdd", "add_tail": "MS_ListAddTail", "del": "MS_ListDel"}

# Keys the static checks already place in the domain: literals, constants and ``self``.
_STATIC_KEYS = (ir.IntLit, ir.BoolLit, ir.AtomLit, ir.ConstRef, ir.SelfRef)


class ExprRenderer:
    """Renders expressions of one model; ``names`` is the emitter's symbol table."""

    def __init__(self, names) -> None:
        self.n = names
        self.key_checked = False  # whether a target used KEY_CHECK
        self.lists_used = False  # whether an expression or type used LIST_LINES
        self.defs = None  # a defs.DefTable: applications of a def written by name

    # -------------------------------------------------------------- entry points
    def expr(self, e: ir.Expr, scope: Scope | None = None) -> str:
        return self._r(e, scope or Scope())

    def target(self, e: ir.Expr, scope: Scope | None = None) -> str:
        """An assignment's left-hand side: ``f[k]`` with a key that may lie outside the
        domain is written ``f[MS_Key(f, k)]`` (see ``KEY_CHECK``)."""
        scope = scope or Scope()
        if isinstance(e, ir.Index):
            key = self._r(e.index, scope)
            if not isinstance(e.index, _STATIC_KEYS):
                key = f"{KEY_CHECK}({self._r(e.base, scope)}, {key})"
                self.key_checked = True
            return f"{self._target_base(e.base, scope)}[{key}]"
        if isinstance(e, ir.Field):
            return f"{self._target_base(e.base, scope)}.{self.n.field(e.name)}"
        return self._r(e, scope)

    def _target_base(self, e: ir.Expr, scope: Scope) -> str:
        s = self.target(e, scope)
        return s if isinstance(e, _ATOMIC) else f"({s})"

    def type_set(self, t: ir.Type) -> str:
        """The TLA+ set of all values of ``t``."""
        n = self.n
        if isinstance(t, ir.BoolType):
            return "BOOLEAN"
        if isinstance(t, ir.IntType):
            return f"{t.lo}..{t.hi}"
        if isinstance(t, ir.AtomType):
            if t.name and t.name in n.const_sets:
                return n.const(t.name)
            if t.name and ("type", t.name) in n.namer.given:
                return n.namer.get("type", t.name)
            return self._atom_union(t.atoms)
        if isinstance(t, ir.RecordType):
            if ("type", t.name) in n.namer.given:
                return n.namer.get("type", t.name)
            return self.record_set(t)
        if isinstance(t, ir.FuncType):
            return f"[{self.type_set(t.domain)} -> {self.type_set(t.range)}]"
        if isinstance(t, ir.SetType):
            return f"SUBSET {self._wrap_type(t.elem)}"
        if isinstance(t, ir.ListType):
            self.lists_used = True
            return f"MS_List({self.type_set(t.elem)})"
        raise TypeError(f"unknown type {t!r}")

    def record_set(self, t: ir.RecordType) -> str:
        return "[" + ", ".join(f"{self.n.field(f.name)}: {self.type_set(f.type)}" for f in t.fields) + "]"

    def atom(self, name: str) -> str:
        if name == ir.DEFAULT_INIT:
            return "defaultInitValue"
        if name in self.n.model_values:
            return self.n.model_value(name)
        return tla_string(name)

    def self_id(self, scope: Scope) -> str:
        """``self``: PlusCal binds it only in a process family; a single process's id is
        written out."""
        actor = self.n.model.actor(scope.in_step) if scope.in_step else None
        if actor is not None and actor.proc_set is None:
            return tla_string(actor.name)
        return "self"

    # -------------------------------------------------------------- helpers
    def _wrap_type(self, t: ir.Type) -> str:
        s = self.type_set(t)
        return s if isinstance(t, (ir.BoolType, ir.AtomType, ir.RecordType, ir.FuncType, ir.ListType)) else f"({s})"

    def _atom_union(self, atoms: tuple[str, ...]) -> str:
        """``Cpus \\cup {"drv", "none"}``: whole constant sets by name, the rest listed."""
        parts: list[str] = []
        rest = list(atoms)
        for cname, catoms in self.n.const_sets.items():
            if catoms and all(a in rest for a in catoms):
                parts.append(self.n.const(cname))
                rest = [a for a in rest if a not in catoms]
        if rest or not parts:
            parts.append("{" + ", ".join(self.atom(a) for a in rest) + "}")
        return " \\cup ".join(parts) if len(parts) == 1 else "(" + " \\cup ".join(parts) + ")"

    def _sub(self, e: ir.Expr, scope: Scope) -> str:
        if self.defs is not None:  # `Name(args)` needs no parentheses
            named = self.defs.call(e, lambda a: self._r(a, scope), scope)
            if named is not None:
                return named
        s = self._r(e, scope)
        if isinstance(e, _ATOMIC) and not (isinstance(e, ir.IntLit) and e.value < 0):
            return s
        return f"({s})"

    def _binder(self, var: str, scope: Scope) -> tuple[str, Scope]:
        avoid = set(self.n.namer.taken) | set(scope.bound.values())
        tla = fresh_bound(var, avoid)
        return tla, scope.bind(var, tla)

    def _proc_id(self, actor_name: str) -> str:
        return tla_string(actor_name)

    # -------------------------------------------------------------- dispatch
    def _r(self, e: ir.Expr, scope: Scope) -> str:
        n = self.n
        if self.defs is not None:
            named = self.defs.call(e, lambda a: self._r(a, scope), scope)
            if named is not None:
                return named
        if isinstance(e, ir.IntLit):
            return str(e.value)
        if isinstance(e, ir.BoolLit):
            return "TRUE" if e.value else "FALSE"
        if isinstance(e, ir.AtomLit):
            if e.kind == "default" or e.name == ir.DEFAULT_INIT:
                return "defaultInitValue"
            if e.kind == "model":
                return n.model_value(e.name)
            return tla_string(e.name)
        if isinstance(e, ir.VarRef):
            return n.var(e.name)
        if isinstance(e, ir.LocalRef):
            name = n.local(e.actor, e.name)
            actor = n.model.actor(e.actor)
            if actor is None and e.proc is not None:  # a function's: indexed by process, always
                return f"{name}[{self._r(e.proc, scope)}]"
            if actor is None or actor.proc_set is None or e.proc is None:
                return name
            if scope.in_step == e.actor:
                if isinstance(e.proc, ir.SelfRef):
                    return name
                # PlusCal rewrites a process-set variable v to v[self] everywhere inside that
                # family's own code, so another process's copy cannot be written there.
                where = f"{e.span}: " if e.span else ""
                raise EmitError(f"{where}a step of {e.actor} reads {e.actor}[...].{e.name} of another "
                                f"process, which PlusCal cannot express (it reads {e.name} as "
                                f"{e.name}[self] in {e.actor}'s code); copy the value into a global "
                                "variable instead")
            return f"{name}[{self._r(e.proc, scope)}]"
        if isinstance(e, ir.ConstRef):
            return n.const(e.name)
        if isinstance(e, ir.BoundRef):
            return scope.bound.get(e.name, e.name)
        if isinstance(e, ir.SelfRef):
            return self.self_id(scope)
        if isinstance(e, ir.Field):
            return f"{self._sub(e.base, scope)}.{n.field(e.name)}"
        if isinstance(e, ir.Index):
            return f"{self._sub(e.base, scope)}[{self._r(e.index, scope)}]"
        if isinstance(e, ir.Unary):
            op = "~" if e.op == "!" else "-"
            return f"{op}{self._sub(e.operand, scope)}"
        if isinstance(e, ir.Binary):
            return f"{self._sub(e.left, scope)} {binop(e.op).tla} {self._sub(e.right, scope)}"
        if isinstance(e, ir.SetLit):
            return "{" + ", ".join(self._r(x, scope) for x in e.elems) + "}"
        if isinstance(e, ir.RangeLit):
            return f"{self._sub(e.lo, scope)}..{self._sub(e.hi, scope)}"
        if isinstance(e, ir.Card):
            return f"Cardinality({self._r(e.set, scope)})"
        if isinstance(e, ir.Quant):
            dom = self._r(e.domain, scope)
            v, inner = self._binder(e.var, scope)
            q = "\\A" if e.kind == "forall" else "\\E"
            return f"{q} {v} \\in {dom}: {self._r(e.body, inner)}"
        if isinstance(e, ir.SetFilter):
            dom = self._r(e.domain, scope)
            v, inner = self._binder(e.var, scope)
            return f"{{{v} \\in {dom}: {self._r(e.cond, inner)}}}"
        if isinstance(e, ir.IfExpr):
            return (f"IF {self._r(e.cond, scope)} THEN {self._r(e.then, scope)} "
                    f"ELSE {self._r(e.orelse, scope)}")
        if isinstance(e, ir.RecordLit):
            return "[" + ", ".join(f"{n.field(k)} |-> {self._r(v, scope)}" for k, v in e.fields) + "]"
        if isinstance(e, ir.FuncLit):
            dom = self._r(e.domain, scope)
            v, inner = self._binder(e.var, scope)
            return f"[{v} \\in {dom} |-> {self._r(e.body, inner)}]"
        if isinstance(e, ir.At):
            if e.proc is not None:
                proc = self._r(e.proc, scope)
            elif scope.in_step is not None and scope.in_step == e.actor:
                proc = self.self_id(scope)
            else:
                proc = self._proc_id(e.actor)
            # a function's step: its procedure's label, whichever step of the process called it
            labels = [tla_string(lab) for s in e.steps
                      for lab in ((n.pc_value(e.func, s),) if e.func else n.pc_values(e.actor, s))]
            if len(labels) == 1:
                return f"pc[{proc}] = {labels[0]}"
            return f"pc[{proc}] \\in {{{', '.join(labels)}}}"
        if isinstance(e, ir.InType):
            return f"{self._sub(e.expr, scope)} \\in {self._wrap_type(e.type)}"
        if isinstance(e, ir.SeqLit):
            return "<<" + ", ".join(self._r(x, scope) for x in e.elems) + ">>"
        if isinstance(e, ir.ListOp):
            lst = self._r(e.list, scope)
            if e.op == "len":
                return f"Len({lst})"
            if e.op == "first":
                return f"Head({lst})"
            if e.op == "keep":
                return f"SelectSeq({lst}, LAMBDA MS_y: MS_y \\in {self._r(e.elem, scope)})"
            self.lists_used = True
            return f"{_LIST_OPS[e.op]}({lst}, {self._r(e.elem, scope)})"
        raise TypeError(f"unknown expression {e!r}")
