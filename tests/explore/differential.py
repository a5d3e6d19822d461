"""Differential testing: the builtin checker against the reference interpreter and TLC, on
the random models of ``randmodels``, with a shrinker for the models they disagree on.

``ref_disagreements(model, symmetry)`` and ``tlc_disagreements(ours, theirs, model)`` return
the list of differences (empty when the two agree); ``shrink(gen, still_fails)`` cuts a
failing ``Gen`` down (variants, deltas, actors, steps, statements, properties, locals) while
``still_fails`` holds; ``replay(path)`` is what a fixture's test runs.

What is compared
----------------
* verdict per property (holds / violated / error), leadsto included;
* each ``leadsto`` counterexample of the builtin checker is a fair lasso, judged by the
  reference alone (``tests/traces.lasso_problems``);
* the length of each safety counterexample (both report a shortest one);
* distinct states and depth: exactly without symmetry; with symmetry, the orbit count is at
  most the full count and equals the reference's count of orbits;
* evaluation errors: both report one, and the properties found violated before it are the
  same (violations stay found; only the still open ones are ``error``).
"""

from __future__ import annotations

from pathlib import Path

from movspec.explore import check
from movspec.explore.reference import explore
from movspec.ir import nodes as ir
from movspec.load import load_text
from movspec.result import CheckResult, Verdict

from ..traces import lasso_problems
from .randmodels import Gen

REF_LIMIT = 2000  # states; the reference is slow by design
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "explore" / "differential"


def load_gen(gen: Gen):
    """The variant models of ``gen``, or None when the front end rejects it."""
    res = load_text(gen.text(), f"rnd{gen.seed}.mspec")
    return res.models if res.ok else None


def uninitialised_range(model: ir.Model) -> bool:
    """A local or variable of an integer range type declared without an initial value (the
    semantics the lead decided: the range's low end; marked in reports until both back ends
    and the IR follow it)."""
    return any(loc.init is None and not isinstance(loc.type, ir.AtomType)
               for a in model.actors for loc in a.locals)


def _verdicts(res: CheckResult) -> dict:
    return {p.name: p.verdict for p in res.properties}


def _lengths(res: CheckResult) -> dict:
    return {p.name: len(p.trace) for p in res.properties
            if p.verdict is Verdict.VIOLATED and p.kind != "leadsto" and p.trace is not None}


def ref_disagreements(model: ir.Model, symmetry: bool, ref=None) -> list[str]:
    """How ``check(model, symmetry=...)`` differs from the reference (empty: it agrees)."""
    ref = ref if ref is not None else explore(model, symmetry=False, max_states=REF_LIMIT)
    if not ref.complete and ref.error is None:
        return []  # too big for the reference: nothing to compare
    try:
        res = check(model, symmetry=symmetry)
    except Exception as err:  # noqa: BLE001 - a crash is a disagreement like any other
        return [f"builtin crashed: {type(err).__name__}: {err}"]
    out: list[str] = []
    got = _verdicts(res)
    if ref.error is not None:
        if res.error is None and not any(v is Verdict.ERROR for v in got.values()):
            out.append(f"reference: evaluation error ({ref.error}); builtin: none, verdicts {_fmt(got)}")
            return out
        viol = {n for n, v in got.items() if v is Verdict.VIOLATED}
        if viol != set(ref.violated):
            out.append(f"evaluation error: violated before it: builtin {sorted(viol)}, reference "
                       f"{sorted(ref.violated)}")
        # the open properties are errors, leadsto included (TLC's stop decides it the same way)
        open_ = {n: v.value for n, v in got.items() if n not in viol and v is not Verdict.ERROR}
        if open_:
            out.append(f"evaluation error: still open properties not error: {open_}")
        return out
    if res.error is not None:
        return [f"builtin error: {res.error}; reference: none"]
    if not res.complete:
        return [f"builtin incomplete: {res.reason}"]
    want = {}
    for name in model.property_names:
        kind = model.property_kind(name)
        if kind == "leadsto":
            want[name] = Verdict.VIOLATED if ref.leadsto.get(name) else Verdict.HOLDS
        else:
            want[name] = Verdict.VIOLATED if name in ref.violated else Verdict.HOLDS
    for name, v in want.items():
        if got.get(name) is not v:
            out.append(f"{name}: builtin {got.get(name) and got[name].value}, reference {v.value}")
    for prop in model.properties:
        if isinstance(prop, ir.LeadsTo) and got.get(prop.name) is Verdict.VIOLATED:
            out += lasso_problems(model, prop, res)
    lens = _lengths(res)
    for name, n in ref.violated.items():
        if name in lens and lens[name] != n:
            out.append(f"{name}: counterexample of {lens[name]} rows, reference {n}")
    if not (symmetry and res.symmetry) or names_symmetric_atom(model):
        # no reduction (asked for none, none possible, or turned off because the model names
        # an element of a symmetric set): the full state space
        if (res.stats.distinct, res.stats.depth) != (ref.distinct, ref.depth):
            out.append(f"distinct/depth: builtin {res.stats.distinct}/{res.stats.depth}, "
                       f"reference {ref.distinct}/{ref.depth}")
    else:
        if res.stats.distinct > ref.distinct:
            out.append(f"orbits {res.stats.distinct} > full count {ref.distinct}")
        orbits = ref.orbits(model)
        if res.stats.distinct != orbits:
            out.append(f"orbits: builtin {res.stats.distinct}, reference {orbits}")
    return out


def names_symmetric_atom(model: ir.Model) -> bool:
    """Whether a step, property or initial value names an element of a symmetric set."""
    sym = {a for c in model.consts if c.symmetric and c.atoms for a in c.atoms}
    if not sym:
        return False
    found = False

    def walk(x):
        nonlocal found
        if found:
            return
        if isinstance(x, ir.AtomLit):
            if x.kind == "model" and x.name in sym:
                found = True
            return
        if isinstance(x, (tuple, list)):
            for y in x:
                walk(y)
            return
        if hasattr(x, "__dataclass_fields__") and not isinstance(x, ir.Const):
            for f in x.__dataclass_fields__:
                if f != "span":
                    walk(getattr(x, f))

    walk((model.vars, model.actors, model.properties))
    return found


def tlc_disagreements(ours: CheckResult, theirs: CheckResult, model: ir.Model | None = None) -> list[str]:
    """How the builtin result differs from TLC's on the same model and symmetry setting. Given
    the model, each ``leadsto`` counterexample of either is also judged as a fair lasso by the
    reference (TLC's as movspec read it back: a wrong loop or a lost step shows here)."""
    out: list[str] = []
    if model is not None:
        for prop in model.properties:
            if not isinstance(prop, ir.LeadsTo):
                continue
            for who, res in (("builtin", ours), ("tlc", theirs)):
                got = res.property(prop.name)
                if got is not None and got.verdict is Verdict.VIOLATED:
                    out += [f"{who} lasso: {p}" for p in lasso_problems(model, prop, res)]
    a, b = _verdicts(ours), _verdicts(theirs)
    if ours.error is not None or theirs.error is not None:
        ea = {n for n, v in a.items() if v is Verdict.ERROR}
        eb = {n for n, v in b.items() if v is Verdict.ERROR}
        if bool(ea) != bool(eb):
            out.append(f"error: builtin {ours.error!r}, tlc {theirs.error!r}")
            return out
        # which violations are found before the error depends on the order in which a state's
        # steps are tried (TLC's is that of the translated Next): only those shorter than
        # both error traces are found whatever the order
        depth = min(_error_depth(ours), _error_depth(theirs))
        va, vb = _violated(ours), _violated(theirs)
        early = {n for n, k in list(va.items()) + list(vb.items()) if k < depth}
        if any((n in va) != (n in vb) for n in early):
            out.append(f"evaluation error: violated before it differ: builtin {_fmt(a)}, tlc {_fmt(b)}")
        return out
    if not (ours.complete and theirs.complete):
        return [f"incomplete: builtin {ours.reason}, tlc {theirs.reason}"]
    for name in sorted(set(a) | set(b)):
        if a.get(name) is not b.get(name):
            out.append(f"{name}: builtin {a.get(name) and a[name].value}, tlc {b.get(name) and b[name].value}")
    la, lb = _lengths(ours), _lengths(theirs)
    for name in sorted(set(la) & set(lb)):
        if la[name] != lb[name]:
            out.append(f"{name}: counterexample of {la[name]} rows, tlc {lb[name]}")
    if (ours.stats.distinct, ours.stats.depth) != (theirs.stats.distinct, theirs.stats.depth):
        out.append(f"distinct/depth: builtin {ours.stats.distinct}/{ours.stats.depth}, "
                   f"tlc {theirs.stats.distinct}/{theirs.stats.depth}")
    if ours.symmetry != theirs.symmetry:
        out.append(f"symmetry: builtin {ours.symmetry}, tlc {theirs.symmetry}")
    return out


def _error_depth(res: CheckResult) -> int:
    """The length of the trace to the evaluation error (0 when not known)."""
    return min((len(p.trace) for p in res.properties if p.verdict is Verdict.ERROR and p.trace), default=0)


def _violated(res: CheckResult) -> dict:
    return {p.name: (len(p.trace) if p.trace else 0) for p in res.properties if p.verdict is Verdict.VIOLATED}


def _fmt(verdicts: dict) -> str:
    return ", ".join(f"{n}={v.value}" for n, v in verdicts.items())


# ------------------------------------------------------------------ shrinking


def _stmt_paths(stmts, prefix=()):
    """Paths to every statement of a block, nested ones included (deepest last)."""
    for i, s in enumerate(stmts):
        yield prefix + (i,)
        if s[0] == "if":
            yield from _stmt_paths(s[2], prefix + (i, 2))
            yield from _stmt_paths(s[3], prefix + (i, 3))
        elif s[0] == "either":
            for b, br in enumerate(s[1]):
                yield from _stmt_paths(br, prefix + (i, 1, b))
        elif s[0] == "any":
            yield from _stmt_paths(s[3], prefix + (i, 3))


def _drop_at(stmts, path):
    stmts = list(stmts)
    if len(path) == 1:
        del stmts[path[0]]
        return stmts
    i, rest = path[0], path[1:]
    s = list(stmts[i])
    if s[0] == "either":
        branches = list(s[1])
        branches[rest[1]] = _drop_at(branches[rest[1]], rest[2:])
        s[1] = branches
    else:
        s[rest[0]] = _drop_at(s[rest[0]], rest[1:])
    stmts[i] = tuple(s)
    return stmts


def _candidates(g: Gen):
    """Smaller versions of ``g``, biggest cuts first."""
    for i in range(len(g.variants) - 1, 0, -1):
        c = g.clone()
        del c.variants[i]
        yield c
    for vi, v in enumerate(g.variants):
        for di in range(len(v.deltas)):
            c = g.clone()
            del c.variants[vi].deltas[di]
            yield c
    for ai in range(len(g.actors)):
        c = g.clone()
        del c.actors[ai]
        yield c
    for i in range(len(g.props)):
        c = g.clone()
        del c.props[i]
        yield c
    for ai, a in enumerate(g.actors):
        for si in range(len(a.steps)):
            c = g.clone()
            del c.actors[ai].steps[si]
            yield c
        for li in range(len(a.locals)):
            c = g.clone()
            del c.actors[ai].locals[li]
            yield c
        for si, (_, body) in enumerate(a.steps):
            for path in list(_stmt_paths(body)):
                c = g.clone()
                c.actors[ai].steps[si][1] = _drop_at(body, path)
                yield c
    for vi, v in enumerate(g.variants):
        for di, d in enumerate(v.deltas):
            body_at = {"replace": 3, "insert": 5}.get(d[0])
            if body_at is None:
                continue
            for path in list(_stmt_paths(d[body_at])):
                c = g.clone()
                nd = list(d)
                nd[body_at] = _drop_at(d[body_at], path)
                c.variants[vi].deltas[di] = tuple(nd)
                yield c
    for attr in ("sym_procs", "sym_items", "allow_deadlock"):
        if getattr(g, attr):
            c = g.clone()
            setattr(c, attr, False)
            yield c
    if g.nprocs > 2:
        c = g.clone()
        c.nprocs = 2
        yield c
    for i in range(len(g.vars)):
        c = g.clone()
        del c.vars[i]
        yield c
    for name in ("macros", "defs"):
        for i in range(len(getattr(g, name))):
            c = g.clone()
            del getattr(c, name)[i]
            yield c


def shrink(g: Gen, still_fails, max_rounds: int = 400) -> Gen:
    """Greedy: take the first smaller candidate that loads and still fails, until none does."""
    rounds = 0
    progress = True
    while progress and rounds < max_rounds:
        progress = False
        for c in _candidates(g):
            rounds += 1
            models = load_gen(c)
            if models and still_fails(c, models):
                g = c
                progress = True
                break
    return g


def write_fixture(g: Gen, name: str, note: str) -> Path:
    """Keep a shrunk case as ``tests/fixtures/explore/differential/<name>.mspec``."""
    FIXTURES.mkdir(parents=True, exist_ok=True)
    path = FIXTURES / f"{name}.mspec"
    comment = "".join(f"// {line}\n" for line in note.splitlines())
    path.write_text(comment + g.text())
    return path
