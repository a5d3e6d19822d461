"""Passes over a generated random model (``randmodels.generate``), each from an RNG of its own
so that adding one leaves every other seed's model as it was: functions, ``while`` loops,
actors that run forever, fairness marks on steps (in actors, inserted steps and ``replace``),
properties at a function's step, and initial values for atom locals."""

from __future__ import annotations

import random

from .randparts import Env, Gen, StepGen, _Builder, bool_expr, int_expr, render_block


def _set_locals(seed: int, g: Gen) -> None:
    """Most atom locals `c: Items` start with a value where `Items` is not symmetric (naming
    an element would turn the reduction off): an unset one read as an index is an evaluation
    error, which ended about one model in eight before any other check could fail. Its own
    RNG: the rest of every model stays as it was."""
    if g.sym_items:
        return
    rng = random.Random(f"setlocals{seed}")
    for a in g.actors:
        a.locals = [(n, t, rng.choice(["i1", "i2"]) if t == "Items" and init is None and rng.random() < 0.7
                     else init) for n, t, init in a.locals]


def _at_functions(seed: int, g: Gen) -> None:
    """A property naming where a process is inside a function (``a0[p] at fn0.e1``), for an
    actor that runs the function from a step no variant replaces or removes; from an RNG of
    its own."""
    rng = random.Random(f"atfunc{seed}")
    if not g.funcs or rng.random() < 0.4:
        return
    text = "\n".join(g.funcs)
    inner = {"fn1": ["fn0"] if "call fn0(" in text.split("func fn1", 1)[-1] else []}
    changed = {(d[1], d[2]) for v in g.variants for d in v.deltas if d[0] == "replace"}
    changed |= {(d[1], d[2]) for v in g.variants for d in v.deltas if d[0] == "remove"}
    sites = []  # (actor, function)
    for a in g.actors:
        for name, body in a.steps:
            for fn in ("fn0", "fn1"):
                if f"call {fn}(" in render_block(body) and (a.name, name) not in changed:
                    sites += [(a, f) for f in [fn] + inner.get(fn, [])]
    if not sites:
        return
    a, fn = rng.choice(sites)
    st = rng.choice(["e0", "e1", "{e0, e1}"])
    where = f"{fn}.{st}" if not st.startswith("{") else f"{{{fn}.e0, {fn}.e1}}"
    # or the caller's result step of `x = call fn()` (`at s.fn`), in a step with one such call
    results = [(x, name, f) for x in g.actors for name, body in x.steps for f in ("fn0", "fn1")
               if render_block(body).count(f"= call {f}(") == 1 and (x.name, name) not in changed]
    result_step = bool(results) and rng.random() < 0.35
    if result_step:
        a, name, fn = rng.choice(results)
        where = rng.choice([f"{name}.{fn}", f"{{{name}.{fn}, {name}}}"])
    who = f"{a.name}[p]" if a.family else a.name
    other = rng.choice([s for s, _ in a.steps] + ["done"])
    body = rng.choice([f"{who} at {where} => !({who} at {other})", f"!({who} at {where})",
                       f"{who} at {where} => x != 2", f"{who} at {where} => {who}.t == 0" if any(
                           n == "t" for n, _, _ in a.locals) else f"{who} at {where} || f"])
    # a leadsto beside a handler of a fair actor is refused (randirq keeps its handler off
    # fair actors only when the model already has a leadsto): an invariant then
    fair = {x.name for x in g.actors if x.fairness.strip()}
    fair_irq = any(d.startswith(f"irq tick on {n} ") for d in g.defs for n in fair)
    if rng.random() < 0.3 and not fair_irq and not result_step:
        g.props.append(("leadsto LF", (f"forall p in Procs: " if a.family else "") +
                        f"{who} at {fn}.e0 ~> {who} at {{{fn}.e1, {other}}}"))
    else:
        g.props.append(("invariant AF", (f"forall p in Procs: " if a.family else "") + body))


def _function_locals(seed: int, g: Gen) -> None:
    """An invariant that reads a function's parameter, local or pending result in a process
    that runs it (``a0[p].fn0.k0``, ``a0[p].fn1.u1``, ``a0[p].fn0.result``), often beside
    where the process is in the function. From an RNG of its own."""
    rng = random.Random(f"funclocals{seed}")
    if not g.funcs or rng.random() < 0.5:
        return
    text = "\n".join(g.funcs)
    heads = {line[5:8]: line for line in g.funcs if line.startswith("func ")}
    inner = {"fn1": ["fn0"] if "call fn0(" in text.split("func fn1", 1)[-1] else []}
    changed = {(d[1], d[2]) for v in g.variants for d in v.deltas if d[0] in ("replace", "remove")}
    sites = sorted({(a.name, f) for a in g.actors for name, body in a.steps for fn in ("fn0", "fn1")
                    if f"call {fn}(" in render_block(body) and (a.name, name) not in changed
                    for f in [fn] + inner.get(fn, [])})
    if not sites:
        return
    name, fn = rng.choice(sites)
    a = next(x for x in g.actors if x.name == name)
    who = f"{a.name}[p]" if a.family else a.name
    i = fn[-1]
    result = heads[fn].split("->")[1].strip(" {") if "->" in heads[fn] else None
    reads = [f"{who}.{fn}.k{i} == {rng.choice('012')}", f"{who}.{fn}.u{i} != {rng.choice('012')}",
             f"{who}.{fn}.k{i} <= {who}.{fn}.u{i}", f"{who}.{fn}.k{i} != x"]
    if result == "bool":
        reads += [f"{who}.{fn}.result", f"!{who}.{fn}.result || f"]
    elif result == "0..2":
        reads += [f"{who}.{fn}.result == {rng.choice('012')}", f"{who}.{fn}.result <= {who}.{fn}.k{i}"]
    read = rng.choice(reads)
    where = rng.choice([f"{fn}.e0", f"{fn}.e1", f"{{{fn}.e0, {fn}.e1}}", None])
    body = read if where is None else rng.choice([f"{who} at {where} => {read}", f"!({who} at {where}) => {read}"])
    g.props.append(("invariant FL", (f"forall p in Procs: " if a.family else "") + body))


def _step_fairness(seed: int, g: Gen) -> None:
    """Some steps of fair actors marked `unfair` (out of the actor's fairness) or, in a weakly
    fair actor, `fair+`; some steps of functions marked either way (a function's marks count in
    each fair caller). From an RNG of its own, so the rest of each seed's model is as before."""
    rng = random.Random(f"stepfair{seed}")
    for a in g.actors:
        if not a.fairness:
            continue
        for name, _ in a.steps:
            if rng.random() < 0.3:
                a.marks[name] = "unfair " if a.fairness == "fair+ " else rng.choice(["unfair ", "fair+ "])
    for i, line in enumerate(g.funcs):
        if line.startswith("    step ") and rng.random() < 0.25:
            g.funcs[i] = "    " + rng.choice(["unfair ", "fair+ "]) + line[4:]


def _inserted_fairness(seed: int, g: Gen) -> None:
    """Some steps that variants insert into fair actors marked as ``_step_fairness`` marks
    (an RNG of their own)."""
    rng = random.Random(f"insertfair{seed}")
    fair = {a.name: a.fairness for a in g.actors}
    for v in g.variants:
        for k, d in enumerate(v.deltas):
            if d[0] == "insert" and fair[d[2]] and rng.random() < 0.3:
                mark = "unfair " if fair[d[2]] == "fair+ " else rng.choice(["unfair ", "fair+ "])
                v.deltas[k] = d + (mark,)


def _replaced_fairness(seed: int, g: Gen) -> None:
    """Some steps that variants replace in fair actors given a new mark: ``unfair``, ``fair+``
    (in a weakly fair actor) or ``fair`` (no mark), from an RNG of their own."""
    rng = random.Random(f"replacefair{seed}")
    fair = {a.name: a.fairness for a in g.actors}
    for v in g.variants:
        for k, d in enumerate(v.deltas):
            if d[0] == "replace" and fair[d[1]] and rng.random() < 0.35:
                marks = ["unfair ", "fair "] + (["fair+ "] if fair[d[1]] == "fair " else [])
                v.deltas[k] = d + (rng.choice(marks),)


def _cycles(seed: int, b: _Builder, g: Gen, info) -> None:
    """Some actors made to run forever: the last step goes back to the first (more often for a
    fair actor), and then often a `leadsto` of its own, so that one can fail on a fair cycle
    and not only by stopping. From an RNG of its own."""
    rng = random.Random(f"cycles{seed}")
    fair_loop = False
    for a in g.actors:
        last = a.steps[-1][1]
        if rng.random() < (0.8 if a.fairness else 0.2) and not _ends_in_goto(last):
            last.append(("raw", f"goto {a.steps[0][0]}"))
            fair_loop |= bool(a.fairness)
    if fair_loop and rng.random() < 0.6:
        env = Env(rng, b.var_names, info, None)
        g.props.append(("leadsto L1", f"{bool_expr(env, 1)} ~> {bool_expr(env, 1)}"))


def _loops(seed: int, b: _Builder, g: Gen, info) -> None:
    """Some steps made `step s while c { ... }` (not those that call a function), from an RNG
    of their own."""
    rng = random.Random(f"loops{seed}")
    for a in g.actors:
        env = Env(rng, b.var_names, info, (a.name, a.family, {n: t for n, t, _ in a.locals}))
        for name, body in a.steps:
            if rng.random() < 0.15 and "call fn" not in render_block(body):
                a.loops[name] = bool_expr(env, 1)


# ------------------------------------------------------------------ functions


class _FuncStepGen(StepGen):
    """Statements of a function's step: `goto` among its own steps, never `goto done`."""

    def stmt(self, env, assigned, depth, tail):
        s = super().stmt(env, assigned, depth, tail)
        if s is not None and s[0] == "raw" and s[1] == "goto done":
            return ("raw", f"goto {self.rng.choice(self.steps)}")
        return s


def _ends_in_goto(body) -> bool:
    return bool(body) and body[-1][0] == "raw" and body[-1][1].startswith("goto")


def _functions(seed: int, b: _Builder, g: Gen, info, small: bool) -> None:
    """Up to two functions (`fn1` may call `fn0`) with a parameter, a local and a result of
    0..2, bool or none, called from some actor steps as their last statement. Drawn from an
    RNG of their own, so the rest of each seed's model is as before. The label rules hold by
    construction: a function's first step assigns its locals and may end in a call, its last
    step assigns only globals and ends every path with `return` (or a `goto`)."""
    rng = random.Random(f"functions{seed}")
    if rng.random() < 0.45:
        return
    funcs = []  # (name, result or None)
    for i in range(rng.randint(1, 2)):
        name, k, u = f"fn{i}", f"k{i}", f"u{i}"
        result = rng.choice(["0..2", "bool", None])
        env = Env(rng, b.var_names, info, (name, False, {k: "0..2", u: "0..2"}))
        steps = ["e0", "e1"]
        first = _FuncStepGen(rng, b, env, steps).block(env, set(), 2, 0, True)
        if funcs and not _ends_in_goto(first) and rng.random() < 0.7:
            callee, cres = rng.choice(funcs)
            call = f"call {callee}({int_expr(env)})"
            first.append(("raw", f"{u} = {call}" if cres == "0..2" else call))
        last = _FuncStepGen(rng, b, env, steps).block(env, {k, u}, 2, 0, True)
        if not _ends_in_goto(last):
            value = {"0..2": f" {int_expr(env)}", "bool": f" {bool_expr(env)}", None: ""}[result]
            if result is not None or rng.random() < 0.5:
                last.append(("raw", "return" + value))
        head = f"func {name}({k}: 0..2)" + (f" -> {result}" if result else "") + " {"
        g.funcs += [head, f"    local {u}: 0..2 = {rng.choice(['0', '1'])}",
                    f"    step e0 {{ {render_block(first)} }}", f"    step e1 {{ {render_block(last)} }}", "}"]
        funcs.append((name, result))
    # the target is more often the actor's local than the global `x` (from an RNG of its own,
    # so the draws above are as before): a call storing a local of the actor can be fused
    # (the return stores it), one storing a global keeps its result step
    frng = random.Random(f"fused{seed}")
    for a in g.actors:
        env = Env(rng, b.var_names, info, (a.name, a.family, {n: t for n, t, _ in a.locals}))
        for st in a.steps:
            if _ends_in_goto(st[1]) or rng.random() < (0.6 if small else 0.5):
                continue
            name, result = rng.choice(funcs)
            call = f"call {name}({int_expr(env)})"
            if result == "0..2" and rng.random() < 0.7:
                own = [n for n, t, _ in a.locals if t == "0..2"]
                target = rng.choice(own + ["x"])
                if target == "x" and own and frng.random() < 0.6:
                    target = own[0]
                call = f"{target} = {call}"
            elif result == "bool" and rng.random() < 0.7:
                call = f"f = {call}"
            st[1].append(("raw", call))
    # `t = call fn(..)` in a step before the actor's last, storing the actor's own local: the
    # call the return stores itself (fused), unless a property reads the result
    for a in g.actors:
        own = [n for n, t, _ in a.locals if t == "0..2"]
        ints = [n for n, r in funcs if r == "0..2"]
        first = a.steps[0][1]
        if (not own or not ints or len(a.steps) < 2 or _ends_in_goto(first) or _calls(first)
                or frng.random() < 0.4):
            continue
        env = Env(frng, b.var_names, info, (a.name, a.family, {n: t for n, t, _ in a.locals}))
        first.append(("raw", f"{own[0]} = call {frng.choice(ints)}({int_expr(env)})"))
    # an actor's last step that calls without a target, in an actor that also stores a result
    # (`x = call f()` elsewhere): the return goes to the step after, or to the end, and never
    # to the result step printed after the last step. From an RNG of its own.
    lrng = random.Random(f"lastcall{seed}")
    with_result = [(n, r) for n, r in funcs if r is not None]
    for a in g.actors:
        last = a.steps[-1][1]
        if _ends_in_goto(last) or _calls(last) or lrng.random() < 0.5:
            continue
        env = Env(lrng, b.var_names, info, (a.name, a.family, {n: t for n, t, _ in a.locals}))
        stores = any(d[0] == "raw" and " = call fn" in d[1] for _, body in a.steps for d in body)
        free = [body for _, body in a.steps[:-1] if not _ends_in_goto(body) and not _calls(body)]
        if not stores and with_result and free:
            name, result = lrng.choice(with_result)
            lrng.choice(free).append(("raw", f"{'x' if result == '0..2' else 'f'} = call {name}({int_expr(env)})"))
            stores = True
        if stores:
            last.append(("raw", f"call {lrng.choice(funcs)[0]}({int_expr(env)})"))


def _calls(body) -> bool:
    return bool(body) and body[-1][0] == "raw" and body[-1][1].split(" = ")[-1].startswith("call ")




def function_deltas(seed: int, g: Gen) -> None:
    """Variants that change a function's steps: ``replace fn.e1`` (sometimes ``as e9``, so that
    a ``goto e1`` or an ``at fn.e1`` written before it means the renamed step), ``insert after
    fn.e0 step e2``, ``remove fn.e2`` of a step an earlier variant inserted, and ``local fn.lw``.
    From an RNG of their own, after every other pass (other seeds' models are as before). The
    bodies keep the label rules of ``_functions``: the new last step assigns only globals and
    returns a value of the result type."""
    rng = random.Random(f"funcdeltas{seed}")
    heads = [line for line in g.funcs if line.startswith("func ")]
    if not heads or len(g.variants) < 2 or rng.random() < 0.4:
        return
    inserted: dict[str, str] = {}  # function -> variant that inserted its step e2
    with_local: set[str] = set()  # functions given the local `lw`
    for v in g.variants[1:]:
        head = rng.choice(heads)
        name, k = head[5:8], f"k{head[7]}"
        result = head.split("->")[1].strip(" {") if "->" in head else None
        value = {"0..2": f" ({k} + x) % 3", "bool": f" x == {k}", None: ""}[result]
        roll = rng.random()
        if roll < 0.45:
            rename = " as e9" if rng.random() < 0.4 else ""
            body = rng.choice([f"x = (x + {k}) % 3", "f = !f", "skip"])
            v.deltas.append(("raw", f"replace {name}.e1{rename} {{ {body}  return{value} }}"))
            heads.remove(head)  # its steps' names may have changed: no later delta on it
            if not heads:
                return
        elif roll < 0.8 and name not in inserted:
            body = rng.choice([f"x = {k}", "f = x == 1", "if f { x = 0 }"])
            v.deltas.append(("raw", f"insert after {name}.e0 step e2 {{ {body} }}"))
            inserted[name] = v.name
        elif name in inserted and _extends(g, v.name, inserted[name]):
            v.deltas.append(("raw", f"remove {name}.e2"))
            del inserted[name]
        elif name not in with_local:
            v.deltas.append(("raw", f"local {name}.lw: 0..2 = {rng.choice(['0', '2'])}"))
            with_local.add(name)


def _extends(g: Gen, variant: str, ancestor: str) -> bool:
    parents = {v.name: v.extends for v in g.variants}
    while variant is not None:
        if variant == ancestor:
            return True
        variant = parents.get(variant)
    return False
