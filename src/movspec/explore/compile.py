"""Compile an IR model into Python source: one successor function, invariant checks, the
initial state, and (with symmetry) a canonicalisation function. The source is exec'd once
per model; no IR tree is walked per state.

Contract
--------
``compile_model(model, symmetry=True) -> Compiled``. A state is a packed ``int`` (see
``layout``); ``Compiled.dec(s)`` unpacks it into ``W``, a list of internal leaf values.

``succ(s, W, out, viol, cov)`` appends the packed successors of ``s`` to ``out`` (one per
enabled step and per nondeterministic branch, duplicates included) and counts each in
``cov[sid]``; a failed ``Assert``/``Call`` appends ``(prop_index, sid, message)`` to
``viol`` and the step goes on as if it had held. ``succ_labeled`` is the same but appends
``(successor, sid)``. ``step_fns[sid](s, W, out, viol, cov)`` runs one process's step alone
(used to pin an evaluation error on a step).

Semantics follow the PlusCal translation exactly (see ``ir.nodes``): statements run in
order, reads see earlier writes of the same step, ``Await`` false blocks the path,
``Either``/``With`` branch, ``Goto`` ends the step, falling off the end moves to the next
step of the actor, or to ``Done``.

How the generated code stays fast: every step is specialised per process (``self`` and its
locals are constants); quantifiers and function literals over constant domains are unrolled
so that ``page[p].ref`` under ``forall p in Pages`` becomes a fixed leaf; writes update a
copy of ``W`` and accumulate the change of the packed state as an integer delta (a leaf's
code is an affine function of its value), so a successor costs no re-packing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..ir import nodes as ir
from ..ir.lower import lower_functions
from ..ir.symmetry import symmetry_off_reason
from ..ir.walk import walk
from .codegen import Ctx, StepInfo, runtime
from .compile_expr import ExprCompiler
from .compile_stmt import StmtCompiler
from .compile_sym import SymmetryCompiler
from .layout import Layout
from .domains import RUNTIME_ERRORS, AtomTable, CompileError, build_atoms, is_composite, shape


@dataclass
class Compiled:
    model: ir.Model
    atoms: AtomTable
    layout: Layout
    steps: list[StepInfo]
    props: list[str]  # property names for viol indexes (asserts, calls)
    invariants: list[ir.Invariant]
    init_states: list[int]
    dec: object
    succ: object
    succ_labeled: object
    step_fns: list
    inv_fns: list  # one function per invariant: W -> bool
    make_inv_all: object  # (indexes) -> function W -> bool (all those invariants hold)
    alldone: object
    canon: object | None  # (s, W) -> canonical packed state, None without symmetry
    n_perms: int
    source: str
    namespace: dict
    compiler: "Compiler | None" = None

    def function(self, e) -> "Callable[[list], object]":
        """A state function compiled like the invariants: ``W`` (a decoded state) -> the
        internal value of expression ``e`` (a state predicate, a leadsto side, a constant)."""
        x = self.compiler.expr(e, Ctx(W="W"))
        name = self.compiler.fresh("fn")
        src = f"def {name}(W):\n    return {x.src}\n"
        exec(compile(src, f"<movspec {name}>", "exec"), self.namespace)
        return self.namespace[name]

    def sides(self, pairs: "list[tuple[ir.Expr, ir.Expr]]") -> "Callable[[list], int]":
        """One compiled function for the two sides of several ``leadsto`` bindings: ``W`` ->
        a bit mask with, for pair ``k``, bit ``2k`` set when ``q`` holds and bit ``2k+1`` when
        ``p`` holds and ``q`` does not (``p`` is evaluated only where ``q`` is false)."""
        name = self.compiler.fresh("sides")
        lines = [f"def {name}(W):", "    m = 0"]
        for k, (p, q) in enumerate(pairs):
            ps = self.compiler.expr(p, Ctx(W="W")).src
            qs = self.compiler.expr(q, Ctx(W="W")).src
            lines += [f"    if {qs}:", f"        m |= {1 << 2 * k}", f"    elif {ps}:", f"        m |= {1 << 2 * k + 1}"]
        lines.append("    return m")
        exec(compile("\n".join(lines) + "\n", f"<movspec {name}>", "exec"), self.namespace)
        return self.namespace[name]

    def failing_step(self, s, W) -> tuple[StepInfo, BaseException] | None:
        """The first step enabled in state ``s`` (decoded: ``W``) whose evaluation raises, with
        the exception; only the steps at their process's pc run. None when no step fails."""
        layout = self.layout
        for info in self.steps:
            pi = layout.pc_base[info.actor.name] + info.proc_index
            if W[pi] >= len(info.actor.steps) or info.actor.steps[W[pi]] is not info.step:
                continue
            try:
                self.step_fns[info.sid](s, list(W), [], [], [0] * len(self.steps))
            except RUNTIME_ERRORS as e:
                return info, e
        return None

    def predicate(self, e) -> "Callable[[list], bool]":
        """``function`` for a boolean expression: ``W`` -> ``bool``."""
        f = self.function(e)
        return lambda W: bool(f(W))

    def plain_function(self, e) -> "Callable[[list], object]":
        """``function`` giving the plain value (``result`` vocabulary) of ``e``: what reports
        and messages show (a refinement mapping, the sides of a comparison)."""
        t = self.compiler.expr(e, Ctx(W="W")).type
        f, plain = self.function(e), self.layout.plain
        return lambda W: plain(f(W), t)

    def value(self, e):
        """The plain value (``result`` vocabulary) of a constant expression ``e``, such as the
        domain of a quantifier."""
        x = self.compiler.expr(e, Ctx(W="W"))
        W = self.dec(self.init_states[0]) if self.init_states else []
        v = x.val if x.static else self.function(e)(W)
        return self.layout.plain(v, x.type)


class Expressions:
    """The expressions of a model compiled one at a time, without its steps (``function``,
    ``predicate``, ``plain_function`` as on ``Compiled``, on leaf lists ``W`` of its layout):
    the evaluator for plain states that a report or a message reads (``layout.leaves_of``)."""

    def __init__(self, model: ir.Model):
        model = lower_functions(model)  # the state as the checker has it
        self.compiler = Compiler(model, symmetry=False)
        self.model, self.atoms, self.layout = model, self.compiler.atoms, self.compiler.layout
        self.namespace = self.compiler.ns

    predicate = Compiled.predicate

    def _admit(self, e) -> None:
        # an atom the model never names (a report's expression) compares unequal to all
        for x in walk(e):
            if isinstance(x, ir.AtomLit):
                self.atoms.add(x.name)

    def function(self, e):
        self._admit(e)
        return Compiled.function(self, e)

    def plain_function(self, e):
        self._admit(e)
        return Compiled.plain_function(self, e)

    def value(self, e):
        """The plain value of a constant expression ``e``; CompileError when it reads the state."""
        self._admit(e)
        x = self.compiler.expr(e, Ctx(W="W"))
        if not x.static:
            raise CompileError("not a constant expression")
        return self.layout.plain(x.val, x.type)


class Compiler(ExprCompiler, StmtCompiler, SymmetryCompiler):
    """IR model -> ``Compiled`` (see the module docstring)."""

    def __init__(self, model: ir.Model, symmetry: bool = True, canon: str = "sort",
                 atoms_like: ir.Model | None = None):
        self.model = model
        self.atoms = build_atoms(model)
        if atoms_like is not None:  # that model's atom codes first, then any of this one's
            table = build_atoms(atoms_like)
            for name in self.atoms.names:
                table.add(name)
            self.atoms = table
        self.layout = Layout(model, self.atoms)
        self.ns: dict = {}
        self._consts: dict = {}
        self._n = 0
        self.symmetry = symmetry and symmetry_off_reason(model) is None  # sound only then
        self.canon_method = canon  # "sort" (signatures) or "min" (every permutation)
        self.props: list[str] = []
        self._pos_tables: dict = {}
        self._roots_cache: dict = {}
        self.ns.update(runtime(self.layout))

    # ------------------------------------------------------------------ names and constants

    def fresh(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n}"

    def const(self, value) -> str:
        key = (type(value).__name__, value) if not isinstance(value, dict) else None
        if key is not None:
            try:
                hash(key)
            except TypeError:
                key = None
        if key is not None and key in self._consts:
            return self._consts[key]
        name = self.fresh("K")
        self.ns[name] = value
        if key is not None:
            self._consts[key] = name
        return name

    def lit(self, value) -> str:
        """Source for a static value (ints and bools inline, the rest as constants)."""
        if isinstance(value, bool) or value is None:
            return repr(value)
        if isinstance(value, int):
            return repr(value)
        return self.const(value)

    def prop_index(self, name: str) -> int:
        if name not in self.props:
            self.props.append(name)
        return self.props.index(name)

    # ------------------------------------------------------------------ the whole model

    def compile(self) -> Compiled:
        model, layout = self.model, self.layout
        for p in model.properties:
            if isinstance(p, ir.AssertProperty):
                self.prop_index(p.name)
        steps: list[StepInfo] = []
        for a in model.actors:
            for pi, proc in enumerate(model.procs(a)):
                for st in a.steps:
                    steps.append(StepInfo(len(steps), a, proc, pi, st))
        parts = ["# generated by movspec.explore.compile for model "
                 f"{model.name!r}, variant {model.variant!r}"]

        # decode ------------------------------------------------------------
        items = []
        for leaf in layout.leaves:
            mask = (1 << leaf.width) - 1
            code = f"(s >> {leaf.offset}) & {mask}" if leaf.offset else f"s & {mask}"
            if leaf.kind == "int":
                items.append(f"({code}) + {leaf.bias}" if leaf.bias >= 0 else f"({code}) - {-leaf.bias}")
            elif leaf.kind in ("set", "list"):
                items.append(f"{self.const(leaf.dec)}[{code}]" if leaf.dec is not None
                             else f"{self.const(layout)}.decode_set({self.const(leaf)}, {code})")
            else:
                items.append(code)
        parts.append("def dec(s):\n    return [" + ",\n            ".join(items) + "]")

        # steps -------------------------------------------------------------
        step_src = {}
        for info in steps:
            step_src[info.sid] = self.compile_step(info, labeled=False)
            parts.append(step_src[info.sid])
        for info in steps:
            parts.append(self.compile_step(info, labeled=True).replace(
                f"def step_{info.sid}(", f"def lstep_{info.sid}(", 1))

        # dispatch ----------------------------------------------------------
        for labeled in (False, True):
            name = "succ_labeled" if labeled else "succ"
            pre = "lstep_" if labeled else "step_"
            body = [f"def {name}(s, W, out, viol, cov):"]
            for a in model.actors:
                for pi, proc in enumerate(model.procs(a)):
                    idx = layout.pc_base[a.name] + pi
                    fns = [f"{pre}{next(x.sid for x in steps if x.actor is a and x.proc_index == pi and x.step is st)}"
                           for st in a.steps]
                    if len(fns) <= 3:
                        for j, fn in enumerate(fns):
                            kw = "if" if j == 0 else "elif"
                            body.append(f"    {kw} W[{idx}] == {j}: {fn}(s, W, out, viol, cov)")
                    else:
                        table = f"T{'L' if labeled else ''}_{a.name}_{pi}"
                        parts.append(f"{table} = ({', '.join(fns)}, None)")
                        body.append(f"    f = {table}[W[{idx}]]")
                        body.append("    if f is not None: f(s, W, out, viol, cov)")
            if len(body) == 1:
                body.append("    pass")
            parts.append("\n".join(body))
        parts.append("STEP_FNS = (" + "".join(f"step_{i.sid}, " for i in steps) + ")")

        # invariants --------------------------------------------------------
        invariants = [p for p in model.properties if isinstance(p, ir.Invariant)]
        inv_srcs = []
        for k, inv in enumerate(invariants):
            x = self.expr(inv.expr, Ctx(W="W"))
            inv_srcs.append(x.src if not x.static else repr(bool(x.val)))
            parts.append(f"def inv_{k}(W):\n    return bool({inv_srcs[-1]})")
        parts.append("INV_FNS = (" + "".join(f"inv_{k}, " for k in range(len(invariants))) + ")")

        # all done ----------------------------------------------------------
        conds = []
        for a in model.actors:
            for pi, _ in enumerate(model.procs(a)):
                conds.append(f"W[{layout.pc_base[a.name] + pi}] == {len(a.steps)}")
        parts.append("def alldone(W):\n    return " + (" and ".join(conds) if conds else "True"))

        # symmetry ----------------------------------------------------------
        n_perms = 1
        if self.symmetry:
            perms = self._permutations()
            n_perms = len(perms) + 1
            if perms:
                parts.append(self._sort_canon_source() if self.canon_method == "sort"
                             else self._canon_source(perms))

        source = "\n\n".join(parts) + "\n"
        ns = self.ns
        try:
            code = compile(source, f"<movspec {model.name}:{model.variant}>", "exec")
        except (SyntaxError, RecursionError, MemoryError) as err:  # pragma: no cover - a bug
            raise CompileError(f"generated code does not compile: {err}") from err
        exec(code, ns)

        def make_inv_all(indexes):
            srcs = [inv_srcs[i] for i in indexes]
            if not srcs:
                return None
            fsrc = "def inv_all(W):\n    return " + " and ".join(f"({s})" for s in srcs) + "\n"
            local = dict(ns)
            exec(compile(fsrc, "<movspec invariants>", "exec"), local)
            return local["inv_all"]

        init_states = self._initial_states(ns)
        return Compiled(model, self.atoms, layout, steps, self.props, invariants, init_states,
                        ns["dec"], ns["succ"], ns["succ_labeled"], list(ns["STEP_FNS"]),
                        list(ns["INV_FNS"]), make_inv_all, ns["alldone"], ns.get("canon"),
                        n_perms, source, ns, self)

    # ------------------------------------------------------------------ initial state

    def _initial_states(self, ns) -> list[int]:
        model, layout = self.model, self.layout
        W = [None] * len(layout.leaves)
        src = ["def init(W):"]
        for v in model.vars:
            x = self.expr(v.init, Ctx(W="W"))
            base = layout.var_base[v.name]
            if is_composite(v.type):
                src.append(f"    _st(W, {base}, {self.const(shape(v.type))}, {x.src})")
            else:
                src.append(f"    W[{base}] = {x.src}")
        default = self.atoms.code(ir.DEFAULT_INIT)
        from .layout import default_sentinel
        for a in model.actors:
            for pi, proc in enumerate(model.procs(a)):
                ctx = Ctx(a, self.atoms.code(proc), pi, "W", {})
                for loc in a.locals:
                    base = layout.local_base[(a.name, loc.name)] + pi * layout.local_size[(a.name, loc.name)]
                    if loc.init is None:
                        if isinstance(loc.type, (ir.IntType, ir.BoolType)):
                            src.append(f"    W[{base}] = {default_sentinel(loc.type)}")
                        else:
                            src.append(f"    W[{base}] = {default}")
                        continue
                    x = self.expr(loc.init, ctx)
                    if is_composite(loc.type):
                        src.append(f"    _st(W, {base}, {self.const(shape(loc.type))}, {x.src})")
                    else:
                        src.append(f"    W[{base}] = {x.src}")
                src.append(f"    W[{layout.pc_base[a.name] + pi}] = 0")
        exec(compile("\n".join(src) + "\n", "<movspec init>", "exec"), ns)
        ns["init"](W)
        return [layout.pack(W)]


def compile_model(model: ir.Model, symmetry: bool = True, canon: str = "sort",
                  atoms_like: ir.Model | None = None) -> Compiled:
    """Compile ``model`` (see the module docstring); ``canon``: how symmetry is reduced
    (``explore.compile_sym``). ``atoms_like``: a model whose atoms get the same codes here as
    in its own compilation (a model with the same variables and steps then packs its states
    into the same ints; ``same_encoding`` says whether two compilations do)."""
    like = lower_functions(atoms_like) if atoms_like is not None else None
    return Compiler(lower_functions(model), symmetry, canon, like).compile()


def same_encoding(a: Compiled, b: Compiled) -> bool:
    """Whether ``a`` and ``b`` pack every state into the same int: the same atom codes and
    the same leaves (where each variable, local and program counter lives, and how)."""
    if a.atoms.names != b.atoms.names or len(a.layout.leaves) != len(b.layout.leaves):
        return False
    return all((x.offset, x.width, x.kind, x.root, x.path, x.bias, x.lo, x.hi, x.universe, x.digit)
               == (y.offset, y.width, y.kind, y.root, y.path, y.bias, y.lo, y.hi, y.universe, y.digit)
               for x, y in zip(a.layout.leaves, b.layout.leaves))
