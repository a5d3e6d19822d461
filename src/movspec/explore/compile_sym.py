"""Symmetry reduction for the compiled checker: ``canon(s, W)``, the least packed state of the
orbit of ``s`` under the permutations of the symmetric constant sets."""

from __future__ import annotations

from itertools import permutations, product

from ..ir import nodes as ir
from .layout import domain_keys


class SymmetryCompiler:
    """The canonicalisation source; the attributes it uses are the compiler's."""

    # ------------------------------------------------------------------ symmetry

    def _permutations(self) -> list[dict]:
        """Every non-identity permutation of the model values of the symmetric constant
        sets (all sets at once), as code -> code maps."""
        groups = [c for c in self.model.consts if c.symmetric and c.atoms and len(c.atoms) > 1]
        if not groups:
            return []
        per_group = []
        for c in groups:
            codes = [self.atoms.code(a) for a in c.atoms]
            per_group.append([dict(zip(codes, p)) for p in permutations(codes)])
        out = []
        for combo in product(*per_group):
            m = {}
            for g in combo:
                m.update(g)
            if any(k != v for k, v in m.items()):
                out.append(m)
        return out

    def _perm_value(self, v, t, m: dict):
        if isinstance(t, ir.AtomType):
            return m.get(v, v)
        if isinstance(t, ir.RecordType):
            return tuple(self._perm_value(x, f.type, m) for x, f in zip(v, t.fields))
        if isinstance(t, ir.FuncType):
            keys = domain_keys(self.atoms, t.domain)
            pos = {k: i for i, k in enumerate(keys)}
            out = [None] * len(keys)
            for k, x in zip(keys, v):
                out[pos[self._perm_value(k, t.domain, m)]] = self._perm_value(x, t.range, m)
            return tuple(out)
        if isinstance(t, ir.SetType):
            return frozenset(self._perm_value(x, t.elem, m) for x in v)
        return v

    def _canon_source(self, perms: list[dict]) -> str:
        """``canon(s, W)``: the least packed state over the orbit of ``s``. With many
        permutations, a first pass packs only the most significant leaves of each image (the
        pcs and locals); only the permutations that tie for the least top part are packed in
        full, since the least state must be among them."""
        exprs = [self._permuted_pack(p) for p in perms]
        top = min(len(self.layout.leaves), 8)
        if len(perms) < 6 or top == len(self.layout.leaves):
            return "def canon(s, W):\n    return min(s,\n" + ",\n".join("        " + e for e in exprs) + ")"
        base = self.layout.leaves[-top].offset
        keys = [self._permuted_pack(p, base) for p in perms]
        full = self.fresh("FULL")
        lines = [f"{full} = (" + "".join(f"lambda W: {e},\n    " for e in exprs) + ")",
                 "def canon(s, W):",
                 f"    k0 = s >> {base}",
                 "    ks = (" + "".join(f"{k},\n          " for k in keys) + ")",
                 "    m = min(ks)",
                 "    if k0 < m:",
                 "        return s",
                 "    best = s if k0 == m else None",
                 "    i = 0",
                 "    for k in ks:",
                 "        if k == m:",
                 f"            v = {full}[i](W)",
                 "            if best is None or v < best:",
                 "                best = v",
                 "        i += 1",
                 "    return best"]
        return "\n".join(lines)

    def _permuted_pack(self, m: dict, min_offset: int = 0) -> str:
        layout = self.layout
        index = {(l.root, l.path): l.index for l in layout.leaves}
        table = [m.get(c, c) for c in range(len(self.atoms.names))]
        ptab = self.const(tuple(table))
        terms = []
        for leaf in layout.leaves:
            path = tuple(
                step if step[0] == "f" or not (step[2] == "proc" or isinstance(step[2], ir.AtomType))
                else (step[0], m.get(step[1], step[1]), step[2])
                for step in leaf.path)
            dest = layout.leaves[index[(leaf.root, path)]]
            w = f"W[{leaf.index}]"
            if leaf.kind == "int":
                code = f"({w} - {leaf.bias})" if leaf.bias >= 0 else f"({w} + {-leaf.bias})"
            elif leaf.kind == "atom":
                code = f"{ptab}[{w}]"
            elif leaf.kind == "set":
                images = [self._perm_value(u, leaf.type.elem, m) for u in leaf.universe]
                moved = [leaf.upos[x] for x in images]
                if all(i == j for i, j in enumerate(moved)):
                    code = (f"{self.const(leaf.enc)}[{w}]" if leaf.enc is not None
                            else f"_encset({leaf.index}, {w})")
                else:
                    if leaf.enc is not None:
                        tab = []
                        for mask in range(1 << len(leaf.universe)):
                            nm = 0
                            for i in range(len(leaf.universe)):
                                if mask >> i & 1:
                                    nm |= 1 << moved[i]
                            tab.append(nm)
                        code = f"{self.const(tuple(tab))}[{self.const(leaf.enc)}[{w}]]"
                    else:
                        pm = self.const(tuple(moved))
                        code = (f"sum(1 << {pm}[i] for i in range({len(moved)}) "
                                f"if _encset({leaf.index}, {w}) >> i & 1)")
            else:
                code = w
            if dest.offset < min_offset:
                continue
            shift = dest.offset - min_offset
            terms.append(f"({code} << {shift})" if shift else f"({code})")
        return " | ".join(terms)
