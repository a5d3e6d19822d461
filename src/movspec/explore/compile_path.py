"""Domains, type membership and state paths -> Python source (part of
``explore.compile.Compiler``, under ``compile_expr``).

A state path (``codegen._Path``) is the position of a variable's, a local's, a field's or a
function entry's leaves in the decoded state ``W``: a constant base plus index terms computed
at run time. ``intype``/``member`` compile ``x \\in T`` (``TypeOK``) on those leaves."""

from __future__ import annotations

from ..ir import nodes as ir
from .codegen import X, _describe, _key_lit, _make_checker, _Path
from .domains import (CompileError, all_values, domain_keys, field_offset,
                      is_composite, is_flat, leaf_count, shape)


class PathCompiler:
    """Domains, membership and state paths; ``expr`` (an index, a process) is ``ExprCompiler``'s,
    the other attributes are the compiler's."""

    def _elem_type(self, t):
        if isinstance(t, ir.SetType):
            return t.elem
        raise CompileError(f"expected a set, found a value of type {t}")

    def pos_table(self, dom_type) -> str:
        """A table from an internal key of ``dom_type`` to its position in the domain."""
        keys = domain_keys(self.atoms, dom_type)
        k = ("pos", keys)
        if k not in self._pos_tables:
            if isinstance(dom_type, ir.AtomType):
                n = max(len(self.atoms.names), (max(keys) + 1) if keys else 0)
                table = [None] * n
                for i, x in enumerate(keys):
                    table[int(x)] = i
                self._pos_tables[k] = self.const(tuple(table))
            else:
                self._pos_tables[k] = self.const({x: i for i, x in enumerate(keys)})
        return self._pos_tables[k]

    def key_pos(self, dom_type, x: X, what: str) -> X:
        """The position of key ``x`` in the domain ``dom_type``. A key outside the domain
        fails at run time: a ``None`` from the table breaks the index arithmetic (TypeError)
        or the dict lookup raises KeyError; the search reports either as an evaluation error."""
        keys = domain_keys(self.atoms, dom_type)
        if x.static:
            for i, kk in enumerate(keys):
                if kk == x.val:
                    return X(str(i), ir.IntType(i, i), i)
            return X(f"_dom({x.src}, {self.pos_table(dom_type)}, {what!r})", ir.IntType(0, 0))
        return X(f"{self.pos_table(dom_type)}[{x.src}]", ir.IntType(0, len(keys) - 1))

    def _pc_index(self, a: ir.Actor, proc, ctx) -> str:
        base = self.layout.pc_base[a.name]
        if proc is None:
            if ctx.actor is not None and ctx.actor.name == a.name and ctx.proc_index is not None:
                return str(base + ctx.proc_index)
            if a.proc_set is None:
                return str(base)
            raise CompileError(f"`at` on actor family {a.name} needs a process")
        px = self.expr(proc, ctx)
        dt = ir.AtomType(self.model.procs(a), a.proc_set)
        pos = self.key_pos(dt, px, f"{a.name}[...]")
        if pos.static:
            return str(base + pos.val)
        return f"{base} + {pos.src}"

    def intype(self, expr, t, ctx) -> X:
        p = self.path(expr, ctx)
        if p is not None and not p.terms and is_composite(t):
            parts = []
            if isinstance(t, ir.RecordType):
                if not isinstance(p.type, ir.RecordType):
                    return X("False", ir.BoolType(), False)
                for f in t.fields:
                    parts.append(self.intype(ir.Field(expr, f.name), f.type, ctx))
            else:
                if not isinstance(p.type, ir.FuncType):
                    return X("False", ir.BoolType(), False)
                if domain_keys(self.atoms, p.type.domain) != domain_keys(self.atoms, t.domain):
                    return X("False", ir.BoolType(), False)
                for k in domain_keys(self.atoms, t.domain):
                    parts.append(self.intype(ir.Index(expr, _key_lit(self.atoms, k, t.domain)), t.range, ctx))
            srcs = [x.src for x in parts if not x.static]
            if any(x.static and not x.val for x in parts):
                return X("False", ir.BoolType(), False)
            if not srcs:
                return X("True", ir.BoolType(), True)
            return X("(" + " and ".join(srcs) + ")", ir.BoolType())
        if p is not None and not p.terms and isinstance(t, ir.BoolType) and isinstance(p.type, ir.BoolType):
            leaf = self.layout.leaves[p.base]
            if leaf.kind == "bool" and leaf.width == 1:
                # a one-bit leaf holds false or true and nothing else
                return X("True", ir.BoolType(), True)
        x = self.expr(expr, ctx)
        return self.member(x, t)

    def member(self, x: X, t) -> X:
        if isinstance(t, ir.BoolType):
            return X(f"({x.src} in (0, 1))", ir.BoolType(), safe=x.pure)
        if isinstance(t, ir.IntType):
            return X(f"({t.lo} <= {x.src} <= {t.hi})", ir.BoolType(), safe=x.pure)
        if isinstance(t, ir.AtomType):
            codes = frozenset(self.atoms.code(a) for a in t.atoms)
            return X(f"({x.src} in {self.const(codes)})", ir.BoolType(), safe=x.pure)
        if isinstance(t, ir.SetType):
            try:
                universe = frozenset(all_values(self.atoms, t.elem))
                return X(f"({x.src} <= {self.const(universe)})", ir.BoolType())
            except CompileError:
                pass
        checker = _make_checker(self.atoms, t)
        return X(f"{self.const(checker)}({x.src})", ir.BoolType())

    def path(self, e, ctx) -> _Path | None:
        if isinstance(e, ir.VarRef):
            v = self.model.var(e.name)
            if v is None:
                raise CompileError(f"unknown variable {e.name}")
            return _Path(self.layout.var_base[e.name], [], v.type)
        if isinstance(e, ir.LocalRef):
            a = self.model.actor(e.actor)
            if a is None or a.local(e.name) is None:
                raise CompileError(f"unknown local {e.actor}.{e.name}")
            loc = a.local(e.name)
            base = self.layout.local_base[(a.name, e.name)]
            size = self.layout.local_size[(a.name, e.name)]
            if e.proc is None:
                if ctx.actor is None or ctx.actor.name != a.name:
                    if a.proc_set is None:
                        return _Path(base, [], loc.type)
                    raise CompileError(f"local {e.actor}.{e.name} read without a process")
                return _Path(base + ctx.proc_index * size, [], loc.type)
            px = self.expr(e.proc, ctx)
            pos = self.key_pos(ir.AtomType(self.model.procs(a), a.proc_set), px, f"{a.name}[...]")
            if pos.static:
                return _Path(base + pos.val * size, [], loc.type)
            return _Path(base, [f"{pos.src} * {size}" if size != 1 else pos.src], loc.type)
        if isinstance(e, ir.Field):
            p = self.path(e.base, ctx)
            if p is None:
                return None
            if not isinstance(p.type, ir.RecordType):
                raise CompileError(f"field .{e.name} of a non-record value of type {p.type}")
            off, ft = field_offset(p.type, e.name)
            return _Path(p.base + off, p.terms, ft)
        if isinstance(e, ir.Index):
            p = self.path(e.base, ctx)
            if p is None:
                return None
            if not isinstance(p.type, ir.FuncType):
                raise CompileError(f"indexing a value of type {p.type}, which is not a function")
            k = self.expr(e.index, ctx)
            stride = leaf_count(p.type.range)
            pos = self.key_pos(p.type.domain, k, _describe(e.base))
            if pos.static:
                return _Path(p.base + pos.val * stride, p.terms, p.type.range)
            term = f"{pos.src} * {stride}" if stride != 1 else pos.src
            return _Path(p.base, p.terms + [term], p.type.range)
        return None

    def _read_path(self, e, ctx) -> X:
        return self._read(self.path(e, ctx), ctx)

    def _read(self, p: _Path, ctx) -> X:
        if not is_composite(p.type):
            return X(f"{ctx.W}[{p.src()}]", p.type, safe=not p.terms)
        sh = shape(p.type)
        n = leaf_count(p.type)
        if is_flat(sh):
            if not p.terms:
                return X(f"tuple({ctx.W}[{p.base}:{p.base + n}])", p.type)
            i = f"({p.src()})"
            return X(f"(lambda i: tuple({ctx.W}[i:i + {n}]))({i})", p.type)
        return X(f"_rd({ctx.W}, {p.src()}, {self.const(sh)})", p.type)
