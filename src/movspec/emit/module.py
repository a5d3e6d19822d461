"""One variant's IR model as a PlusCal module and its TLC configuration.

Contract: ``emit(model)`` returns an ``Emitted`` holding the module text (``<Variant>.tla``,
PlusCal algorithm with an empty translation block), the default configuration
(``<Variant>.cfg``) and everything needed to map TLC's answers back to the DSL: the label of
each step, the check sites of ``assert``/``call`` statements, the DSL span of each emitted
line, and the TLA+ name of every DSL name.

Layout of the module: constants (model values are declared in the .cfg), type sets, the
algorithm (globals, a ``define`` block with the invariants that read only globals and ``pc``,
one process per actor, one label per step), the translation block, then the definitions that
read process locals (the translator declares locals after the ``define`` block, so those
cannot live there), liveness properties and the symmetry set.

Known limits: inside a family's own steps, another process's copy of a local
(``compactor[c].p`` written in a compactor step) cannot be expressed, because PlusCal reads
every local of the running process family as ``v[self]``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property


from ..ir import nodes as ir
from ..ir.walk import types_in, walk
from ..ir.symmetry import symmetry_off_reason
from ..templating import environment
from ..span import Span
from .expr import KEY_CHECK_LINES, LIST_LINES, ExprRenderer, Scope, tla_string
from .names import Namer, field_name
from .expr import EmitError
from .defs import DefTable
from .pluscal import INDENT, CheckSite, StepPrinter, comment_text, lower, procedure_lines, result_rest

CHECKS_CONST = "MS_Checks"


_env = environment("movspec.emit")

# The module's header says how the DSL became this module, for a reader who knows TLA+.
CORRESPONDENCE = (
    "How the model became this module:",
    "  const         -> CONSTANT (model values and sizes in the .cfg); enum, struct -> sets of values",
    "  var           -> a PlusCal global variable; a module's loaded state -> <m>_loaded",
    "  actor         -> a process (a family `actor a(self in S)` -> process (a \\in S))",
    "  local         -> a process variable (v[self] after the translation)",
    "  step          -> a label: one atomic step; goto -> goto; await -> await; any -> with",
    "  func          -> a procedure; call -> call; return -> return",
    "  macro         -> expanded in place in each step that uses it",
    "  def           -> an operator, used by name (in the define block, or after the",
    "                   translation when it reads process locals); inlined in a step",
    "                   after the step assigns a variable it reads (PlusCal primes that read)",
    "  invariant     -> an operator listed under INVARIANTS in the .cfg; TypeOK from the types",
    "  leadsto       -> a ~> property listed under PROPERTIES in the .cfg",
    "  assert, guards -> MS_Check(prop, site, proc, cond) at the check; prop in MS_Checks is on",
    "  symmetric     -> the Symmetry set (SYMMETRY in the .cfg)",
)


@dataclass(frozen=True)
class LabelInfo:
    label: str
    actor: str
    step: str
    anchor: str | None
    span: Span | None


class Symbols:
    """TLA+ names of one model's DSL names (claimed in a fixed order: stable output)."""

    def __init__(self, model: ir.Model) -> None:
        self.model = model
        self.namer = Namer()
        self.const_sets: dict[str, tuple[str, ...]] = {
            c.name: c.atoms for c in model.consts if c.atoms is not None}
        self.model_values: set[str] = {a for atoms in self.const_sets.values() for a in atoms}
        n = self.namer
        for c in model.consts:
            n.claim("const", c.name)
        for c in model.consts:
            for a in c.atoms or ():
                n.claim("mv", a)
        for t in model.named_types():
            n.claim("type", t.name)
        for v in model.vars:
            n.claim("var", v.name)
        for a in model.actors:
            n.claim("actor", a.name)
        for f in model.functions:
            n.claim("proc", f.name)
        counts: dict[str, int] = {}
        for a in model.actors + model.functions:
            for l in a.locals:
                counts[l.name] = counts.get(l.name, 0) + 1
        for a in model.actors + model.functions:
            for l in a.locals:
                pref = l.name if counts[l.name] == 1 else f"{a.name}_{l.name}"
                n.claim("local", f"{a.name}.{l.name}", pref)
        for f in model.functions:
            if f.result is not None:  # the result kept for the caller: a global indexed by process
                n.claim("local", f"{f.name}.{ir.RESULT}", f"{f.name}_result")
        for a in model.actors + model.functions:
            for s in a.steps:
                n.claim("label", f"{a.name}.{s.name}", f"{a.name}_{s.name}")
        for p in model.properties:
            if isinstance(p, (ir.Invariant, ir.LeadsTo)):
                n.claim("prop", p.name)
        # the result steps of `x = call f(..)`, in the order the printer meets them; a return
        # from `f` stores its result only for these callers (`result_labels`), and tests
        # which caller it returns to only when some call of `f` has no target (`ignored`)
        self._result_labels: dict[str, list[str]] = {}
        self._ignored: set[str] = set()
        # fused calls (`ir.fusion`): function -> (return label, caller, target) of each
        self._fused: dict[str, list[tuple[str, str, ir.Expr]]] = {}
        for a in model.functions + model.actors:
            for i, s in enumerate(a.steps):
                for c in walk(lower(s.body)):
                    if isinstance(c, ir.CallFunc) and c.target is None:
                        self._ignored.add(c.func)
                    elif isinstance(c, ir.CallFunc) and c.fused:
                        self._ignored.add(c.func)  # no result step reads the kept result
                        back = self.label(a.name, a.steps[i + 1].name)
                        self._fused.setdefault(c.func, []).append((back, a.name, c.target))
                    elif isinstance(c, ir.CallFunc):
                        label = self.result_label(a.name, s.name, c.func, c.target)
                        self._result_labels.setdefault(c.func, []).append(label)

    def const(self, name: str) -> str:
        return self.namer.get("const", name)

    def model_value(self, name: str) -> str:
        return self.namer.get("mv", name)

    def var(self, name: str) -> str:
        return self.namer.get("var", name)

    def local(self, actor: str, name: str) -> str:
        return self.namer.get("local", f"{actor}.{name}")

    def actor(self, name: str) -> str:
        return self.namer.get("actor", name)

    def proc(self, name: str) -> str:
        """The PlusCal procedure of function ``name``."""
        return self.namer.get("proc", name)

    def result_label(self, owner: str, step: str, func: str, target) -> str:
        """The label of the result step of ``target = call func(..)`` in ``owner.step``."""
        return self.namer.claim("label", f"{owner}.{step}.{func}:{target!r}", f"{owner}_{step}_{func}")

    def result_labels(self, func: str) -> tuple[str, ...]:
        """The labels of the result steps of every ``x = call func(..)`` in the model."""
        return tuple(dict.fromkeys(self._result_labels.get(func, ())))

    def fused_calls(self, func: str) -> tuple[tuple[str, str, ir.Expr], ...]:
        """(return label, caller, target) of every fused ``x = call func(..)``: the return
        assigns ``target`` when the return label on the stack is that label."""
        return tuple(self._fused.get(func, ()))

    def ignores_result(self, func: str) -> bool:
        """True when some call of ``func`` has no target (``call func(..)``)."""
        return func in self._ignored

    def label(self, actor: str, step: str) -> str:
        return self.namer.get("label", f"{actor}.{step}")

    def pc_value(self, actor: str, step: str) -> str:
        return ir.DONE if step == ir.DONE else self.label(actor, step)

    def pc_values(self, actor: str, step: str) -> tuple[str, ...]:
        """``pc_value``, and for ``s.f`` (the result step of ``x = call f(..)`` in step ``s``
        of ``actor``) the label of that result step, as the printer names it."""
        steps = self.model.actor(actor).steps if "." in step else ()
        name, _, func = step.rpartition(".")
        decl = next((s for s in steps if s.name == name), None)
        if decl is None or any(s.name == step for s in steps):
            return (self.pc_value(actor, step),)  # a step of the actor's own (an inlined copy too)
        return tuple(dict.fromkeys(self.result_label(actor, name, func, c.target)
                                   for c in walk(decl.body) if isinstance(c, ir.CallFunc)
                                   and c.func == func and c.target is not None))

    def prop(self, name: str) -> str:
        return self.namer.get("prop", name)

    @staticmethod
    def field(name: str) -> str:
        return field_name(name)


def _state_level(text: str, e) -> str:
    """``text`` (the TLA+ of ``e``) made a state predicate when ``e`` reads no state: TLC
    treats a constant-level invariant or ``~>`` side specially (it stops with "the invariant
    is equal to FALSE", and reports ``P ~> TRUE`` violated), so ``pc = pc`` ties it to the
    state without changing its value."""
    if any(isinstance(n, (ir.VarRef, ir.LocalRef, ir.At)) for n in walk(e)):
        return text
    return f"(pc = pc /\\ ({text}))"


def reads_locals(e) -> bool:
    """True when an expression mentions an actor local (it must follow the translation)."""
    if isinstance(e, ir.LocalRef):
        return True
    if isinstance(e, tuple):
        return any(reads_locals(x) for x in e)
    if hasattr(e, "__dataclass_fields__"):
        return any(reads_locals(getattr(e, f)) for f in e.__dataclass_fields__ if f != "span")
    return False


@dataclass
class Emitted:
    """A model rendered for TLC, with what is needed to read TLC's answers."""

    model: ir.Model
    module: str
    tla: str
    symbols: Symbols
    labels: dict[str, LabelInfo]
    sites: tuple[CheckSite, ...]
    line_spans: dict[int, Span]
    definitions: dict[str, Span]
    invariants: tuple[str, ...]  # TLA+ operator names, declaration order
    properties: tuple[str, ...]  # leadsto operator names
    invariant_names: dict[str, str]  # TLA+ operator -> DSL property
    symmetry: str | None  # the symmetry operator, when some constant is symmetric
    check_props: tuple[str, ...]  # assertion properties (MS_Checks members)
    cfg_constants: tuple[tuple[str, str], ...]
    header: tuple[str, ...] = ()

    @property
    def cfg(self) -> str:
        return self.render_cfg()

    def render_cfg(self, *, invariants: tuple[str, ...] | None = None,
                   properties: tuple[str, ...] | None = None,
                   checks: tuple[str, ...] | None = None, symmetry: bool = True,
                   check_deadlock: bool | None = None, note: tuple[str, ...] = ()) -> str:
        """The .cfg; the defaults give every property of the model. ``note``: comment lines
        after the header."""
        consts = list(self.cfg_constants)
        if self.check_props:
            on = self.check_props if checks is None else checks
            consts.append((CHECKS_CONST, "{" + ", ".join(tla_string(c) for c in sorted(on)) + "}"))
        return _env.get_template("model.cfg.j2").render(
            header=[*self.header, *note],
            constants=consts,
            symmetry=self.symmetry if symmetry else None,
            check_deadlock=(not self.model.allow_deadlock) if check_deadlock is None else check_deadlock,
            invariants=self.invariants if invariants is None else invariants,
            properties=self.properties if properties is None else properties,
        )

    def span_of_line(self, line: int) -> Span | None:
        """The DSL span of a line of the emitted module (before translation)."""
        return self.line_spans.get(line)

    @cached_property
    def label_of_step(self) -> dict[tuple[str, str], str]:
        return {(i.actor, i.step): l for l, i in self.labels.items()}


def display_path(path: str, root: str | None) -> str:
    """Paths in emitted comments, relative to ``root`` (default: the working directory), so
    the output depends neither on where the checkout lives nor on where movspec runs."""
    base = os.path.abspath(root or os.getcwd())
    return os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")


def _where(span: Span | None, root: str | None) -> str:
    return f"{display_path(span.file, root)}:{span.line}" if span else "(generated)"




def emit(model: ir.Model, *, root: str | None = None) -> Emitted:
    """Render ``model`` as a PlusCal module (see the module docstring)."""
    sy = Symbols(model)
    x = ExprRenderer(sy)
    module = sy.namer.claim("module", model.variant)
    optable = x.defs = DefTable(model, sy.namer, x)

    sources = sorted({display_path(s.file, root) for s in _spans(model)})
    header = [f"Model {model.name}" + (f": {comment_text(model.title)}" if model.title else "")]
    header.append(f"Variant {model.variant}" + (f": {comment_text(model.description)}" if model.description else ""))
    if model.base:
        header.append(f"Extends {model.base}")
    if model.source:
        header.append(f"Design source: {comment_text(model.source)}")
    header.append("Generated by movspec from " + comment_text(", ".join(sources) or "the model") + "; do not edit.")
    header += CORRESPONDENCE

    # constants -----------------------------------------------------------------
    constants = []
    cfg_consts: list[tuple[str, str]] = []
    mvs = [sy.model_value(a) for c in model.consts for a in (c.atoms or ())]
    sets = [c for c in model.consts if c.atoms is not None]
    ints = [c for c in model.consts if c.atoms is None]
    if sets:
        constants.append({"names": [sy.const(c.name) for c in sets], "comment": "sets of model values"})
    if mvs:
        constants.append({"names": mvs, "comment": "the model values"})
    for c in ints:
        constants.append({"names": [sy.const(c.name)], "comment": comment_text(c.doc) if c.doc else "integer"})
    for c in model.consts:
        for a in c.atoms or ():
            cfg_consts.append((sy.model_value(a), sy.model_value(a)))
    for c in sets:
        cfg_consts.append((sy.const(c.name), "{" + ", ".join(sy.model_value(a) for a in c.atoms) + "}"))
    for c in ints:
        cfg_consts.append((sy.const(c.name), str(c.value)))
    if any(isinstance(p, ir.AssertProperty) for p in model.properties):
        constants.append({"names": [CHECKS_CONST], "comment": "the assertion properties being checked"})
    needs_default = any(l.init is None for a in model.actors + model.functions for l in a.locals)
    needs_default |= any(f.result is not None and result_rest(f) == ir.AtomLit(ir.DEFAULT_INIT, "default")
                         for f in model.functions)
    if needs_default:
        constants.append({"names": ["defaultInitValue"], "comment": "value of a local declared without one"})
        cfg_consts.append(("defaultInitValue", "defaultInitValue"))

    types = []
    for t in model.named_types():
        if isinstance(t, ir.AtomType):
            value = "{" + ", ".join(x.atom(a) for a in t.atoms) + "}"
        else:
            value = x.record_set(t)
        types.append({"name": sy.namer.get("type", t.name), "value": value})

    # algorithm -----------------------------------------------------------------
    sites: list[CheckSite] = []
    alg: list[tuple[str, Span | None]] = [(f"(* --algorithm {module} {{", None)]
    globals_ = [(sy.var(v.name), x.expr(v.init), v.span) for v in model.vars]
    for f in model.functions:
        if f.result is not None:
            globals_.append((sy.local(f.name, ir.RESULT), "[MS_p \\in ProcSet |-> "
                             f"{x.expr(result_rest(f))}]", f.span))
    for i, (name, init, span) in enumerate(globals_):
        lead = "variables " if i == 0 else "          "
        end = ";" if i == len(globals_) - 1 else ","
        alg.append((f"{INDENT}{lead}{name} = {init}{end}", span))

    invariants = [p for p in model.properties if isinstance(p, ir.Invariant)]
    early = [p for p in invariants if not reads_locals(p.expr)]
    late = [p for p in invariants if reads_locals(p.expr)]
    check_props = tuple(p.name for p in model.properties if isinstance(p, ir.AssertProperty))
    definitions: dict[str, Span] = {}

    body_lines: list[tuple[str, Span | None]] = []
    labels: dict[str, LabelInfo] = {}
    for f in model.functions:
        printer = StepPrinter(sy, x, f, sites)

        def fcomment(f, s):
            return f"{_where(s.span, root)} {f.name}.{s.name}" + (f" @ {s.anchor}" if s.anchor else "")
        for s in f.steps:
            label = sy.label(f.name, s.name)
            labels[label] = LabelInfo(label, f.name, s.name, s.anchor, s.span)
            definitions[label] = s.span
        definitions[sy.proc(f.name)] = f.span
        body_lines += procedure_lines(printer, sy, x, f, fcomment)
        _result_labels(labels, printer, f.name)
    for a in model.actors:
        if not a.steps:
            raise EmitError(f"actor {a.name} has no step; PlusCal needs at least one")
        fair = {"weak": "fair ", "strong": "fair+ ", None: ""}[a.fairness]
        pname = sy.actor(a.name)
        head = (f"{pname} \\in {sy.const(a.proc_set)}" if a.proc_set is not None
                else f"{pname} = {tla_string(a.name)}")
        body_lines.append(("", None))
        if a.doc:
            body_lines.append((f"{INDENT}\\* {comment_text(a.doc)}", a.span))
        body_lines.append((f"{INDENT}{fair}process ({head})", a.span))
        definitions[pname] = a.span
        for i, l in enumerate(a.locals):
            lead = "variables " if i == 0 else "          "
            end = ";" if i == len(a.locals) - 1 else ","
            init = "defaultInitValue" if l.init is None else x.expr(l.init, Scope(in_step=a.name))
            body_lines.append((f"{INDENT}{lead}{sy.local(a.name, l.name)} = {init}{end}", l.span))
        body_lines.append((f"{INDENT}{{", None))
        printer = StepPrinter(sy, x, a, sites)
        for s in a.steps:
            label = sy.label(a.name, s.name)
            labels[label] = LabelInfo(label, a.name, s.name, s.anchor, s.span)
            definitions[label] = s.span
            comment = f"{_where(s.span, root)} {a.name}.{s.name}"
            if s.anchor:
                comment += f" @ {s.anchor}"
            body_lines += printer.step_lines(s, 2, comment)
        body_lines += printer.result_lines(2)
        _result_labels(labels, printer, a.name)
        body_lines.append((f"{INDENT}}}", None))

    if sites:
        defs = [(f"{INDENT}{INDENT}MS_Check(prop, site, proc, cond) ==", None),
                (f"{INDENT}{INDENT}{INDENT}IF prop \\in {CHECKS_CONST} THEN Assert(cond, <<prop, site, proc>>)", None),
                (f"{INDENT}{INDENT}{INDENT}ELSE cond \\/ TRUE  \\* switched off: evaluated all the same", None)]
    else:
        defs = []
    for t, sp in optable.lines(x, late=False, where=lambda sp: _where(sp, root)):
        defs.append((f"{INDENT}{INDENT}{t}", sp))
    for d in optable.ops:
        definitions[optable.name[d]] = optable.ops[d].span
    for p in early:
        name = sy.prop(p.name)
        definitions[name] = p.span
        if p.doc:
            defs.append((f"{INDENT}{INDENT}\\* {comment_text(p.doc)}", p.span))
        defs.append((f"{INDENT}{INDENT}{name} == {_state_level(x.expr(p.expr), p.expr)}", p.span))
    if defs:
        alg.append((f"{INDENT}define {{", None))
        alg += defs
        alg.append((f"{INDENT}}}", None))
    alg += body_lines
    alg.append(("} *)", None))

    # after the translation -------------------------------------------------------
    after: list[tuple[str, Span | None]] = []
    optable.after = True
    after += (optable.lines(x, late=True, where=lambda sp: _where(sp, root))
              + optable.skipped_lines(where=lambda sp: _where(sp, root)))
    for p in late:
        name = sy.prop(p.name)
        definitions[name] = p.span
        if p.doc:
            after.append((f"\\* {comment_text(p.doc)}", p.span))
        after.append((f"{name} == {_state_level(x.expr(p.expr), p.expr)}", p.span))
    leadsto = [p for p in model.properties if isinstance(p, ir.LeadsTo)]
    for p in leadsto:
        name = sy.prop(p.name)
        definitions[name] = p.span
        scope = Scope()
        bounds = []
        for var, dom in p.bound:
            d = x.expr(dom, scope)
            v, scope = x._binder(var, scope)
            bounds.append(f"{v} \\in {d}")
        formula = (f"({_state_level(x.expr(p.p, scope), p.p)}) ~> "
                   f"({_state_level(x.expr(p.q, scope), p.q)})")
        if bounds:
            formula = f"\\A {', '.join(bounds)}: {formula}"
        if p.doc:
            after.append((f"\\* {comment_text(p.doc)}", p.span))
        after.append((f"{name} == {formula}", p.span))
    # no symmetry where the model names an element of a symmetric set: it would be unsound
    symmetric = [c for c in model.consts if c.symmetric and c.atoms] if symmetry_off_reason(model) is None else []
    symmetry = None
    if symmetric:
        symmetry = "Symmetry"
        after.append(("Symmetry == " + " \\cup ".join(f"Permutations({sy.const(c.name)})" for c in symmetric), None))
    if after:
        after.insert(0, ("\\* Definitions that read process locals follow the translation, which declares them.", None))

    width = 76
    title = f" MODULE {module} "
    left = max(4, (width - len(title)) // 2)
    right = max(4, width - len(title) - left)
    tla = _env.get_template("module.tla.j2").render(
        module=module, header=header, constants=constants, types=types,
        # the translation's stack of procedure frames; kernel lists
        sequences=bool(model.functions) or x.lists_used or _has_lists(model),
        helpers=KEY_CHECK_LINES if x.key_checked else [],
        list_helpers=LIST_LINES if x.lists_used else [],  # before the types, which may use MS_List
        algorithm=[t for t, _ in alg], after=[t for t, _ in after],
        rule_left="-" * left, rule_right="-" * right, rule_end="=" * width,
    )
    lines = tla.split("\n")
    line_spans: dict[int, Span] = {}
    start = lines.index(alg[0][0])
    for i, (_, sp) in enumerate(alg):
        if sp is not None:
            line_spans[start + i + 1] = sp
    if after:
        start = lines.index(after[0][0])
        for i, (_, sp) in enumerate(after):
            if sp is not None:
                line_spans[start + i + 1] = sp

    inv_names = {sy.prop(p.name): p.name for p in invariants}
    return Emitted(
        model=model, module=module, tla=tla, symbols=sy, labels=labels, sites=tuple(sites),
        line_spans=line_spans, definitions=definitions,
        invariants=tuple(sy.prop(p.name) for p in invariants),
        properties=tuple(sy.prop(p.name) for p in leadsto),
        invariant_names=inv_names, symmetry=symmetry, check_props=check_props,
        cfg_constants=tuple(cfg_consts),
        header=(f"TLC configuration for module {module} (model {model.name}, variant {model.variant})",
                "Generated by movspec; do not edit."),
    )


def _has_lists(model: ir.Model) -> bool:
    """Does a variable or local hold a list (``Len``, ``Head``, ``<<>>`` need Sequences)?"""
    types = [v.type for v in model.vars] + [l.type for a in model.actors + model.functions for l in a.locals]
    return any(isinstance(n, ir.ListType) for t in types for n in types_in(t))


def _result_labels(labels: dict[str, LabelInfo], printer: StepPrinter, owner: str) -> None:
    for (step, func, _), (label, _, call) in printer.results.items():
        labels[label] = LabelInfo(label, owner, ir.Function.result_step(step, func), None, call.span)


def _spans(model: ir.Model) -> list[Span]:
    out = []
    for group in (model.consts, model.vars, model.modules, model.actors, model.properties):
        out += [g.span for g in group if g.span is not None]
    if model.span is not None:
        out.append(model.span)
    return out
