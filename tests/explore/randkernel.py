"""Kernel operations in the random models (``randmodels.generate``): a ``flags`` word with
atomic and non-atomic bit operations, a counter with the atomic ones (``atomic_inc``,
``atomic_inc_not_zero``, ``atomic_dec_and_test``, ``cmpxchg``, ``xchg``), and a wait queue
(``prepare_to_wait``, ``schedule``, ``wake_up``, ``wake_up_process``, ``set_current_state``,
``finish_wait``, ``wait_event`` as a whole step; exclusive waits and ``wake_up_all``), RCU
(``rcu_read_lock``/``unlock``, ``synchronize_rcu``) and a pool of objects (``alloc``, ``free``, reads and writes of its
objects, checked against use after free) and the page lock of ``import "linux/pagemap"``, appended as the last statement of some steps. Drawn from an RNG of its own, so the rest of each seed's model is as
before. With a pool, some steps then defer frees (``kfree_rcu``, ``call_rcu``, first in the step)
or wait for them (``rcu_barrier``, last), from one more RNG of their own."""

from __future__ import annotations

import random
import re

FLAGS_DECL = "flags Fl { fa, fb = 3, fw = 7 }"
BIT_OPS = ["set_bit({b}, word)", "clear_bit({b}, word)", "change_bit({b}, word)",
           "clear_bit_unlock({b}, word)", "kb = test_and_set_bit({b}, word)",
           "kb = test_and_clear_bit({b}, word)", "kb = test_and_change_bit({b}, word)",
           "kb = clear_bit_unlock_is_negative_byte({b}, word)", "kb = test_bit({b}, word)"]
NONATOMIC = ["__set_bit({b}, word)", "__clear_bit({b}, word)"]
WAIT_OPS = ["prepare_to_wait(wq)", "finish_wait(wq)", "wake_up(wq)", "set_current_state(TASK_UNINTERRUPTIBLE)",
            "__set_current_state(TASK_RUNNING)"]
WAIT_ENDING = ["schedule()"]
RCU_OPS = ["rcu_read_lock()", "rcu_read_unlock()", "synchronize_rcu()"]
POOL_OPS = ["po = alloc(pl)", "if po != none {{ free(pl, po) }}", "any v9 in pl.allocated {{ free(pl, v9) }}",
            "if po != none {{ kc = pl[po] }}", "if po != none && pl[po] == 0 {{ pl[po] = 1 }}", "po = none"]
DEFERRED_OPS = ["if po != none {{ kfree_rcu(pl, po) }}", "any v8 in pl.allocated {{ kfree_rcu(pl, v8) }}",
                "if po != none {{ call_rcu(pl, po) }}", "kfree_rcu(pl, po)"]
STEP_ENDING = ("goto", "call ", "retry(", "wait_event", "schedule()", "synchronize_rcu", "__set_bit", "__clear_bit")
COUNTER_OPS = ["if cnt < 3 {{ atomic_inc(cnt) }}", "if cnt > 0 {{ atomic_dec(cnt) }}",
               "kb = atomic_inc_not_zero(cnt)", "if cnt > 0 {{ kb = atomic_dec_and_test(cnt) }}",
               "kc = cmpxchg(cnt, {v}, {w})", "kc = xchg(cnt, {v})", "atomic_inc(cnt)"]


def add_kernel_ops(seed: int, g, small: bool) -> None:
    rng = random.Random(f"kernel{seed}")
    if rng.random() < 0.5:
        return
    g.defs.append(FLAGS_DECL)
    g.vars += [("word", "set of Fl", rng.choice(["{fa}", "{}", "{fa, fw}"])), ("cnt", "0..3", "1")]
    waits = rng.random() < 0.7
    if waits:
        g.vars.append(("wq", "waitqueue", None))
    rcu = rng.random() < 0.4
    pool = rng.random() < 0.4
    if pool:
        g.defs.append("pool pl: [Items -> 0..1]")
    prelude = rng.random() < 0.2  # the page lock of `import "linux/pagemap"`
    if prelude:
        g.defs += ['import "linux/pagemap"', "const Pages = {pg1}"]
    singles = [a.name for a in g.actors if not a.family]
    used = False
    for a in g.actors:
        for name, body in a.steps:
            text = repr(body)
            if "goto" in text or "call " in text or "retry(" in text or rng.random() < (0.5 if small else 0.4):
                continue
            b = rng.choice(["fa", "fb", "fw"])
            pick = rng.random()
            extra = rng.random()
            if prelude and extra < 0.3 and name not in a.loops:
                op = rng.choice(["call lock_page(pg1)", "call unlock_page(pg1)"])
            elif rcu and extra < 0.25:
                op = rng.choice(RCU_OPS if name not in a.loops else RCU_OPS[:2])
            elif pool and extra < 0.5:
                op = rng.choice(POOL_OPS)
            elif waits and pick < 0.45:
                if rng.random() < 0.2 and name not in a.loops:
                    body[:] = [("raw", f"wait_event(wq, {rng.choice(['f', 'cnt > 1', 'fa in word'])})")]
                    used = True
                    continue
                choices = WAIT_OPS + (WAIT_ENDING * 3 if name not in a.loops else [])
                choices += [f"wake_up_process({p})" for p in singles]
                op = rng.choice(choices)
            elif pick < 0.6 and name not in a.loops:
                op = rng.choice(NONATOMIC)
            elif pick < 0.8:
                op = rng.choice(BIT_OPS)
            else:
                op = rng.choice(COUNTER_OPS)
            op = op.format(b=b, v=rng.randint(0, 2), w=rng.randint(0, 2))
            for local, t, init in (("kb", "bool", "false"), ("kc", "0..3", "0"), ("po", "Items | {none}", "none")):
                if local in op and all(n != local for n, _, _ in a.locals):
                    a.locals.append((local, t, init))
            body.append(("raw", op))
            used = True
    if pool:
        _deferred_frees(seed, g)
    if waits:
        _exclusive_waits(seed, g)
    if used:
        g.props.append((f"invariant K{rng.randint(0, 9)}",
                        rng.choice(["fa in word || cnt > 0", "test_bit(fw, word) => cnt != 2",
                                    "word != {fa, fb}", "cnt <= 2"])))


def _exclusive_waits(seed: int, g) -> None:
    """Some waits made exclusive (``prepare_to_wait_exclusive``, ``wait_event_exclusive``) and
    some wakeups ``wake_up_all``, from an RNG of their own; a property then sometimes reads the
    list of exclusive waiters."""
    rng = random.Random(f"exclusive{seed}")
    if rng.random() < 0.4:
        return
    swaps = {"prepare_to_wait(wq)": "prepare_to_wait_exclusive(wq)", "wait_event(wq, ": "wait_event_exclusive(wq, ",
             "wake_up(wq)": "wake_up_all(wq)"}
    made = False
    for a in g.actors:
        for name, body in a.steps:
            for i, st in enumerate(body):
                old = next((k for k in swaps if st[0] == "raw" and st[1].startswith(k)), None)
                if old is not None and rng.random() < 0.6:
                    body[i] = ("raw", st[1].replace(old, swaps[old], 1))
                    made |= old != "wake_up(wq)"
            text = repr(body)
            if any(w in text for w in STEP_ENDING + ("rcu_barrier", "wq", "wake_up_process", "current_state")):
                continue  # the step must not end before, nor assign the queue or the task state twice
            r = rng.random()
            if r < 0.2:  # an exclusive sleep, or only the queueing
                body.append(("raw", "prepare_to_wait_exclusive(wq)"))
                if name not in a.loops and rng.random() < 0.6:
                    body.append(("raw", "schedule()"))
                made = True
            elif r < 0.3:
                body.append(("raw", rng.choice(["wake_up(wq)", "wake_up(wq)", "wake_up_all(wq)", "finish_wait(wq)"])))
    if made and rng.random() < 0.5:
        g.props.append((f"invariant X{rng.randint(0, 9)}", rng.choice(
            ["task_exclusive == [] || list_first_entry(task_exclusive) in wq", "|task_exclusive| <= 1",
             "wq == {} => task_exclusive == []"])))


def _deferred_frees(seed: int, g) -> None:
    """``kfree_rcu``/``call_rcu`` of the pool's objects first in some steps (the implicit
    ``rcu_callbacks`` process then frees them after their grace period), ``rcu_barrier()`` last
    in some others (not after an operation that ends the step, nor in a ``while`` step)."""
    rng = random.Random(f"kfree_rcu{seed}")
    if rng.random() < 0.4:
        return
    for a in g.actors:
        for name, body in a.steps:
            text = repr(body)
            if "wait_event" in text:
                continue
            r = rng.random()
            # not with rcu_read_unlock(): both assign the waiters, and a step assigns a variable once
            if r < 0.25 and "rcu_read_unlock" not in text:
                body.insert(0, ("raw", rng.choice(DEFERRED_OPS).format()))
                if all(n != "po" for n, _, _ in a.locals):
                    a.locals.append(("po", "Items | {none}", "none"))
            elif r >= 0.25 and name not in a.loops and not any(w in text for w in STEP_ENDING) \
                    and rng.random() < 0.3:
                body.append(("raw", "rcu_barrier()"))


def _assigns(text: str, var: str) -> bool:
    """Does statement text ``text`` assign variable ``var`` (the label rules allow one)?"""
    return re.search(rf"(?<![\w.\[]){var}\s*(\+|-)?=(?!=)", text) is not None


LIST_CHANGES = ["list_add", "list_add_tail", "list_del", "list_move_tail"]
LIST_PROPS = ["|lst| <= 1", "forall k in Items: k in lst => k notin s", "list_empty(lst) || list_first_entry(lst) != w",
              "lst != [] => |lst| > 0", "exists k in Items: k notin lst"]


def add_lists(seed: int, g) -> None:
    """Kernel lists: ``lst: list of Items`` (and sometimes ``ml: [Procs -> list of Items]``,
    changed by the family's own process), changed with list_add/list_add_tail/list_del/
    list_move_tail (list corruption fails Assertions), read with list_empty, list_first_entry,
    membership and length, as the last statement of some steps. From an RNG of its own."""
    rng = random.Random(f"lists{seed}")
    if rng.random() < 0.55:
        return
    g.vars.append(("lst", "list of Items", "[]" if rng.random() < 0.5 else None))
    per_proc = rng.random() < 0.4
    if per_proc:
        g.vars.append(("ml", "[Procs -> list of Items]", None))
    used = False
    for a in g.actors:
        has_c = any(n == "c" for n, _, _ in a.locals)
        for name, body in a.steps:
            text = repr(body)
            if any(w in text for w in ("goto", "call ", "retry(", "lst", "__set_bit", "__clear_bit", "schedule()",
                                       "wait_event", "synchronize_rcu", "rcu_barrier")) or rng.random() < 0.45:
                continue  # the step must not end before the list operation
            target = "ml[self]" if per_proc and a.family and rng.random() < 0.5 else "lst"
            change = rng.choice(LIST_CHANGES)
            pick = rng.random()
            if pick < 0.35:
                op = f"any v7 in Items {{ {change}(v7, {target}) }}"
            elif pick < 0.5 and has_c:
                op = f"{change}(c, {target})"
            elif pick < 0.6:
                op = f"{change}({rng.choice(['i1', 'i2'])}, {target})"  # names an element
            elif pick < 0.75:
                guard = "notin" if change in ("list_add", "list_add_tail") else "in"
                op = f"any v7 in Items {{ if v7 {guard} {target} {{ {change}(v7, {target}) }} }}"
            elif pick < 0.9:
                op = f"if !list_empty({target}) {{ w = list_first_entry({target}) }}"
            elif pick < 0.95:
                op = f"x = |{target}|"
            else:  # an evaluation error when i1 is not on the list and the list is empty
                op = f"f = {rng.choice(['i1', 'i2'])} in {target} || list_first_entry({target}) == i1"
            if any(_assigns(text, v) and _assigns(op, v) for v in ("w", "x", "f")) or \
                    "flip(" in text and _assigns(op, "f"):
                continue
            body.append(("raw", op))
            used = True
    if used:
        g.props.append((f"invariant Q{rng.randint(0, 9)}", rng.choice(LIST_PROPS)))
