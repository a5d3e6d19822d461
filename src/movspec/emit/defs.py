"""``def``s as TLA+ operators, used by name where the model applied them.

The IR inlines every ``def`` (both checkers evaluate the inlined expression); the model keeps
each one as an operator (``ir.DefOp``) and each application (``ir.DefUse``: the inlined
object and its arguments). The emitter writes ``Name(args)`` for an application only when
that is exactly the inlined expression: the operator's body with the arguments put for its
parameters is compared with what the checkers evaluate, node for node. Where it is not (a
bound variable renamed to avoid capture, a name that means a local inside an actor), the
inlined expression is written, as it always was.

In steps, PlusCal lets a read after an assignment in the same step see the new value by
priming the variable (``s := s \\cup {c}; await c \\in s`` reads ``s'``), and it cannot prime a
variable inside an operator's body, so ``await has(c)`` would read the old ``s``. A step
therefore uses the name only where the step has assigned none of the variables the operator
reads (``Scope.assigned``: every assignment before, on any path, counts), and writes the
inlined text after one. Properties, and operators built on others, always use the names.

Where the operator is defined decides where it can be used: one that reads no process local
goes in the PlusCal ``define`` block and can be used anywhere; one that reads a local
(``compactor[c].p``) must follow the translation, which declares the locals, so the
algorithm above it keeps the inlined text and only the properties after the translation use
its name. A ``def`` that reads ``self`` or the running process's locals means something
different in every process: it is not an operator, and stays inlined (a comment says so).
"""

from __future__ import annotations

import re

from ..ir import nodes as ir
from ..ir.walk import substitute, walk
from .expr import Scope
from .names import fresh_bound
from .pluscal import comment_text


class DefTable:
    """The operators of one model and the applications written by name."""

    def __init__(self, model: ir.Model, namer, exprs=None) -> None:
        self.x = exprs  # the ExprRenderer: what each operator's body reads, from its text
        self._reads: dict[str, frozenset[str]] = {}
        self.ops: dict[str, ir.DefOp] = {d.name: d for d in model.defs if d.body is not None}
        self.skipped: list[ir.DefOp] = [d for d in model.defs if d.body is None]
        self.uses: dict[int, ir.DefUse] = {}
        for u in model.def_uses:
            op = self.ops.get(u.name)
            if op is not None and len(u.args) == len(op.params) and _instance(op, u.args) == u.expr:
                self.uses[id(u.expr)] = u
        self.name: dict[str, str] = {d: namer.claim("def", d) for d in self.ops}
        self.params: dict[str, tuple[str, ...]] = {}
        for d, op in self.ops.items():
            avoid = set(namer.taken)
            names: list[str] = []
            for p in op.params:
                names.append(fresh_bound(p, avoid))
                avoid.add(names[-1])
            self.params[d] = tuple(names)
        self.late = {d for d, op in self.ops.items()
                     if any(isinstance(n, ir.LocalRef) for n in walk(op.body))}
        self.after = False  # rendering after the translation: late operators may be used

    def call(self, e, render, scope: Scope) -> str | None:
        """``Name(args)`` for ``e`` if it is an application written by name here, else None."""
        u = self.uses.get(id(e))
        if u is None or u.expr is not e or (u.name in self.late and not self.after):
            return None
        if scope.in_step is not None and (u.name in self.late or self.reads(u.name) & scope.assigned):
            return None
        name = self.name[u.name]
        return f"{name}({', '.join(render(a) for a in u.args)})" if u.args else name

    def reads(self, d: str) -> frozenset[str]:
        """The names in the operator's TLA+ body (its variables among them)."""
        if d not in self._reads:
            op = self.ops[d]
            text = self.x.expr(op.body, Scope(bound=dict(zip(op.placeholders, self.params[d]))))
            self._reads[d] = frozenset(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
        return self._reads[d]

    def order(self) -> list[str]:
        """Operators in an order where each follows those its body uses by name."""
        out: list[str] = []
        seen: set[str] = set()

        def visit(d: str) -> None:
            if d in seen:
                return
            seen.add(d)
            for n in walk(self.ops[d].body):
                u = self.uses.get(id(n))
                if u is not None and u.expr is n and u.name != d:
                    visit(u.name)
            out.append(d)

        for d in self.ops:
            visit(d)
        return out

    def lines(self, x, late: bool, where=lambda span: "") -> list[tuple[str, object]]:
        """The definitions of the early (``late=False``) or late operators: a comment (the
        DSL ``def``, where it is, its doc), then ``Name(params) == body``."""
        out: list[tuple[str, object]] = []
        for d in self.order():
            if (d in self.late) != late:
                continue
            op = self.ops[d]
            params = self.params[d]
            scope = Scope(bound=dict(zip(op.placeholders, params)))
            head = f"{self.name[d]}({', '.join(params)})" if params else self.name[d]
            note = f"{where(op.span)} def {d}" + (f"({', '.join(op.params)})" if op.params else "")
            note = note.strip()
            if op.doc:
                note += f": {comment_text(op.doc)}"
            if late:
                note += " (reads process locals, so it follows the translation)"
            out.append((f"\\* {note}", op.span))
            out.append((f"{head} == {x.expr(op.body, scope)}", op.span))
        return out

    def skipped_lines(self, where=lambda span: "") -> list[tuple[str, object]]:
        return [(f"\\* {where(d.span)} def {d.name} reads `self` or the running process's locals, which differ per "
                 "process: inlined where it is used", d.span) for d in self.skipped]


def _instance(op: ir.DefOp, args: tuple) -> object:
    """The operator's body with ``args`` for its parameters (placeholders are unique names,
    so one substitution never touches another's argument)."""
    body = op.body
    for h, a in zip(op.placeholders, args):
        body = substitute(body, h, a)
    return body
