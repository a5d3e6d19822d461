"""Constants set from the command line (``--const Pages=3``, ``--const MaxRef=4``).

Contract: ``parse_override("Pages=3")`` reads one ``NAME=VALUE`` (a size, an integer or an
explicit set ``{P1, P2, P3}``) and raises ``OverrideError`` on bad syntax. ``apply_override``
turns a constant's declaration into the overridden one, keeping its span (so that a finding
caused by the new value points at the declaration) and its ``symmetric`` mark:

- a constant set and a size ``n``: the first ``n`` model values of the declared set, and new ones
  named from its pattern (``{P1, P2}`` and 3 give ``{P1, P2, P3}``; ``{cpu0, cpu1}`` and 3 give
  ``{cpu0, cpu1, cpu2}``); names without a common ``<prefix><number>`` pattern are an error
  that says to list the set;
- a constant set and ``{a, b, c}``: exactly that set;
- an integer constant and an integer: that value (a set is an error);
- a constant and an expression over the other constants (``MaxRef=Cpus+1``: a set
  stands for its size, an integer constant for its value; ``+ - *`` and parentheses): its
  value (for a set: its size) once every other ``--const`` is applied, so that ``--const Cpus=3 --const
  MaxRef=Cpus+1`` keeps a bound that counts one reference per CPU right at every size.

The builder applies the overrides to every variant's declarations after its deltas, so the
command line wins over a variant's own ``const``; ``unknown`` names are left for the caller
to report. What the new values do to the model (a literal ``P3`` that no longer exists, a
range that a value now leaves) is found by the ordinary checks.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace

from ..diagnostics import did_you_mean
from ..dsl import ast as A

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBERED = re.compile(r"(.*?)(\d+)")


class OverrideError(ValueError):
    """A ``--const`` that cannot apply; ``hint`` says how to write it."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class Override:
    """``name`` set to ``size`` model values / the integer ``size``, to the set ``atoms``, or to
    the value of ``expr`` (an integer computed from the other constants)."""

    name: str
    size: int | None = None
    atoms: tuple[str, ...] | None = None
    expr: str | None = None

    def __str__(self) -> str:
        return f"{self.name}={self.value_text}"

    @property
    def value_text(self) -> str:
        if self.expr is not None:
            return self.expr
        return str(self.size) if self.atoms is None else "{" + ",".join(self.atoms) + "}"


def parse_value(name: str, text: str) -> Override:
    text = text.strip()
    if text.startswith("{"):
        if not text.endswith("}"):
            raise OverrideError(f"`{name}={text}`: the set is not closed", f"write {name}={{P1,P2,P3}}")
        inner = text[1:-1].strip()
        atoms = tuple(a.strip() for a in inner.split(",")) if inner else ()
        bad = [a for a in atoms if not _NAME.fullmatch(a)]
        if bad:
            raise OverrideError(f"`{name}={text}`: `{bad[0]}` is not a model value name",
                                "model values are names: letters, digits and _, not starting with a digit")
        return Override(name, atoms=atoms)
    try:
        return Override(name, size=int(text))
    except ValueError:
        pass
    try:
        _names(text)
    except OverrideError:
        raise OverrideError(f"`{name}={text}`: the value is neither an integer, a set {{...}} nor an "
                            "expression over constants",
                            f"write {name}=3 (a size or an integer), {name}={{P1,P2,P3}} or "
                            f"{name}=Cpus+1") from None
    return Override(name, expr="".join(text.split()))


def _tree(text: str) -> ast.expr:
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise OverrideError(f"`{text}` is not an expression") from None
    for node in ast.walk(tree):
        ok = isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Name, ast.Load, ast.Add, ast.Sub, ast.Mult,
                               ast.USub)) or (isinstance(node, ast.Constant) and type(node.value) is int)
        if not ok:
            raise OverrideError(f"`{text}`: only constants, integers, + - * and parentheses")
    return tree


def _names(text: str) -> set[str]:
    return {n.id for n in ast.walk(_tree(text)) if isinstance(n, ast.Name)}


def evaluate(o: Override, sizes: dict[str, int]) -> int:
    """The value of a derived ``o``; ``sizes``: each constant's size (a set) or value."""
    def ev(n: ast.expr) -> int:
        if isinstance(n, ast.Constant):
            return n.value
        if isinstance(n, ast.Name):
            if n.id not in sizes:
                raise OverrideError(f"`{o}`: the model has no constant `{n.id}`",
                                    did_you_mean(n.id, sizes) or f"its constants: {', '.join(sorted(sizes))}")
            return sizes[n.id]
        if isinstance(n, ast.UnaryOp):
            return -ev(n.operand)
        a, b = ev(n.left), ev(n.right)
        return a + b if isinstance(n.op, ast.Add) else a - b if isinstance(n.op, ast.Sub) else a * b
    return ev(_tree(o.expr))


def parse_override(text: str) -> Override:
    """``NAME=VALUE`` -> ``Override``; ``OverrideError`` on bad syntax."""
    name, eq, value = text.partition("=")
    name = name.strip()
    if not eq or not _NAME.fullmatch(name) or not value.strip():
        raise OverrideError(f"`{text}` is not NAME=VALUE", "write --const Pages=3, --const MaxRef=4 or "
                            "--const Pages={P1,P2,P3}")
    return parse_value(name, value)


def grown(atoms: tuple[str, ...], n: int, name: str) -> tuple[str, ...]:
    """The first ``n`` of ``atoms``, then new names in their pattern (``P1 P2`` -> ``P3``)."""
    if n <= len(atoms):
        return atoms[:n]
    parts = [_NUMBERED.fullmatch(a) for a in atoms]
    prefixes = {m.group(1) for m in parts if m}
    if not atoms or not all(parts) or len(prefixes) != 1:
        shown = "{" + ", ".join(atoms) + "}"
        raise OverrideError(f"cannot make {n} model values of `{name}`: its names {shown} have no common "
                            "pattern <prefix><number>",
                            f"list them: --const {name}={{{','.join(atoms + ('...',))}}}")
    prefix = prefixes.pop()
    width = len(parts[0].group(2)) if all(len(m.group(2)) == len(parts[0].group(2)) for m in parts) else 0
    taken = set(atoms)
    out = list(atoms)
    k = max(int(m.group(2)) for m in parts)
    while len(out) < n:
        k += 1
        new = f"{prefix}{k:0{width}d}" if width > 1 else f"{prefix}{k}"
        if new not in taken:
            out.append(new)
    return tuple(out)


def apply_override(d: A.ConstD, o: Override) -> A.ConstD:
    """The declaration ``d`` with ``o``'s value; ``OverrideError`` if it does not fit."""
    if d.atoms is not None:
        if o.atoms is not None:
            return replace(d, atoms=o.atoms)
        if o.size is None or o.size < 1:
            raise OverrideError(f"`{o}`: a constant set has at least one model value",
                                f"give `{d.name}` a size of 1 or more")
        return replace(d, atoms=grown(d.atoms, o.size, d.name))
    if o.atoms is not None:
        raise OverrideError(f"`{o}`: `{d.name}` is an integer constant, not a set",
                            f"give it an integer: --const {d.name}={d.value}")
    return replace(d, value=o.size)


def apply_overrides(decls: dict[str, A.ConstD], overrides) -> tuple[dict[str, A.ConstD], list[OverrideError]]:
    """``decls`` (name -> declaration) with ``overrides`` applied: values and sizes first, then
    the derived ones, each computed from the constants as they are by then (in the order
    given). Names not in ``decls`` are skipped; the errors are returned, one per name."""
    out = dict(decls)
    errors: list[OverrideError] = []
    for o in sorted(overrides, key=lambda o: o.expr is not None):
        d = out.get(o.name)
        if d is None:
            continue
        try:
            if o.expr is not None:  # a set gets that many model values (Pages=Cpus)
                sizes = {n: len(c.atoms) if c.atoms is not None else c.value for n, c in out.items()}
                o = Override(o.name, size=evaluate(o, sizes))
            out[o.name] = apply_override(d, o)
        except OverrideError as exc:
            errors.append(exc)
    return out, errors


__all__ = ["Override", "OverrideError", "apply_override", "apply_overrides", "evaluate", "grown",
           "parse_override", "parse_value"]
