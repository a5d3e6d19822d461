"""Steps as PlusCal labels (C syntax).

One DSL step is one PlusCal label. Two PlusCal labelling rules would otherwise force extra
labels, and each is rewritten away here without changing the step's meaning:

* one variable assigned twice in a label is rejected by the translator, so consecutive
  assignments to parts of one variable become one multiple assignment
  ``x[a].f := e1 || x[b].g := e2`` (the front end guarantees the later ones do not read the
  variable, so evaluating all right-hand sides in the old state is the same);
* a statement after an ``if``/``either`` that contains a ``goto`` must carry a label, so the
  statements after such a compound are moved into those of its branches that do not end in a
  ``goto`` (tail duplication). ``with`` bodies get the same treatment.

``Assert`` and ``Call`` become ``assert MS_Check(prop, site, self, cond)``: ``MS_Check`` is
TRUE when the property is switched off in the .cfg, so a checker can keep exploring past a
known violation (the condition is still evaluated, so an evaluation error in it stops TLC
as it stops the builtin checker), and otherwise fails through TLC's ``Assert`` with the
site number, which movspec maps back to the DSL statement.

A step's fairness mark is its label's modifier (``l:-``, ``l:+``); the steps it generates carry
it too, and the result step of ``x = call f(..)`` has the calling step's.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from ..ir import nodes as ir
from ..ir.functions import result_local
from ..ir.lower import always_jumps, rest_value
from ..ir.walk import walk
from ..span import Span
from .expr import ExprRenderer, Scope, tla_string

INDENT = "    "
# a step's fairness mark on its label: `unfair step` -> `l:-`, `fair+ step` -> `l:+`, which the
# translation turns into WF/SF of the process's steps minus the `l:-` ones, and SF of each `l:+`
_MARK = {None: "", "unfair": "-", "strong": "+"}


def comment_text(s: str) -> str:
    """Text from the model (an anchor, a description, a doc string, a file name) made safe
    inside a TLA+ comment, which is where the emitter puts all of it: one line (every run of
    white space, line breaks included, becomes one space), no comment delimiter (``(*`` and
    ``*)`` become ``( *`` and ``* )``; the algorithm itself sits in a ``(* ... *)`` block,
    so either would end or nest it), and no control or format character (written as
    ``\\uXXXX``)."""
    s = " ".join(str(s).split())
    s = "".join(c if not unicodedata.category(c).startswith("C") else f"\\u{ord(c):04x}" for c in s)
    # ``(*`` first: what it leaves cannot form a new ``(*``, and splitting ``*)`` after it
    # cannot form one either (a ``(`` before the ``*`` was split off already)
    return s.replace("(*", "( *").replace("*)", "* )")


@dataclass(frozen=True)
class CheckSite:
    """One ``assert``/``call`` in a step: the property it belongs to and where it came from."""

    index: int
    prop: str
    actor: str
    step: str
    message: str
    kind: str  # "assert" | "call"
    span: Span | None


Line = tuple[str, "Span | None"]


# ------------------------------------------------------------------ control-flow rewriting

def contains_goto(s: ir.Stmt) -> bool:
    """True when ``s`` contains a ``goto``, a ``call`` or a ``return`` (what PlusCal wants a
    label after)."""
    if isinstance(s, (ir.Goto, ir.CallFunc, ir.Return)):
        return True
    if isinstance(s, ir.If):
        return any(map(contains_goto, s.then)) or any(map(contains_goto, s.orelse))
    if isinstance(s, ir.Either):
        return any(contains_goto(x) for b in s.branches for x in b)
    if isinstance(s, ir.With):
        return any(map(contains_goto, s.body))
    return False


def _append(branch: tuple[ir.Stmt, ...], rest: tuple[ir.Stmt, ...]) -> tuple[ir.Stmt, ...]:
    if always_jumps(branch):
        return branch
    return branch + rest


def lower(stmts: tuple[ir.Stmt, ...]) -> tuple[ir.Stmt, ...]:
    """Tail-duplicate the statements that follow a compound containing a ``goto``."""
    out: list[ir.Stmt] = []
    for i, s in enumerate(stmts):
        rest = tuple(stmts[i + 1:])
        if isinstance(s, (ir.If, ir.Either, ir.With)) and contains_goto(s) and rest:
            if isinstance(s, ir.If):
                s = ir.If(s.cond, lower(_append(s.then, rest)), lower(_append(s.orelse, rest)), span=s.span)
            elif isinstance(s, ir.Either):
                s = ir.Either(tuple(lower(_append(b, rest)) for b in s.branches), span=s.span)
            else:
                s = ir.With(s.var, s.domain, lower(_append(s.body, rest)), span=s.span)
            out.append(s)
            return tuple(out)
        if isinstance(s, ir.If):
            s = ir.If(s.cond, lower(s.then), lower(s.orelse), span=s.span)
        elif isinstance(s, ir.Either):
            s = ir.Either(tuple(lower(b) for b in s.branches), span=s.span)
        elif isinstance(s, ir.With):
            s = ir.With(s.var, s.domain, lower(s.body), span=s.span)
        out.append(s)
    return tuple(out)


def group_assignments(stmts: tuple[ir.Stmt, ...]) -> list[ir.Stmt | list[ir.Assign]]:
    """Consecutive assignments to one variable, grouped into lists."""
    out: list = []
    for s in stmts:
        if (isinstance(s, ir.Assign) and out and isinstance(out[-1], list)
                and ir.state_root(out[-1][0].target) == ir.state_root(s.target)):
            out[-1].append(s)
        elif isinstance(s, ir.Assign):
            out.append([s])
        else:
            out.append(s)
    return out


# ------------------------------------------------------------------ printing

class StepPrinter:
    """Prints the statements of one actor's steps as PlusCal lines with their DSL spans."""

    def __init__(self, names, exprs: ExprRenderer, actor: ir.Actor | ir.Function, sites: list[CheckSite]):
        self.n = names
        self.x = exprs
        self.actor = actor  # or the function whose steps are printed
        self.sites = sites
        self.step: ir.Step | None = None
        # result steps of `x = call f(..)`: (calling step, function, target) -> (label, after)
        self.results: dict[tuple, tuple[str, str, ir.CallFunc]] = {}
        self.result_fair: dict[tuple, str | None] = {}  # their fairness: the calling step's

    def step_lines(self, step: ir.Step, depth: int, comment: str) -> list[Line]:
        self.step = step
        label = self.n.label(self.actor.name, step.name)
        lines: list[Line] = [(f"{INDENT * depth}{label}:{_MARK[step.fairness]}  \\* {comment_text(comment)}",
                              step.span)]
        body = step.body
        if isinstance(self.actor, ir.Function) and step is self.actor.steps[-1] and not always_jumps(body):
            body = body + (ir.Return(None, None),)  # falling off a function's end returns
        elif self.ends_actor(step) and not always_jumps(body):
            body = body + (ir.Goto(ir.DONE, None),)  # the result steps follow it in the text
        body = lower(body)
        lines += self.block(body, depth + 1, Scope(in_step=self.actor.name))
        return lines

    def ends_actor(self, step: ir.Step) -> bool:
        return (isinstance(self.actor, ir.Actor) and step is self.actor.steps[-1]
                and any(isinstance(x, ir.CallFunc) and x.target is not None
                        for s in self.actor.steps for x in walk(s.body)))

    def after(self) -> str:
        """Where the process goes after the current step (the label, or ``Done``)."""
        steps = self.actor.steps
        i = steps.index(self.step)
        return self.n.label(self.actor.name, steps[i + 1].name) if i + 1 < len(steps) else "Done"

    def result_lines(self, depth: int) -> list[Line]:
        """The result steps of the calls printed so far (after the owner's last step)."""
        out: list[Line] = []
        scope = Scope(in_step=self.actor.name)
        for (step, func, target), (label, after, call) in self.results.items():
            kept = ir.LocalRef(func, ir.RESULT, ir.SelfRef())
            f = self.n.model.function(func)
            what = comment_text(f"{self.actor.name}.{step}: the result of {func}")
            mark = _MARK[self.result_fair.get((step, func, target))]
            out.append((f"{INDENT * depth}{label}:{mark}  \\* {what}", call.span))
            pad = INDENT * (depth + 1)
            out.append((f"{pad}{self.x.target(target, scope)} := {self.x.expr(kept, scope)};", call.span))
            out.append((f"{pad}{self.x.target(kept, scope)} := {self.x.expr(result_rest(f), scope)};", None))
            out.append((f"{pad}goto {after};", None))
        return out

    def fused_stores(self, r: ir.Return, depth: int, scope: Scope) -> list[Line]:
        """A return's stores for the fused calls of the function (``ir.fusion``): the caller's
        local, when the return label on the stack is the step after the call. The local is
        named bare: PlusCal indexes a process variable by ``self`` in a procedure too."""
        pad = INDENT * depth
        out: list[Line] = []
        value = self.x.expr(r.value, scope)
        me = self.x.self_id(scope)
        for i, (back, caller, target) in enumerate(self.n.fused_calls(self.actor.name)):
            word = "if" if i == 0 else "} else if"
            out.append((f"{pad}{word} (Head(stack[{me}]).pc = {tla_string(back)}) {{", r.span))
            out.append((f"{pad}{INDENT}{self.n.local(caller, target.name)} := {value};", r.span))
        if out:
            out.append((f"{pad}}};", None))
        return out

    def block(self, stmts: tuple[ir.Stmt, ...], depth: int, scope: Scope) -> list[Line]:
        grouped = group_assignments(stmts)
        if not grouped:
            return [(f"{INDENT * depth}skip;", None)]
        out: list[Line] = []
        for g in grouped:
            if isinstance(g, list):
                out += self.assign(g, depth, scope)
            else:
                out += self.stmt(g, depth, scope)
            scope = scope.after(self.assigned_roots(g if isinstance(g, list) else [g], scope))
        return out

    def assigned_roots(self, stmts, scope: Scope) -> set[str]:
        """The variables (TLA+ names) that ``stmts`` assign on any path."""
        out = set()
        for s in stmts:
            for a in walk(s):
                if isinstance(a, ir.Assign):
                    root = a.target
                    while isinstance(root, (ir.Field, ir.Index)):
                        root = root.base
                    if isinstance(root, ir.VarRef):  # a def reads no locals of its own process
                        out.add(self.x.expr(root, scope))
        return out

    def assign(self, group: list[ir.Assign], depth: int, scope: Scope) -> list[Line]:
        parts = []
        for a in group:
            target = self.x.target(a.target, scope)
            value = self.x.expr(a.value, scope)
            if a.op in ("+=", "-="):
                old = self.x.expr(a.target, scope)
                value = f"{old} {a.op[0]} {self._paren(a.value, value)}"
            parts.append(f"{target} := {value}")
        pad = INDENT * depth
        if len(parts) == 1:
            return [(f"{pad}{parts[0]};", group[0].span)]
        out: list[Line] = []
        for i, (p, a) in enumerate(zip(parts, group)):
            lead = pad if i == 0 else pad + "   || "
            end = ";" if i == len(parts) - 1 else ""
            out.append((f"{lead}{p}{end}", a.span))
        return out

    @staticmethod
    def _paren(e: ir.Expr, text: str) -> str:
        simple = (ir.IntLit, ir.VarRef, ir.LocalRef, ir.ConstRef, ir.BoundRef, ir.Field, ir.Index)
        if isinstance(e, simple) and not (isinstance(e, ir.IntLit) and e.value < 0):
            return text
        return f"({text})"

    def stmt(self, s: ir.Stmt, depth: int, scope: Scope) -> list[Line]:
        pad = INDENT * depth
        x = self.x
        if isinstance(s, ir.Skip):
            return [(f"{pad}skip;", s.span)]
        if isinstance(s, ir.Await):
            return [(f"{pad}await {x.expr(s.cond, scope)};", s.span)]
        if isinstance(s, ir.Goto):
            target = "Done" if s.target == ir.DONE else self.n.label(self.actor.name, s.target)
            return [(f"{pad}goto {target};", s.span)]
        if isinstance(s, ir.Assert):
            return [self._check(s.prop, x.expr(s.cond, scope), s.message, "assert", s.span, pad)]
        if isinstance(s, ir.Call):
            args = ", ".join(x.expr(a, scope) for a in s.args)
            line = self._check(s.prop, self.n.var(s.loaded_var), s.message, "call", s.span, pad)
            return [(line[0] + f"  \\* {comment_text(f'{s.module}.{s.op}({args})')}", line[1])]
        if isinstance(s, ir.CallFunc):
            args = ", ".join(x.expr(a, scope) for a in s.args)
            out: list[Line] = [(f"{pad}call {self.n.proc(s.func)}({args});", s.span)]
            if s.target is not None and not s.fused:
                key = (self.step.name, s.func, s.target)
                if key not in self.results:
                    label = self.n.result_label(self.actor.name, self.step.name, s.func, s.target)
                    self.results[key] = (label, self.after(), s)
                    self.result_fair[key] = self.step.fairness
                out.append((f"{pad}goto {self.results[key][0]};", None))
            elif self.ends_actor(self.step):
                # the return label is the one after the call: in the actor's last step that
                # is a result step printed after it, not where the process goes (Done)
                out.append((f"{pad}goto Done;", None))
            return out
        if isinstance(s, ir.Return):
            out = []
            wanted = self.n.result_labels(self.actor.name) if s.value is not None else ()
            if wanted:
                kept = ir.LocalRef(self.actor.name, ir.RESULT, ir.SelfRef())
                value = x.expr(s.value, scope)
                if self.n.ignores_result(self.actor.name):
                    # stored only for a caller that reads it: the return label on the stack
                    # is one of its result steps (the builtin checker's copy of the function
                    # returning to a result step); otherwise it stays at its rest value
                    me = x.self_id(scope)
                    labels = ", ".join(tla_string(l) for l in wanted)
                    rest = x.expr(result_rest(self.n.model.function(self.actor.name)), scope)
                    value = f"IF Head(stack[{me}]).pc \\in {{{labels}}} THEN {value} ELSE {rest}"
                out.append((f"{pad}{x.target(kept, scope)} := {value};", s.span))
            if s.value is not None:
                out += self.fused_stores(s, depth, scope)
            return out + [(f"{pad}return;", s.span)]
        if isinstance(s, ir.If):
            out = [(f"{pad}if ({x.expr(s.cond, scope)}) {{", s.span)]
            out += self.block(s.then, depth + 1, scope)
            if s.orelse:
                out.append((f"{pad}}} else {{", None))
                out += self.block(s.orelse, depth + 1, scope)
            out.append((f"{pad}}};", None))
            return out
        if isinstance(s, ir.Either):
            out = []
            for i, b in enumerate(s.branches):
                head = f"{pad}either {{" if i == 0 else f"{pad}}} or {{"
                out.append((head, s.span if i == 0 else None))
                out += self.block(b, depth + 1, scope)
            out.append((f"{pad}}};", None))
            return out
        if isinstance(s, ir.With):
            dom = x.expr(s.domain, scope)
            avoid = set(self.n.namer.taken) | set(scope.bound.values())
            from .names import fresh_bound
            v = fresh_bound(s.var, avoid)
            inner = scope.bind(s.var, v)
            out = [(f"{pad}with ({v} \\in {dom}) {{", s.span)]
            out += self.block(s.body, depth + 1, inner)
            out.append((f"{pad}}};", None))
            return out
        if isinstance(s, ir.Assign):
            return self.assign([s], depth, scope)
        raise TypeError(f"unknown statement {s!r}")

    def _check(self, prop: str, cond: str, message: str, kind: str, span, pad: str) -> Line:
        site = CheckSite(len(self.sites) + 1, prop, self.actor.name, self.step.name, message, kind, span)
        self.sites.append(site)
        me = self.x.self_id(Scope(in_step=self.actor.name))
        return (f"{pad}assert MS_Check({tla_string(prop)}, {site.index}, {me}, {cond});", span)


def result_rest(f: ir.Function) -> ir.Expr:
    """The value ``f``'s kept result holds when no result is waiting to be read."""
    return rest_value(result_local(f))


def procedure_lines(printer: StepPrinter, sy, x: ExprRenderer, f: ir.Function, comment) -> list[Line]:
    """``f`` as a PlusCal procedure: parameters with their between-calls values, locals,
    one label per step, then its result steps."""
    scope = Scope(in_step=f.name)
    params = []
    for l in f.locals[:len(f.params)]:
        name = sy.local(f.name, l.name)
        params.append(name if l.init is None else f"{name} = {x.expr(l.init, scope)}")
    lines: list[Line] = [("", None)]
    if f.doc:
        lines.append((f"{INDENT}\\* {comment_text(f.doc)}", f.span))
    lines.append((f"{INDENT}procedure {sy.proc(f.name)}({', '.join(params)})", f.span))
    own = f.locals[len(f.params):]
    for i, l in enumerate(own):
        lead = "variables " if i == 0 else "          "
        end = ";" if i == len(own) - 1 else ","
        lines.append((f"{INDENT}{lead}{sy.local(f.name, l.name)} = {x.expr(l.init, scope)}{end}", l.span))
    lines.append((f"{INDENT}{{", None))
    for s in f.steps:
        lines += printer.step_lines(s, 2, comment(f, s))
    lines += printer.result_lines(2)
    lines.append((f"{INDENT}}}", None))
    return lines
