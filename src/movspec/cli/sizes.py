"""Options shared by ``check`` and ``gen``: constants from the command line (``--const``), a
sweep over sizes (``--sizes``), and the result cache (``--no-cache``, ``--cache-dir``).

``--const NAME=VALUE`` (repeatable) reaches the command as a tuple of ``ir.overrides.Override``;
``--sizes Pages=2..3,Cpus=2..3`` as the list of combinations to check, each a tuple of
``Override``, smallest first (by the sum of the sizes, then in the order written), with the
derived values (``MaxRef=Cpus+1``) last. Syntax
errors are usage errors (exit 2); unknown names are reported by ``common.load_or_exit``.
"""

from __future__ import annotations

import itertools
import re

import click

from ..ir.overrides import Override, OverrideError, parse_override, parse_value
from .common import usage_error

_RANGE = re.compile(r"\s*(-?\d+)\s*(?:\.\.\s*(-?\d+)\s*)?")


def _parse_consts(ctx, param, values) -> tuple[Override, ...]:
    out: dict[str, Override] = {}
    for text in values:
        try:
            o = parse_override(text)
        except OverrideError as exc:
            usage_error(f"--const {exc}", exc.hint)
        if o.name in out:
            usage_error(f"--const gives `{o.name}` twice ({out[o.name]} and {o})", "give each constant once")
        out[o.name] = o
    return tuple(out.values())


def parse_sizes(texts) -> list[tuple[Override, ...]]:
    """``["Pages=2..3,Cpus=2"]`` -> the combinations, smallest first; ``OverrideError`` on bad syntax."""
    dims: dict[str, list[int]] = {}
    derived: list[Override] = []  # MaxRef=Cpus+1: computed at each combination
    for text in texts:
        for part in text.split(","):
            if not part.strip():
                continue
            name, eq, value = part.partition("=")
            name = name.strip()
            m = _RANGE.fullmatch(value)
            if eq and not m and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) and not value.strip().startswith("{"):
                o = parse_value(name, value)
                if o.expr is not None:
                    if name in dims or any(d.name == name for d in derived):
                        raise OverrideError(f"--sizes gives `{name}` twice", "give each constant once")
                    derived.append(o)
                    continue
            if not eq or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or not m:
                raise OverrideError(f"`{part.strip()}` is not NAME=LO..HI, NAME=N or NAME=EXPR",
                                    "write --sizes Pages=2..3,Cpus=2..3,MaxRef=Cpus+1")
            lo = int(m.group(1))
            hi = int(m.group(2)) if m.group(2) is not None else lo
            if hi < lo:
                raise OverrideError(f"`{part.strip()}`: the range is empty", f"write {name}={hi}..{lo}")
            if name in dims:
                raise OverrideError(f"--sizes gives `{name}` twice", "give each constant once")
            dims[name] = list(range(lo, hi + 1))
    combos = list(itertools.product(*dims.values()))
    combos.sort(key=sum)  # stable: the order written among equal sums
    if not dims:
        raise OverrideError("--sizes has no range to sweep", "write --sizes Pages=2..3,Cpus=2..3")
    return [tuple(Override(n, size=v) for n, v in zip(dims, c)) + tuple(derived) for c in combos]


def _parse_sizes(ctx, param, values) -> list[tuple[Override, ...]]:
    if not values:
        return []
    try:
        combos = parse_sizes(values)
    except OverrideError as exc:
        usage_error(f"--sizes: {exc}", exc.hint)
    fixed = {o.name for o in ctx.params.get("consts") or ()}
    both = [o.name for o in combos[0] if o.name in fixed]

    if both:
        usage_error(f"`{both[0]}` is given by both --const and --sizes", "give it in one of them")
    return combos


def const_options(sweep: bool):
    """``--const`` (and, with ``sweep``, ``--sizes``) on a command."""
    def deco(f):
        if sweep:
            f = click.option(
                "--sizes", "sizes", multiple=True, metavar="NAME=LO..HI,...", callback=_parse_sizes,
                help="Check every combination of these sizes (e.g. Pages=2..3,Cpus=2..3), smallest "
                     "first, and report per property the smallest sizes at which it is violated.")(f)
        return click.option(
            "--const", "consts", multiple=True, metavar="NAME=VALUE", callback=_parse_consts, is_eager=True,
            help="Set a constant for this run (repeatable): a constant set's size (Pages=3: P1, P2, P3, "
                 "named from the declared values), its values (Pages={P1,P2,P3}), or an integer "
                 "constant's value (MaxRef=4). Applies to every variant.")(f)
    return deco


def cache_options(f):
    f = click.option("--cache-dir", "cache_dir", type=click.Path(file_okay=False), metavar="DIR",
                     help="Where results are cached (default: $MOVSPEC_RESULT_CACHE, else results/ in "
                          "the user cache).")(f)
    return click.option("--no-cache", "no_cache", is_flag=True,
                        help="Check every variant afresh: do not use or update the result cache.")(f)


def open_cache(no_cache: bool, cache_dir: str | None):
    """The result cache to use, or None (``--no-cache``, or ``MOVSPEC_RESULT_CACHE=off``)."""
    import os

    from ..cache import ENV, ResultCache
    if no_cache or (cache_dir is None and os.environ.get(ENV, "").lower() in ("off", "0", "none")):
        return None
    return ResultCache(cache_dir)
