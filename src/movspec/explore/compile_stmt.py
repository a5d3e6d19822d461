"""Statements -> Python source (the statement half of ``explore.compile.Compiler``): one
function per step and process that appends the step's successors."""

from __future__ import annotations

from ..ir import nodes as ir
from ..ir.walk import state_key, walk
from .codegen import UNROLL_MAX, Ctx, StepInfo, X, _has_control, _has_write, _Path, _St
from .domains import CompileError, is_composite, shape


class StmtCompiler:
    """Compiles steps; the attributes it uses are the compiler's (see ``ExprCompiler``)."""

    # ------------------------------------------------------------------ statements

    def compile_step(self, info: StepInfo, labeled: bool) -> str:
        a = info.actor
        ctx = Ctx(a, self.atoms.code(info.proc), info.proc_index, "W0", {})
        self._pc_leaf = self.layout.pc_base[a.name] + info.proc_index
        self._step_index = next(i for i, s in enumerate(a.steps) if s is info.step)
        self._sid = info.sid
        self._labeled = labeled
        self._actor = a
        lines = [f"def step_{info.sid}(s, W0, out, viol, cov):",
                 f"    # {a.name}({info.proc}).{info.step.name}"]
        st = _St("W0", "d0", False, True)
        lines.append("    d0 = 0")
        self._seq(tuple(info.step.body), st, ctx, 1, lines)
        return "\n".join(lines)

    def _emit(self, lines, ind, text):
        lines.append("    " * ind + text)

    def _seq(self, stmts: tuple, st: _St, ctx: Ctx, ind: int, lines: list) -> None:
        if not stmts:
            nxt = self._step_index + 1
            self._finish(nxt, st, ind, lines)
            return
        s, rest = stmts[0], stmts[1:]
        ctx = Ctx(ctx.actor, ctx.self_code, ctx.proc_index, st.W, ctx.bound, ctx.unroll)
        if isinstance(s, ir.Skip):
            self._seq(rest, st, ctx, ind, lines)
        elif isinstance(s, ir.Assign):
            self._assign(s, st, ctx, ind, lines, rest)
            self._seq(rest, st, ctx, ind, lines)
        elif isinstance(s, (ir.Assert, ir.Call)):
            if isinstance(s, ir.Assert):
                c = self.expr(s.cond, ctx)
                msg = s.message
            else:
                c = self._read_path(ir.VarRef(s.loaded_var), ctx)
                msg = s.message
            pi = self.prop_index(s.prop)
            rec = f"viol.append(({pi}, {self._sid}, {self.const(msg)}))"
            if c.static:
                if not c.val:
                    self._emit(lines, ind, rec)
            else:
                self._emit(lines, ind, f"if not {c.src}:")
                self._emit(lines, ind + 1, rec)
            self._seq(rest, st, ctx, ind, lines)
        elif isinstance(s, ir.Await):
            c = self.expr(s.cond, ctx)
            if c.static:
                if c.val:
                    self._seq(rest, st, ctx, ind, lines)
                return
            if st.straight:
                self._emit(lines, ind, f"if not {c.src}:")
                self._emit(lines, ind + 1, "return")
                self._seq(rest, st, ctx, ind, lines)
            else:
                self._emit(lines, ind, f"if {c.src}:")
                self._body(rest, _St(st.W, st.d, st.private, False), ctx, ind + 1, lines)
        elif isinstance(s, ir.Goto):
            if s.target == ir.DONE:
                target = len(self._actor.steps)
            else:
                target = next((i for i, x in enumerate(self._actor.steps) if x.name == s.target), None)
                if target is None:
                    raise CompileError(f"goto to unknown step {s.target} in actor {self._actor.name}")
            self._finish(target, st, ind, lines)
        elif isinstance(s, ir.If):
            c = self.expr(s.cond, ctx)
            if c.static:
                self._seq(tuple(s.then if c.val else s.orelse) + rest, st, ctx, ind, lines)
                return
            if not _has_control(s.then) and not _has_control(s.orelse):
                if not st.private and (_has_write(s.then) or _has_write(s.orelse)):
                    self._make_private(st, ind, lines)
                    ctx = Ctx(ctx.actor, ctx.self_code, ctx.proc_index, st.W, ctx.bound, ctx.unroll)
                self._emit(lines, ind, f"if {c.src}:")
                self._block(s.then, st, ctx, ind + 1, lines)
                if s.orelse:
                    self._emit(lines, ind, "else:")
                    self._block(s.orelse, st, ctx, ind + 1, lines)
                self._seq(rest, st, ctx, ind, lines)
                return
            self._emit(lines, ind, f"if {c.src}:")
            self._body(tuple(s.then) + rest, _St(st.W, st.d, st.private, st.straight), ctx, ind + 1, lines)
            self._emit(lines, ind, "else:")
            self._body(tuple(s.orelse) + rest, _St(st.W, st.d, st.private, st.straight), ctx, ind + 1, lines)
        elif isinstance(s, ir.Either):
            for branch in s.branches:
                sub = self._fork(st, ind, lines)
                self._seq(tuple(branch) + rest, sub, ctx, ind, lines)
        elif isinstance(s, ir.With):
            dom = self.expr(s.domain, ctx)
            et = self._elem_type(dom.type)
            var = self.fresh("w")
            if dom.static:
                src = self.const(tuple(self._static_elems(dom)))
            else:
                src = dom.src
            self._emit(lines, ind, f"for {var} in {src}:")
            sub = self._fork(st, ind + 1, lines)
            ctx2 = ctx.with_bound(s.var, X(var, et), UNROLL_MAX)
            self._body(tuple(s.body) + rest, sub, ctx2, ind + 1, lines)
        else:
            raise CompileError(f"the builtin checker does not support statement {type(s).__name__}")

    def _body(self, stmts: tuple, st: _St, ctx: Ctx, ind: int, lines: list) -> None:
        """``_seq`` as the body of a compound statement (never empty)."""
        start = len(lines)
        self._seq(stmts, st, ctx, ind, lines)
        if len(lines) == start:
            self._emit(lines, ind, "pass")

    def _block(self, stmts, st: _St, ctx: Ctx, ind: int, lines: list) -> None:
        """Straight-line statements (no control transfer) inside a simple ``if``."""
        start = len(lines)
        for s in stmts:
            ctx = Ctx(ctx.actor, ctx.self_code, ctx.proc_index, st.W, ctx.bound, ctx.unroll)
            if isinstance(s, ir.Skip):
                continue
            if isinstance(s, ir.Assign):
                self._assign(s, st, ctx, ind, lines)
            elif isinstance(s, (ir.Assert, ir.Call)):
                c = (self.expr(s.cond, ctx) if isinstance(s, ir.Assert)
                     else self._read_path(ir.VarRef(s.loaded_var), ctx))
                rec = f"viol.append(({self.prop_index(s.prop)}, {self._sid}, {self.const(s.message)}))"
                if c.static:
                    if not c.val:
                        self._emit(lines, ind, rec)
                else:
                    self._emit(lines, ind, f"if not {c.src}:")
                    self._emit(lines, ind + 1, rec)
            elif isinstance(s, ir.If):
                c = self.expr(s.cond, ctx)
                if c.static:
                    self._block(s.then if c.val else s.orelse, st, ctx, ind, lines)
                    continue
                self._emit(lines, ind, f"if {c.src}:")
                self._block(s.then, st, ctx, ind + 1, lines)
                if s.orelse:
                    self._emit(lines, ind, "else:")
                    self._block(s.orelse, st, ctx, ind + 1, lines)
            else:
                raise CompileError(f"unexpected {type(s).__name__} in a straight block")
        if len(lines) == start:
            self._emit(lines, ind, "pass")

    def _fork(self, st: _St, ind: int, lines: list) -> _St:
        d = self.fresh("d")
        self._emit(lines, ind, f"{d} = {st.d}")
        return _St(st.W, d, False, False)

    def _make_private(self, st: _St, ind: int, lines: list) -> None:
        w = self.fresh("W")
        self._emit(lines, ind, f"{w} = {st.W}.copy()")
        st.W = w
        st.private = True

    def _assign(self, s: ir.Assign, st: _St, ctx: Ctx, ind: int, lines: list, rest=None) -> None:
        p = self.path(s.target, ctx)
        if p is None:
            raise CompileError("assignment to something that is not a variable or local")
        val = self.expr(s.value, ctx)
        if (rest is not None and not is_composite(p.type) and s.op == "="
                and (ir.state_root(s.target) or "") not in self._roots(rest)):
            # nothing later on this path reads this variable: the write only changes the
            # packed successor (no copy of the leaf list, no store)
            self._delta_only(p, val, st, ind, lines)
            return
        if not st.private:
            self._make_private(st, ind, lines)
            ctx = Ctx(ctx.actor, ctx.self_code, ctx.proc_index, st.W, ctx.bound, ctx.unroll)
            # the value was compiled against the old list name; both hold equal contents here
        W = st.W
        if p.terms:
            i = self.fresh("i")
            self._emit(lines, ind, f"{i} = {p.src()}")
            off = f"OFF[{i}]"
        else:
            i = str(p.base)
            off = str(self.layout.leaves[p.base].offset)
        leaf = self.layout.leaves[p.base]
        if is_composite(p.type):
            if s.op != "=":
                raise CompileError(f"`{s.op}` on a record or function")
            self._emit(lines, ind, f"{st.d} += _wr({W}, {i}, {self.const(shape(p.type))}, {val.src})")
            return
        v = self.fresh("v")
        if s.op == "=":
            self._emit(lines, ind, f"{v} = {val.src}")
        elif s.op in ("+=", "-="):
            self._emit(lines, ind, f"{v} = {W}[{i}] {s.op[0]} {val.src}")
        else:
            raise CompileError(f"unknown assignment operator {s.op}")
        if leaf.kind == "int" and not (s.op == "=" and val.static and leaf.lo <= val.val <= leaf.hi):
            self._emit(lines, ind, f"if not {leaf.lo} <= {v} <= {leaf.hi}: _ovf({i}, {v})")
        self._emit_delta(leaf, i, off, v, st, ind, lines)
        self._emit(lines, ind, f"{W}[{i}] = {v}")

    def _emit_delta(self, leaf, i: str, off: str, v: str, st: _St, ind: int, lines: list) -> None:
        """Add the change of leaf ``i`` (at bit offset ``off``) to value ``v`` to the packed
        successor's delta ``st.d``, before ``W[i]`` itself is updated."""
        W = st.W
        if leaf.kind in ("set", "list"):
            if leaf.enc is not None:
                enc = self.const(leaf.enc)
                self._emit(lines, ind, f"{st.d} += ({enc}[{v}] - {enc}[{W}[{i}]]) << {off}")
            else:
                self._emit(lines, ind, f"{st.d} += (_encset({i}, {v}) - _encset({i}, {W}[{i}])) << {off}")
        else:
            self._emit(lines, ind, f"{st.d} += ({v} - {W}[{i}]) << {off}")

    def _delta_only(self, p: _Path, val: X, st: _St, ind: int, lines: list) -> None:
        leaf = self.layout.leaves[p.base]
        if p.terms:
            i = self.fresh("i")
            self._emit(lines, ind, f"{i} = {p.src()}")
            off = f"OFF[{i}]"
        else:
            i = str(p.base)
            off = str(leaf.offset)
        v = self.fresh("v")
        self._emit(lines, ind, f"{v} = {val.src}")
        if leaf.kind == "int" and not (val.static and leaf.lo <= val.val <= leaf.hi):
            self._emit(lines, ind, f"if not {leaf.lo} <= {v} <= {leaf.hi}: _ovf({i}, {v})")
        self._emit_delta(leaf, i, off, v, st, ind, lines)

    def _finish(self, target: int, st: _St, ind: int, lines: list) -> None:
        pc_off = self.layout.leaves[self._pc_leaf].offset
        k = (target - self._step_index) << pc_off
        succ = f"s + {st.d}" + (f" + {k}" if k > 0 else f" - {-k}" if k < 0 else "")
        if self._labeled:
            self._emit(lines, ind, f"out.append(({succ}, {self._sid}))")
        else:
            self._emit(lines, ind, f"out.append({succ})")
        self._emit(lines, ind, f"cov[{self._sid}] += 1")

    def _roots(self, stmts: tuple) -> frozenset:
        """Every state variable the statements read or write (module-loaded checks included)."""
        hit = self._roots_cache.get(id(stmts))
        if hit is not None and hit[0] is stmts:
            return hit[1]
        out = set()
        for n in walk(stmts):
            if isinstance(n, ir.VarRef):
                out.add(n.name)
            elif isinstance(n, ir.LocalRef):
                out.add(state_key(n.actor, n.name))
            elif isinstance(n, ir.Call):
                out.add(n.loaded_var)
        res = frozenset(out)
        self._roots_cache[id(stmts)] = (stmts, res)
        return res
