"""The kernel's bit and atomic operations as statements (mixed into ``resolve.Resolver``).

A flags word is a ``set of`` an enum or ``flags`` declaration; a counter is an integer
variable. Each atomic operation is one statement inside the step that runs it, and is written
in terms of the existing statements, so both checkers and the type checker see plain
assignments and ``if``s:

    set_bit(b, w)                      w = w | {b}        (clear_bit, change_bit, clear_bit_unlock)
    x = test_and_set_bit(b, w)         x = b in w; w = w | {b}
    x = clear_bit_unlock_is_negative_byte(b, w)
                                       x = bit 7 in (w \\ {b}); w = w \\ {b}
    atomic_inc(v), atomic_dec(v)       v += 1, v -= 1
    x = atomic_inc_not_zero(v)         if v != 0 { x = true  v += 1 } else { x = false }
    x = atomic_dec_and_test(v)         x = v == 1; v -= 1
    x = cmpxchg(v, old, new)           x = v; if v == old { v = new }
    x = xchg(v, new)                   x = v; v = new

The non-atomic ``__set_bit(b, w)`` and ``__clear_bit(b, w)`` are a read and a write that other
processes can run between: the step computes the new word into a local of the process,
``<step>.<op>``, and ends; the next step, named ``<step>.<op>`` too, stores it. So a lost
update (an atomic ``set_bit`` of another bit landing in between) is a real interleaving.
Like ``goto``, such an operation is the last statement on its path.
"""

from __future__ import annotations

from ..diagnostics import did_you_mean
from ..dsl import ast as A
from . import nodes as N
from .scope import Scope
from .lists import LIST_STMTS
from .pools import POOL_OPS
from .rcu import RCU_OPS
from .waitqueues import WAIT_OPS
from .irq import IRQ_OPS
from .walk import walk

BIT_OPS = {  # name -> (how the word changes, the result)
    "set_bit": ("set", None), "clear_bit": ("clear", None), "change_bit": ("change", None),
    "clear_bit_unlock": ("clear", None),
    "test_and_set_bit": ("set", "old"), "test_and_set_bit_lock": ("set", "old"),
    "test_and_clear_bit": ("clear", "old"), "test_and_change_bit": ("change", "old"),
    "clear_bit_unlock_is_negative_byte": ("clear", "bit7"),
}
NONATOMIC_BIT_OPS = {"__set_bit": "set", "__clear_bit": "clear"}
STEP_ENDING = frozenset(NONATOMIC_BIT_OPS) | {"schedule", "wait_event", "synchronize_rcu",
                                                     "rcu_barrier"}  # the last statement on a path
COUNTER_OPS = {"atomic_inc": 1, "atomic_dec": 1, "atomic_inc_not_zero": 1, "atomic_dec_and_test": 1,
               "xchg": 2, "cmpxchg": 3}
RESULTS = {"atomic_inc_not_zero", "atomic_dec_and_test", "xchg", "cmpxchg"}
KERNEL_OPS = (frozenset(IRQ_OPS) | frozenset(BIT_OPS) | frozenset(NONATOMIC_BIT_OPS) | frozenset(COUNTER_OPS) | frozenset(WAIT_OPS)
              | frozenset(RCU_OPS) | frozenset(POOL_OPS) | frozenset(LIST_STMTS))
NEGATIVE_BYTE_BIT = 7  # clear_bit_unlock_is_negative_byte tests bit 7, the sign of the low byte


class KernelOps:
    """Mixed into ``resolve.Resolver``: ``kernel_op`` and the splits of non-atomic ones."""

    def is_kernel_op(self, name: str) -> bool:
        return name in KERNEL_OPS and name not in self.macros and name not in self.defs

    def kernel_op(self, name: str, args: tuple[A.Expr, ...], target: A.Expr | None, sc: Scope,
                  sp, steps: list[str]) -> list[N.Stmt]:
        """The statements of ``name(args)``, or of ``target = name(args)``."""
        if name in POOL_OPS:
            return self.pool_op(name, args, target, sc, sp)
        if name in LIST_STMTS:
            return self.list_op(name, args, target, sc, sp)
        if name in WAIT_OPS or name in RCU_OPS or name in IRQ_OPS:
            self._fail(f"`{name}` returns no value", sp, f"write it as a statement: `{name}(...)`", "no-result")
        want = 2 if name in BIT_OPS or name in NONATOMIC_BIT_OPS else COUNTER_OPS[name]
        if len(args) != want:
            shape = "(bit, word)" if want == 2 and name not in COUNTER_OPS else {
                1: "(counter)", 2: "(counter, new)", 3: "(counter, old, new)"}[want]
            self._fail(f"`{name}` takes {want} argument{'s' if want != 1 else ''}, {len(args)} given", sp,
                       f"write `{name}{shape}`", "arguments")
        if target is not None and (name in NONATOMIC_BIT_OPS or name in BIT_OPS and BIT_OPS[name][1] is None
                                   or name in ("atomic_inc", "atomic_dec")):
            self._fail(f"`{name}` returns no value", sp, f"write it as a statement: `{name}(...)`", "no-result")
        if name in NONATOMIC_BIT_OPS:
            return self._nonatomic(name, args, sc, sp, steps)
        word = args[-1] if name in BIT_OPS else args[0]
        self._word_shape(name, word)
        self._check_types(name, args[0] if name in BIT_OPS else None, word, sc)
        if name in BIT_OPS:
            change, result = BIT_OPS[name]
            bit = args[0]
            out = []
            if target is not None:
                if result == "old":
                    value = A.BinaryE("in", bit, word, sp)
                else:
                    value = A.BinaryE("in", self._negative_byte_bit(name, bit, sp),
                                      A.BinaryE("\\", word, A.SetE((bit,), sp), sp), sp)
                out.append(A.AssignS(target, "=", value, sp))
            out.append(A.AssignS(word, "=", _changed(change, bit, word, sp), sp))
        else:
            v = word
            one, true, false = A.IntE(1, sp), A.BoolE(True, sp), A.BoolE(False, sp)
            if name in ("atomic_inc", "atomic_dec"):
                out = [A.AssignS(v, "+=" if name == "atomic_inc" else "-=", one, sp)]
            elif name == "atomic_inc_not_zero":
                then = [A.AssignS(target, "=", true, sp)] if target is not None else []
                orelse = (A.AssignS(target, "=", false, sp),) if target is not None else ()
                out = [A.IfS(A.BinaryE("!=", v, A.IntE(0, sp), sp),
                             tuple(then + [A.AssignS(v, "+=", one, sp)]), orelse, sp)]
            elif name == "atomic_dec_and_test":
                out = ([A.AssignS(target, "=", A.BinaryE("==", v, one, sp), sp)] if target is not None else [])
                out.append(A.AssignS(v, "-=", one, sp))
            elif name == "xchg":
                out = ([A.AssignS(target, "=", v, sp)] if target is not None else [])
                out.append(A.AssignS(v, "=", args[1], sp))
            else:  # cmpxchg
                out = ([A.AssignS(target, "=", v, sp)] if target is not None else [])
                out.append(A.IfS(A.BinaryE("==", v, args[1], sp), (A.AssignS(v, "=", args[2], sp),), None, sp))
        return [x for s in out for x in self._stmt(s, sc, steps)]

    # ------------------------------------------------------------------ helpers

    def _word_shape(self, name: str, word: A.Expr) -> None:
        root = word
        while isinstance(root, (A.FieldE, A.IndexE)):
            root = root.base
        if not isinstance(root, A.Name):
            what = "word" if name in BIT_OPS or name in NONATOMIC_BIT_OPS else "counter"
            self._fail(f"the {what} of `{name}` must be a variable, a local or a part of one", word.span,
                       f"write e.g. `{name}(..., page[p].flags)`", "kernel-op")

    def _check_types(self, name: str, bit: A.Expr | None, word: A.Expr, sc: Scope) -> None:
        """A word must be a set of atoms and a literal bit one of them; a counter an integer."""
        t = self._path_type(self._target(word, sc), sc)
        text = _text(word)
        if bit is None:
            if not isinstance(t, N.IntType):
                self._fail(f"`{name}` needs an integer counter, and `{text}` is `{t}`", word.span,
                           "declare the counter with a range type, e.g. `var ref: 0..3`", "kernel-op")
            return
        if not (isinstance(t, N.SetType) and isinstance(t.elem, N.AtomType)):
            self._fail(f"`{name}` needs a flags word (a `set of` bits), and `{text}` is `{t}`", word.span,
                       "declare the word as `set of FLAGS`, with `flags FLAGS { bit, ... }`", "kernel-op")
        bits = t.elem.atoms
        if isinstance(bit, A.Name) and bit.name in self.atoms and bit.name not in bits:
            self._fail(f"`{bit.name}` is not a bit of `{text}` (`{t}`)", bit.span,
                       did_you_mean(bit.name, bits) or f"its bits: {', '.join(bits)}", "kernel-op")
        if isinstance(bit, (A.IntE, A.BoolE, A.SetE)):
            self._fail(f"the bit of `{name}` must be one of the bits of `{text}`", bit.span,
                       f"its bits: {', '.join(bits)} (bits are named, as the kernel's PG_ constants)",
                       "kernel-op")

    def _negative_byte_bit(self, name: str, bit: A.Expr, sp) -> A.Expr:
        """Bit 7 of the flags declaration ``bit`` belongs to."""
        decl = None
        if isinstance(bit, A.Name):
            decl = next((e for e in self.enums.values() if bit.name in e.members), None)
        if decl is None or decl.bits is None:
            self._fail(f"`{name}` needs a bit of a `flags` declaration, to know which bit is bit "
                       f"{NEGATIVE_BYTE_BIT}", bit.span,
                       f"declare the bits with their numbers: `flags PageFlags {{ PG_locked = 0, "
                       f"PG_waiters = {NEGATIVE_BYTE_BIT} }}`", "kernel-op")
        if NEGATIVE_BYTE_BIT not in decl.bits:
            self._fail(f"`{name}` tests bit {NEGATIVE_BYTE_BIT} of the word, and flags `{decl.name}` has no "
                       f"bit {NEGATIVE_BYTE_BIT}", bit.span,
                       f"number the bit that sits in the sign of the byte: e.g. `PG_waiters = "
                       f"{NEGATIVE_BYTE_BIT}`", "kernel-op")
        return A.Name(decl.members[decl.bits.index(NEGATIVE_BYTE_BIT)], sp)

    def _nonatomic(self, name: str, args, sc: Scope, sp, steps: list[str]) -> list[N.Stmt]:
        bit, word = args
        self._word_shape(name, word)
        self._check_types(name, bit, word, sc)
        step = self._step
        if sc.actor is None or step is None:
            self._fail(f"`{name}` outside a step", sp, "use it in a step of an actor or a function", "kernel-op")
        target = self._target(word, sc)
        for x in _parts(target):
            if not _stable(x, sc.actor.decl.name):
                self._fail(f"the word of `{name}` is found through a value that can change before its "
                           "store", x.span, "the store is the next step: copy the index into a local "
                           "of the process first", "kernel-op")
        t = self._path_type(target, sc)
        new = self.expr(_changed(NONATOMIC_BIT_OPS[name], bit, word, sp), sc)
        ref = N.LocalRef(sc.actor.decl.name, self._split_name(name), None, sp)
        default = self.type_default(t)
        store = (N.Assign(target, "=", ref, sp),)
        if not sc.actor.is_func:  # a function's locals go back to their start value when it returns
            store += (N.Assign(ref, "=", default, sp),)
        step.locals.append(N.Local(ref.name, t, default, sp))
        return [N.Assign(ref, "=", new, sp)] + self._split(name, store, sc, sp)

    def _split_name(self, name: str) -> str:
        step = self._step
        base = f"{step.name}.{name}"
        k = 1 + sum(1 for s in step.splits if s.name.startswith(base))
        return base if k == 1 else f"{base}{k}"

    def _split(self, name: str, body: tuple[N.Stmt, ...], sc: Scope, sp) -> list[N.Stmt]:
        """End the step here: the rest is the step ``<step>.<name>`` with ``body``, placed
        right after the step, so that it falls through to the step after it."""
        step = self._step
        if step.loop:
            self._fail(f"a `while` step cannot run `{name}`", sp,
                       f"`{name}` ends the step: write the loop with `goto`", "while")
        label = self._split_name(name)
        step.splits.append(N.Step(label, body, None, f"the rest of `{name}` in step `{step.name}`", None, sp))
        return [N.Goto(label, sp)]

    def _path_type(self, target: N.Expr, sc: Scope) -> N.Type:
        if isinstance(target, N.VarRef):
            return self.type(self.vars[target.name].type)
        if isinstance(target, N.LocalRef):
            return self.type(next(l for l in sc.actor.locals if l.name == target.name).type)
        base = self._path_type(target.base, sc)
        if isinstance(target, N.Field) and isinstance(base, N.RecordType) and base.field(target.name):
            return base.field(target.name).type
        if isinstance(target, N.Index) and isinstance(base, N.FuncType):
            return base.range
        self._fail("the word is not a part of a variable's value", target.span,
                   "name a variable, a struct field or a function entry", "kernel-op")


class StepContext:
    """The step being resolved: its name, whether it is a ``while`` step, and the steps and
    locals that its non-atomic operations add."""

    def __init__(self, name: str, loop: bool, whole: bool):
        self.name = name
        self.loop = loop
        self.whole = whole  # the step is one statement
        self.splits: list[N.Step] = []
        self.locals: list[N.Local] = []


def _changed(change: str, bit: A.Expr, word: A.Expr, sp) -> A.Expr:
    one = A.SetE((bit,), sp)
    if change == "set":
        return A.BinaryE("|", word, one, sp)
    if change == "clear":
        return A.BinaryE("\\", word, one, sp)
    return A.IfE(A.BinaryE("in", bit, word, sp), A.BinaryE("\\", word, one, sp), A.BinaryE("|", word, one, sp), sp)


def _parts(target: N.Expr):
    """The index expressions of an assignment target."""
    while isinstance(target, (N.Field, N.Index)):
        if isinstance(target, N.Index):
            yield target.index
        target = target.base


def _stable(e: N.Expr, owner: str) -> bool:
    """True when ``e`` cannot change between a step and the next step of the same process:
    it reads only constants, ``self`` and the process's own locals."""
    for x in walk(e):
        if isinstance(x, (N.VarRef, N.BoundRef, N.At)):
            return False
        if isinstance(x, N.LocalRef) and (x.actor != owner or x.proc is not None):
            return False
    return True


def _text(e: A.Expr) -> str:
    if isinstance(e, A.Name):
        return e.name
    if isinstance(e, A.FieldE):
        return f"{_text(e.base)}.{e.name}"
    if isinstance(e, A.IndexE):
        return f"{_text(e.base)}[...]"
    return "the word"


def unknown_op_hint(name: str) -> str | None:
    return did_you_mean(name, sorted(KERNEL_OPS))
