"""Close names: which undeclared name is a likely misspelling of a declared one.

``close_name(a, b)``: the same but for case, or one edit apart (a letter added, dropped,
changed, or two neighbours swapped), two for names of nine letters or more; names that differ
only in their numbers (``Lock1``, ``Lock2``) are not close. ``NearNames`` finds the close names
among many without comparing the query with each.
"""

from __future__ import annotations

import re


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, with a swap of two neighbours counted as one edit."""
    prev2: list[int] | None = None
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            d = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                d = min(d, prev2[j - 2] + 1)
            cur.append(d)
        prev2, prev = prev, cur
    return prev[-1]


def _numbers_out(name: str) -> str:
    return re.sub(r"[0-9]+", "#", name.lower())


def close_name(name: str, other: str) -> bool:
    """Is ``name`` a likely misspelling of ``other``: the same but for case, or one edit
    apart (two for names of nine letters or more)? Names that differ only in their numbers
    (``Lock1``, ``Lock2``) are told apart on purpose."""
    if name == other:
        return False
    if name.lower() == other.lower():
        return True
    if _numbers_out(name) == _numbers_out(other):
        return False
    return edit_distance(name, other) <= (2 if min(len(name), len(other)) >= 9 else 1)


def _deletions(name: str, k: int) -> set[str]:
    out = {name}
    for _ in range(k):
        out |= {w[:i] + w[i + 1:] for w in out for i in range(len(w))}
    return out


class NearNames:
    """Names indexed by the deletion neighbourhoods (two deletions deep) of their spelling
    without case and numbers, so that the names ``close_name`` to a query are found without
    comparing it with every name (a family ``Check1`` ... ``Check900`` is one entry)."""

    def __init__(self, names):
        self.by_form: dict[str, list[str]] = {}
        self.by_lower: dict[str, list[str]] = {}
        for n in dict.fromkeys(names):
            self.by_form.setdefault(_numbers_out(n), []).append(n)
            self.by_lower.setdefault(n.lower(), []).append(n)
        self.index: dict[str, list[str]] = {}
        for form in self.by_form:
            for key in _deletions(form, 2):
                self.index.setdefault(key, []).append(form)

    def near(self, name: str) -> list[str]:
        own = _numbers_out(name)
        forms: dict[str, None] = {}
        for key in _deletions(own, 2):
            for f in self.index.get(key, ()):
                forms[f] = None
        out = [n for n in self.by_lower.get(name.lower(), ()) if n != name]
        for f in forms:
            if f != own:
                out.extend(n for n in self.by_form[f] if close_name(name, n))
        return out


def misspelt_targets(guards, asserts, calls, declared, builtin):
    """The `guards P` and `assert ... as P` targets that look like misspellings, as
    ``(span, message, hint)`` at each place that names one.

    ``guards``: ``(target, module, span)`` per module; ``asserts``: target -> spans of the
    asserts naming it; ``calls``: target -> number of calls into modules guarded by it;
    ``declared``: the declared property names in order; ``builtin``: names never reported.
    A target not declared is a misspelling when it is close to a declared property, or to
    another undeclared target used more often (as often: declared earlier)."""
    uses: dict[str, list] = {}
    module_of: dict[tuple, str] = {}
    for target, module, span in guards:
        uses.setdefault(target, []).append(span)
        module_of[(target, span)] = module
    for n, spans in asserts.items():
        uses.setdefault(n, []).extend(spans)
    known = set(declared)
    undeclared = [n for n in uses if n not in known and n not in builtin]
    if not undeclared:
        return []
    count = {n: len(asserts.get(n, ())) + calls.get(n, 0) for n in uses}
    near_declared, near_targets = NearNames(declared), NearNames(undeclared)
    order = {n: i for i, n in enumerate(uses)}
    decl_order = {n: i for i, n in enumerate(declared)}
    out = []
    for name in undeclared:
        candidates = sorted(near_declared.near(name), key=lambda d: (edit_distance(name, d), decl_order[d]))
        if not candidates:
            candidates = sorted((o for o in near_targets.near(name)
                                 if (count[o], -order[o]) > (count[name], -order[name])),
                                key=lambda o: (edit_distance(name, o), order[o]))
        if not candidates:
            continue
        best = candidates[0]
        kind = ("a declared property" if best in known else
                f"checked at {count[best]} other place{'s' if count[best] != 1 else ''}")
        for sp in dict.fromkeys(uses[name]):
            module = module_of.get((name, sp))
            what = f"`guards {name}` of module `{module}`" if module else f"`as {name}`"
            out.append((sp, f"{what} names no declared property; `{best}` is {kind}",
                        f"did you mean `{best}`? (if `{name}` is a new property, declare it: "
                        f"`assertion {name} \"...\"`)"))
    return out


__all__ = ["NearNames", "close_name", "edit_distance", "misspelt_targets"]
