"""Interrupt context in the random models (``randmodels.generate``): an ``irq`` handler of one
actor (one or two steps over ``x``, ``f``, ``s`` and a spinlock ``sl``, some ending with
``goto done``), and in that actor's steps ``local_irq_disable``/``enable``,
``local_irq_save``/``restore`` of a ``bool`` local, ``spin_lock``/``spin_unlock`` and their
``_irq`` and ``_irqsave`` forms, first in some steps. Drawn from an RNG of its own, so the rest
of each seed's model is as before."""

from __future__ import annotations

import random

TASK_OPS = ["local_irq_disable()", "local_irq_enable()", "local_irq_save(fl)", "local_irq_restore(fl)",
            "spin_lock(sl)", "spin_unlock(sl)", "spin_lock_irq(sl)", "spin_unlock_irq(sl)",
            "spin_lock_irqsave(sl, fl)", "spin_unlock_irqrestore(sl, fl)"]
SAVES = ("local_irq_save(fl)", "spin_lock_irqsave(sl, fl)")
# a handler step's statements, at most one of each group (a step assigns a variable once)
HANDLER_OPS = {"x": ["x = (x + 1) % 3"], "f": ["f = !f"],
               "s": ["s = s | {i1}", "if x == 2 { s = s \\ {i1} }", "any v6 in Items { s = s | {v6} }"],
               "sl": ["spin_lock(sl)", "spin_unlock(sl)"]}
LAST = "if f { x = 0 } else { goto done }"  # the handler returns early
PROPS = ["|sl| <= 1", "sl == {} || x != 2", "irqs_disabled == {}", "x == 1 => irqs_disabled != {}",
         "|irqs_disabled| <= 1"]
# a step that ends before its first statement's effect is seen, or cannot take one more
_SKIP = ("wait_event", "call ", "lock_page")


def add_irqs(seed: int, g) -> None:
    rng = random.Random(f"irq{seed}")
    if rng.random() < 0.7:
        return
    calls = any("call " in repr(v.deltas) for v in g.variants)
    fit = [a for a in g.actors if not any("call " in repr(b) for _, b in a.steps)]
    if "leadsto" in g.text():  # a leadsto beside a handler of a fair actor is refused
        fit = [a for a in fit if not a.fairness.strip()]
    if calls or not fit:
        return
    a = rng.choice(fit)
    touched = {d[2] for v in g.variants for d in v.deltas if d[0] in ("replace", "remove") and d[1] == a.name}
    g.vars.append(("sl", "spinlock", None))
    a.locals.append(("fl", "bool", "false"))
    disables = False
    saved = False
    for name, body in a.steps:
        text = repr(body)
        if any(w in text for w in _SKIP) or rng.random() < 0.4:
            continue
        op = rng.choice(TASK_OPS)
        if "restore" in op and not saved:
            op = rng.choice(SAVES) if name not in touched else "spin_lock(sl)"
        if op in SAVES:
            if name in touched:
                op = "local_irq_disable()"
            else:
                saved = True
        disables |= "irq" in op
        body.insert(0, ("raw", op))
    steps = []
    for k in range(rng.randint(1, 2)):
        groups = rng.sample(sorted(HANDLER_OPS), rng.randint(1, 2))
        ops = [rng.choice(HANDLER_OPS[k]) for k in groups]
        if "x" not in groups and rng.random() < 0.2:
            ops.append(LAST)
        steps.append(f"step h{k} {{ {'  '.join(ops)} }}")
    g.defs.append(f"irq tick on {a.name} {{ {' '.join(steps)} }}")
    if rng.random() < 0.5:
        props = PROPS if disables else PROPS[:2]
        g.props.append((f"invariant IRQ{rng.randint(0, 9)}", rng.choice(props)))
