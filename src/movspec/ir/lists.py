"""Kernel lists (``struct list_head``) of objects (mixed into ``resolve.Resolver``).

A ``list of T`` (``T`` a constant set or an enum) is a sequence of distinct elements of ``T``,
head first, ``[]`` at first: an object is on a list at most once, so a list is at most as long
as ``T`` has values. Each operation is one statement of the step that runs it, written as a
check and one assignment (``ir.ListOp`` gives the new value):

    list_add(x, l)        assert x is not on l; l = l with x at its head
    list_add_tail(x, l)   assert x is not on l; l = l with x at its tail
    list_del(x, l)        assert x is on l; l = l without x
    list_move_tail(x, l)  assert x is on l; l = l with x moved to its tail

A failed check is list corruption (the kernel's CONFIG_DEBUG_LIST report) and fails the
``Assertions`` property, naming the step; the operation then does what the kernel does after
its report: an add of an element already on the list and a delete of one that is not leave
the list as it was (``list_move_tail`` still adds at the tail). Expressions: ``list_empty(l)``
(``l == []``), ``list_first_entry(l)`` (the head; an evaluation error on an empty list, as the
kernel's read of a list head's container would be), ``x in l``/``x notin l`` and ``|l|``.

Membership and length are written with the set operators, so which one is meant depends on
the operand's type: the resolver decides it from the declared types here, and the IR says it
explicitly (``ListOp``), so no back end needs types to read it.
"""

from __future__ import annotations

from ..dsl import ast as A
from ..dsl.printer import expr as dsl_text
from . import nodes as N
from .scope import Scope, Unresolved
from .variants import ASSERTIONS
from .waitqueues import EXCLUSIVE

LIST_STMTS = {"list_add": "add", "list_add_tail": "add_tail", "list_del": "del", "list_move_tail": "move_tail"}
LIST_EXPRS = {"list_empty", "list_first_entry"}
STMT_OF = {"add": "list_add", "add_tail": "list_add_tail", "del": "list_del"}  # for messages


def ast_has_list(t) -> bool:
    """Does declared type ``t`` (a syntax tree type) hold a list anywhere?"""
    if isinstance(t, A.ListT):
        return True
    if isinstance(t, A.SetT):
        return ast_has_list(t.elem)
    if isinstance(t, A.FuncT):
        return ast_has_list(t.range)
    return False


class Lists:
    """Mixed into ``resolve.Resolver``: the list statements and expressions, and which
    expressions are lists."""

    _uses_lists: bool | None = None

    def uses_lists(self) -> bool:
        """Does any declaration of the variant have a list type?"""
        if self._uses_lists is None:
            types = [v.type for v in self.vars.values()]
            types += [f.type for s in self.structs.values() for f in s.fields]
            types += [l.type for a in self.env.actors.values() for l in a.locals]
            types += [l.type for f in self.funcs.values() for l in tuple(f.params) + tuple(f.locals)]
            self._uses_lists = (any(ast_has_list(t) or self._struct_list(t) for t in types)
                                or self.uses_exclusive())  # the list of exclusive waiters
        return self._uses_lists

    def _struct_list(self, t, seen=()) -> bool:
        if isinstance(t, A.NamedT) and t.name in self.structs and t.name not in seen:
            return any(ast_has_list(f.type) or self._struct_list(f.type, seen + (t.name,))
                       for f in self.structs[t.name].fields)
        if isinstance(t, A.FuncT):
            return self._struct_list(t.range, seen)
        return False

    # which expressions are lists ---------------------------------------------------------
    def _decl_type(self, e: N.Expr, sc: Scope):
        """The declared (syntax tree) type of a state path ``e``, or None."""
        if isinstance(e, N.VarRef):
            v = self.vars.get(e.name)
            return v.type if v is not None else None
        if isinstance(e, N.LocalRef):
            owner = None
            if sc.actor is not None and sc.actor.decl.name == e.actor:
                owner = sc.actor.locals
            elif e.actor in self.env.actors:
                owner = self.env.actors[e.actor].locals
            elif e.actor in self.funcs:
                f = self.funcs[e.actor]
                owner = tuple(f.params) + tuple(f.locals)
            loc = next((l for l in owner or () if l.name == e.name), None)
            return loc.type if loc is not None else None
        if isinstance(e, N.Field):
            base = self._decl_type(e.base, sc)
            if isinstance(base, A.NamedT) and base.name in self.structs:
                f = next((f for f in self.structs[base.name].fields if f.name == e.name), None)
                return f.type if f is not None else None
            return None
        if isinstance(e, N.Index):
            base = self._decl_type(e.base, sc)
            return base.range if isinstance(base, A.FuncT) else None
        return None

    def is_list(self, e: N.Expr, sc: Scope) -> bool:
        if isinstance(e, (N.SeqLit, N.ListOp)):
            return isinstance(e, N.SeqLit) or e.op in ("add", "add_tail", "del")
        if isinstance(e, N.IfExpr):
            return self.is_list(e.then, sc) or self.is_list(e.orelse, sc)
        if isinstance(e, N.VarRef) and e.name == EXCLUSIVE and EXCLUSIVE not in self.vars:
            return True
        return isinstance(self._decl_type(e, sc), A.ListT)

    def _undecided(self, e: N.Expr) -> bool:
        """A ``def``'s parameter while the def is resolved on its own (for the emitter's
        operator): whether it is a list is known only where the def is applied."""
        return isinstance(e, N.BoundRef) and "\x00" in e.name and self.uses_lists()

    def list_binary(self, op: str, left: N.Expr, right: N.Expr, sc: Scope, sp) -> N.Expr | None:
        """``x in l`` / ``x notin l`` on a list as a ``ListOp``; None for a set."""
        if op not in ("in", "notin"):
            return None
        if self._undecided(right):
            raise Unresolved()
        if not self.is_list(right, sc):
            return None
        has = N.ListOp("has", right, left, sp)
        return has if op == "in" else N.Unary("!", has, sp)

    def list_card(self, inner: N.Expr, sc: Scope, sp) -> N.Expr | None:
        if self._undecided(inner):
            raise Unresolved()
        return N.ListOp("len", inner, None, sp) if self.is_list(inner, sc) else None

    # expressions and statements -------------------------------------------------------------
    def list_expr(self, name: str, args: tuple[A.Expr, ...], sc: Scope, sp) -> N.Expr:
        if len(args) != 1:
            self._fail(f"`{name}` takes 1 argument, {len(args)} given", sp, f"write `{name}(list)`", "arguments")
        lst = self._expr(args[0], sc)
        self._need_list(name, args[0], lst, sc)
        if name == "list_empty":
            return N.Binary("==", lst, N.SeqLit((), sp), sp)
        return N.ListOp("first", lst, None, sp)

    def _need_list(self, name: str, arg: A.Expr, lst: N.Expr, sc: Scope) -> None:
        if not self.is_list(lst, sc):
            self._fail(f"`{name}` needs a list, and `{dsl_text(arg)}` is not one", arg.span,
                       "declare it with a list type, e.g. `var pages: list of Pages`", "list")

    def list_op(self, name: str, args: tuple[A.Expr, ...], target: A.Expr | None, sc: Scope,
                sp) -> list[N.Stmt]:
        if target is not None:
            self._fail(f"`{name}` returns no value", sp, f"write it as a statement: `{name}(x, list)`",
                       "no-result")
        if len(args) != 2:
            self._fail(f"`{name}` takes 2 arguments, {len(args)} given", sp, f"write `{name}(x, list)`",
                       "arguments")
        if sc.actor is None or self._step is None:
            self._fail(f"`{name}` outside a step", sp, "use it in a step of an actor or a function", "list")
        x_ast, l_ast = args
        x = self.expr(x_ast, sc)
        lst = self.expr(l_ast, sc)
        dest = self._target(l_ast, sc)
        self._need_list(name, l_ast, lst, sc)
        kind = LIST_STMTS[name]
        self.assert_props.setdefault(ASSERTIONS, sp)
        where = f"step `{sc.actor.decl.name}.{self._step.name}`"
        call = f"{name}({dsl_text(x_ast)}, {dsl_text(l_ast)})"
        has = N.ListOp("has", lst, x)  # no place: a wrong element is reported once, at the change
        if kind in ("add", "add_tail"):
            check = N.Assert(N.Unary("!", has, sp), f"list corruption: {call} in {where} adds "
                             f"an element that is already on the list", ASSERTIONS, sp)
            value = N.ListOp(kind, lst, x, sp)
        else:
            check = N.Assert(has, f"list corruption: {call} in {where} "
                             f"{'deletes' if kind == 'del' else 'moves'} an element that is not on the list",
                             ASSERTIONS, sp)
            value = N.ListOp("del", lst, x, sp)
            if kind == "move_tail":  # the element's type is reported once, at the add
                value = N.ListOp("add_tail", N.ListOp("del", lst, x), x, sp)
        return [check, N.Assign(dest, "=", value, sp)]
