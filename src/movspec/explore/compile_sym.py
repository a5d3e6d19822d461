"""Symmetry reduction for the compiled checker: ``canon(s, W)``, one representative of the
orbit of ``s`` under the permutations of the symmetric constant sets, the same for every
state of the orbit, so the distinct count is the number of reachable orbits (TLC's SYMMETRY).

Two constructions, both exact:

* ``min``: the least packed state over the whole orbit (every permutation tried; with many
  permutations, a first pass packs only the most significant leaves).
* ``sort`` (the default): each element of a symmetric set gets a *signature*, a tuple of the
  leaves that belong to it (its process's pc and locals, the entries of functions over the
  set, whether it is in a set, whether a scalar names it, how many rows of other elements name
  it), with every value that is an element of a symmetric set replaced by a marker that says
  only "this element" or "another element of set G" (so renaming elements changes no
  signature). ``canon`` is the least packed image over the permutations that put the elements
  in ascending signature order (every order of elements whose signatures tie). Signatures are
  equivariant, so that set of images is the same for every state of an orbit, and so is its
  least element: a canonical form. Usually a single permutation is packed instead of
  ``n! * m!``.
"""

from __future__ import annotations

from itertools import permutations, product

CANON_SIGNATURE_LEAVES = 64  # signatures use at most this many leaves of each kind per element

from ..ir import nodes as ir
from .domains import domain_keys


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
        if isinstance(t, ir.ListType):
            return tuple(self._perm_value(x, t.elem, m) for x in v)
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
            elif leaf.kind == "list":
                # each element renamed in place: the order of a list is not the order of codes
                moved = any(m.get(u, u) != u for u in leaf.universe)
                value = f"tuple({ptab}[x] for x in {w})" if moved else w
                code = (f"{self.const(leaf.enc)}[{value}]" if leaf.enc is not None
                        else f"_encset({leaf.index}, {value})")
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

    # ------------------------------------------------------------------ signature canon

    def _groups(self) -> list[tuple[int, list[int]]]:
        """``(group index, codes in declared order)`` of every symmetric set that can move."""
        out = []
        for c in self.model.consts:
            if c.symmetric and c.atoms and len(c.atoms) > 1:
                out.append((len(out), [self.atoms.code(a) for a in c.atoms]))
        return out

    def _signatures(self, groups) -> dict[int, str]:
        """The source of each element's signature tuple (see the module docstring)."""
        layout = self.layout
        group_of = {code: g for g, codes in groups for code in codes}
        n_atoms = len(self.atoms.names)

        def sym_keys(leaf):
            return [st[1] for st in leaf.path
                    if st[0] == "k" and (st[2] == "proc" or isinstance(st[2], ir.AtomType)) and st[1] in group_of]

        def mask_table(g, c):
            # atom code -> itself, or a negative marker for an element of a symmetric set
            return self.const(tuple(
                code if code not in group_of else
                -(1 + 2 * group_of[code]) - (1 if (group_of[code] == g and code == c) else 0)
                for code in range(n_atoms)))

        def template(leaf, key):
            return (leaf.root, tuple(("k", "*") if (st[0] == "k" and st[1] == key) else st for st in leaf.path))

        sig_src: dict[int, str] = {}
        for g, codes in groups:
            for c in codes:
                own, named, refs = [], [], {}
                for leaf in layout.leaves:
                    keys = sym_keys(leaf)
                    w = f"W[{leaf.index}]"
                    if keys == [c]:
                        if leaf.kind == "atom":
                            own.append((template(leaf, c), f"{mask_table(g, c)}[{w}]"))
                        elif leaf.kind == "set":
                            if leaf.enc is not None and not any(u in group_of for u in leaf.universe
                                                                if isinstance(u, int)):
                                own.append((template(leaf, c), f"{self.const(leaf.enc)}[{w}]"))
                        elif leaf.kind == "list":
                            # the elements' own names would change under renaming: masked
                            own.append((template(leaf, c), f"tuple({mask_table(g, c)}[x] for x in {w})"))
                        else:
                            own.append((template(leaf, c), w))
                    elif not keys:
                        if leaf.kind == "atom":
                            named.append(f"({w} == {c})")
                        elif leaf.kind == "set" and c in leaf.universe:
                            named.append(f"({c} in {w})")
                        elif leaf.kind == "list" and c in leaf.universe:
                            # where on the list c is (-1: not on it); renaming keeps positions
                            named.append(f"({w}.index({c}) if {c} in {w} else -1)")
                    elif len(keys) == 1 and leaf.kind == "atom":
                        # a row of another element that names c (page[p].lock == c): counted
                        # over all the rows of that shape, which no renaming changes
                        refs.setdefault(repr(template(leaf, keys[0])), []).append(f"({w} == {c})")
                own.sort(key=lambda x: repr(x[0]))
                counts = ["(" + " + ".join(v) + ")" for _, v in sorted(refs.items())]
                parts = ([e for _, e in own[:CANON_SIGNATURE_LEAVES]] + named[:CANON_SIGNATURE_LEAVES]
                         + counts[:CANON_SIGNATURE_LEAVES])
                sig_src[c] = "(" + "".join(p + ", " for p in parts) + ")"
        return sig_src

    def _sort_canon_source(self) -> str:
        """``canon`` by signatures (see the module docstring)."""
        groups = self._groups()
        sig_src = self._signatures(groups)
        # every permutation, numbered by the element indexes in ascending-signature order per
        # group read as one mixed-radix number (``_order_number``), with the source of its
        # packed image
        combos = list(product(*(list(permutations(range(len(codes)))) for _, codes in groups)))
        sizes = [len(codes) for _, codes in groups]
        index = {}
        images: dict[int, str] = {}
        for orders in combos:
            m = {}
            for (_, codes), order in zip(groups, orders):
                for pos, elem in enumerate(order):
                    m[codes[elem]] = codes[pos]
            k = _order_number(orders, sizes)
            index[orders] = k
            images[k] = "s" if all(a == b for a, b in m.items()) else self._permuted_pack(m)
        full = self.fresh("IMG")
        idx = self.fresh("PIDX")
        self.ns[idx] = index
        self.ns["_tied_orders"] = _tied_orders_fn()
        lines = [f"{full} = {{" + "".join(f"{k}: lambda s, W: {e},\n    " for k, e in images.items()) + "}",
                 "def canon(s, W):"]
        number, weight = [], 1
        for g, codes in reversed(groups):
            for pos in reversed(range(len(codes))):
                number.append(f"o{g}[{pos}]" + (f" * {weight}" if weight != 1 else ""))
                weight *= len(codes)
        untied = []
        for g, codes in groups:
            lines.append(f"    a{g} = (" + "".join(f"{sig_src[c]}, " for c in codes) + ")")
            lines.append(f"    o{g} = sorted(range({len(codes)}), key=a{g}.__getitem__)")
            # sorted, so equal signatures are neighbours
            untied += [f"a{g}[o{g}[{i}]] != a{g}[o{g}[{i + 1}]]" for i in range(len(codes) - 1)]
        lines += [f"    if {' and '.join(untied)}:",
                  f"        return {full}[{' + '.join(reversed(number))}](s, W)",
                  "    best = None",
                  f"    for key in _tied_orders(({''.join(f'(a{g}, o{g}), ' for g, _ in groups)})):",
                  f"        v = {full}[{idx}[key]](s, W)",
                  "        if best is None or v < best:",
                  "            best = v",
                  "    return best"]
        return "\n".join(lines)


def _order_number(orders: tuple, sizes: list[int]) -> int:
    """The per-group element orders read as one mixed-radix number: each position of each
    group a digit of base that group's size, the last group's last position the lowest."""
    k = 0
    for order, n in zip(orders, sizes):
        for elem in order:
            k = k * n + elem
    return k


def _tied_orders_fn():
    """``tied(groups)``: every tuple of per-group element orders consistent with ascending
    signatures (elements whose signatures tie may come in any order among themselves).
    ``groups``: per group, the signatures and the element indexes sorted by them. The answer
    depends only on the sorted order and on which neighbours tie, so it is cached on that."""
    cache: dict = {}

    def tied(groups):
        key = tuple((tuple(order), tuple(sigs[order[i]] == sigs[order[i + 1]] for i in range(len(order) - 1)))
                    for sigs, order in groups)
        hit = cache.get(key)
        if hit is None:
            hit = cache[key] = list(product(*(_orders(order, eq) for order, eq in key)))
        return hit

    return tied


def _orders(order: tuple, eq: tuple) -> list[tuple]:
    out = [()]
    i = 0
    while i < len(order):
        j = i
        while j < len(eq) and eq[j]:
            j += 1
        block = order[i:j + 1]
        out = [pre + p for pre in out for p in permutations(block)] if len(block) > 1 else \
            [pre + block for pre in out]
        i = j + 1
    return out
