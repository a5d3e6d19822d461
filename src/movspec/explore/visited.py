"""The breadth-first search's seen-set: every distinct state once, in flat arrays.

Contract
--------
``make_visited(bits, fingerprints=False, seed=0)`` gives a table of the distinct states of a
search, numbered 0, 1, 2, ... in the order they were added (breadth-first order), with

* ``add(t, parent) -> bool``: add packed state ``t`` (an int below ``2 ** bits``) found from
  state number ``parent`` (``NO_PARENT`` for an initial state); False if already there;
* ``number(t)``: the number of a state that was added; ``path(i)``: the numbers from an
  initial state to state ``i`` along the parent links; ``matches(t, i)``: whether ``t`` is
  (as far as the table can tell) state ``i``; ``level(lo, hi)``: the states numbered
  ``lo .. hi - 1`` as ints (the breadth-first frontier), then ``drop_below(lo)``;
* ``collision_bound()``: an upper bound on the probability that the table merged two
  distinct states (0.0 for the exact table); ``len()``.

Two kinds, chosen by ``fingerprints``:

``ExactStates`` (the default) keeps every state's packed bits, ``ceil(bits / 8)`` bytes, in
one ``bytearray``: a state is "seen" only if it is bit for bit a state already there. Nothing
is probabilistic.

``FingerprintStates`` keeps a 64-bit fingerprint ``t mod P`` per state, ``P`` a prime drawn
uniformly at random from ``[2**63, 2**64)`` by ``seed`` (the default seed gives the same
prime every run, as TLC's default polynomial). Two distinct states ``t != t'`` share a
fingerprint only if ``P`` divides ``t - t'``, a nonzero number below ``2 ** bits``, which
has at most ``(bits - 1) // 63`` prime factors that large; there are more than
``PRIMES_63_64`` primes to draw from, so each pair collides with probability at most
``((bits - 1) // 63) / PRIMES_63_64`` (Karp and Rabin's bound), and the whole search, which
runs exactly as the exact one until the first pair of reachable states collides, with
probability at most ``n (n - 1) / 2`` times that for ``n`` distinct states (the union
bound). States of at most 63 bits are below ``P``: their fingerprint is the state itself,
and the bound is 0. A fingerprint costs 8 bytes, so this pays off for states wider than 8
bytes. The frontier's states are kept as bytes for the two levels the search reads.

``make_visited(..., compact=False)`` gives a ``DictStates`` instead: the exact states as Python
ints in a dict (looked up at C speed, about 120 bytes a state), which the search moves into an
``ExactStates`` (``exact()``: same numbers and parents) at the end of the level where it
passes ``SPILL`` states.

The two compact kinds index their states with an open-addressing table of ``uint32`` state numbers (linear
probing, placed by the top bits of the state's mixed hash, grown twice as large at 70%
load) and keep a ``uint32`` parent number per state; the exact table also keeps the top 32
bits of each state's mixed hash, which reject most probes without touching the key and
place the state when the index grows. Per state: 8 (fingerprint) or ``ceil(bits / 8)`` + 4
(exact) bytes of key, 4 of parent, and 4 per slot of the index, 1.4 to 2.9 slots a state.
At most ``2**32 - 2`` states.
"""

from __future__ import annotations

import math
import random
from array import array

NO_PARENT = 0xFFFFFFFF
MAX_STATES = 0xFFFFFFFE
_M64 = (1 << 64) - 1
_MIX = 0x9E3779B97F4A7C15  # odd: multiplying by it is a bijection on 64-bit numbers
_MIN_SLOTS_LOG = 12
_MAX_LOAD = 0.7
_CHUNK = 4096  # states decoded at a time for the frontier


class TableFull(Exception):
    """More than ``MAX_STATES`` distinct states."""


def _primes_63_64_lower() -> float:
    """A lower bound on the number of primes in [2**63, 2**64): Rosser and Schoenfeld's
    pi(x) > x / ln x (x >= 17) at 2**64, minus their pi(x) < 1.25506 x / ln x at 2**63."""
    return 2.0 ** 64 / (64 * math.log(2)) - 1.25506 * 2.0 ** 63 / (63 * math.log(2))


PRIMES_63_64 = _primes_63_64_lower()  # about 1.51e17
_MR_BASES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)  # exact below 3.3e24


def is_prime(n: int) -> bool:
    """Miller-Rabin with the bases that decide every n below 3.3e24 (so every 64-bit n)."""
    if n < 2:
        return False
    for p in _MR_BASES:
        if n % p == 0:
            return n == p
    d, r = n - 1, 0
    while d % 2 == 0:
        d //= 2
        r += 1
    for a in _MR_BASES:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def fingerprint_prime(seed: int = 0) -> int:
    """A prime drawn uniformly from [2**63, 2**64) by ``seed`` (rejection sampling over odd
    numbers, so every prime in the range is equally likely)."""
    rng = random.Random(f"movspec-fingerprint-{seed}")
    while True:
        c = rng.getrandbits(63) | (1 << 63) | 1
        if is_prime(c):
            return c


def collision_bound(distinct: int, bits: int) -> float:
    """The bound of the module docstring: the probability that a fingerprinted search of
    ``distinct`` states of ``bits`` bits merged two of them, at most (capped at 1)."""
    if bits <= 63 or distinct < 2:
        return 0.0
    pairs = distinct * (distinct - 1) / 2
    return min(1.0, pairs * ((bits - 1) // 63) / PRIMES_63_64)


def optimistic_estimate(distinct: int, generated: int) -> float:
    """TLC's "calculated (optimistic)" estimate, distinct * (generated - distinct) / 2**64,
    for comparison (it takes fingerprints to behave as random numbers)."""
    return distinct * max(0, generated - distinct) / 2.0 ** 64


class _Table:
    """The index shared by both kinds: slots of state numbers + 1 (0 is free)."""

    fingerprints = False

    def __init__(self, bits: int, modulus: int):
        self.bits = bits
        self.modulus = modulus
        self.parent = array("I")
        self._log = _MIN_SLOTS_LOG
        self.slots = array("I", bytes(4 << self._log))
        self._limit = int(_MAX_LOAD * (1 << self._log))

    def __len__(self) -> int:
        return len(self.parent)

    def _grow(self) -> None:
        if len(self.parent) >= MAX_STATES:
            raise TableFull(f"the seen-set is full ({MAX_STATES} distinct states)")
        self._log += 1
        log = self._log
        slots = array("I", bytes(4 << log))
        mask = (1 << log) - 1
        shift = 32 - log
        j = 0
        for tag in self._tags():
            j += 1
            i = tag >> shift
            while slots[i]:
                i = (i + 1) & mask
            slots[i] = j
        self.slots = slots
        self._limit = int(_MAX_LOAD * (1 << log))

    def path(self, i: int) -> list[int]:
        parent = self.parent
        out = [i]
        while parent[out[-1]] != NO_PARENT:
            out.append(parent[out[-1]])
        out.reverse()
        return out

    def __contains__(self, t: int) -> bool:
        return self._find(t) is not None

    def number(self, t: int) -> int:
        i = self._find(t)
        if i is None:
            raise KeyError(t)
        return i


class ExactStates(_Table):
    """Every state's packed bits (see the module docstring)."""

    def __init__(self, bits: int, modulus: int | None = None):
        super().__init__(bits, modulus or fingerprint_prime(0))
        self.width = max(1, (bits + 7) // 8)
        self.keys = bytearray()
        self.tags = array("I")

    def _tags(self):
        return self.tags

    def add(self, t: int, parent: int) -> bool:
        h = ((t % self.modulus) * _MIX) & _M64
        tag = h >> 32
        log = self._log
        i = tag >> (32 - log)
        mask = (1 << log) - 1
        slots, tags, keys, w = self.slots, self.tags, self.keys, self.width
        tb = t.to_bytes(w, "little")
        while True:
            j = slots[i]
            if not j:
                break
            j -= 1
            if tags[j] == tag and keys[j * w:j * w + w] == tb:
                return False
            i = (i + 1) & mask
        n = len(tags)
        slots[i] = n + 1
        tags.append(tag)
        keys += tb
        self.parent.append(parent)
        if n >= self._limit:
            self._grow()
        return True

    def _find(self, t: int) -> int | None:
        h = ((t % self.modulus) * _MIX) & _M64
        tag = h >> 32
        i = tag >> (32 - self._log)
        mask = (1 << self._log) - 1
        w = self.width
        tb = t.to_bytes(w, "little")
        while True:
            j = self.slots[i]
            if not j:
                return None
            j -= 1
            if self.tags[j] == tag and self.keys[j * w:j * w + w] == tb:
                return j
            i = (i + 1) & mask

    def state(self, i: int) -> int:
        w = self.width
        return int.from_bytes(self.keys[i * w:i * w + w], "little")

    def matches(self, t: int, i: int) -> bool:
        return t == self.state(i)

    def level(self, lo: int, hi: int):
        w, keys = self.width, self.keys
        frm = int.from_bytes
        for a in range(lo, hi, _CHUNK):
            b = min(hi, a + _CHUNK)
            chunk = keys[a * w:b * w]
            for k in range(0, (b - a) * w, w):
                yield frm(chunk[k:k + w], "little")

    def drop_below(self, lo: int) -> None:
        pass

    def collision_bound(self) -> float:
        return 0.0


class FingerprintStates(_Table):
    """A 64-bit fingerprint per state (see the module docstring)."""

    fingerprints = True

    def __init__(self, bits: int, seed: int = 0, modulus: int | None = None):
        super().__init__(bits, modulus or fingerprint_prime(seed))
        self.seed = seed
        self.keys = array("Q")
        self.width = max(1, (bits + 7) // 8)
        # the states of the levels the search still reads, as bytes: level_lo is the
        # number of the first state in ``frontier``
        self._frontier = bytearray()
        self._lo = 0

    def _tags(self):
        return (((f * _MIX) & _M64) >> 32 for f in self.keys)

    def add(self, t: int, parent: int) -> bool:
        f = t % self.modulus
        tag = ((f * _MIX) & _M64) >> 32
        log = self._log
        i = tag >> (32 - log)
        mask = (1 << log) - 1
        slots, keys = self.slots, self.keys
        while True:
            j = slots[i]
            if not j:
                break
            if keys[j - 1] == f:
                return False
            i = (i + 1) & mask
        n = len(keys)
        slots[i] = n + 1
        keys.append(f)
        self.parent.append(parent)
        self._frontier += t.to_bytes(self.width, "little")
        if n >= self._limit:
            self._grow()
        return True

    def _find(self, t: int) -> int | None:
        f = t % self.modulus
        tag = ((f * _MIX) & _M64) >> 32
        i = tag >> (32 - self._log)
        mask = (1 << self._log) - 1
        while True:
            j = self.slots[i]
            if not j:
                return None
            if self.keys[j - 1] == f:
                return j - 1
            i = (i + 1) & mask

    def matches(self, t: int, i: int) -> bool:
        return t % self.modulus == self.keys[i]

    def level(self, lo: int, hi: int):
        w = self.width
        buf = self._frontier
        base = self._lo
        frm = int.from_bytes
        for a in range(lo, hi, _CHUNK):
            b = min(hi, a + _CHUNK)
            chunk = buf[(a - base) * w:(b - base) * w]
            for k in range(0, (b - a) * w, w):
                yield frm(chunk[k:k + w], "little")

    def drop_below(self, lo: int) -> None:
        """The search reads no state numbered below ``lo`` any more."""
        if lo > self._lo:
            del self._frontier[:(lo - self._lo) * self.width]
            self._lo = lo

    def collision_bound(self) -> float:
        if self.modulus < 1 << 63:  # a test's small modulus: the bound does not apply
            return 1.0 if len(self) > 1 and self.bits > self.modulus.bit_length() - 1 else 0.0
        return collision_bound(len(self), self.bits)


class DictStates(dict):
    """Every state as a Python int, in a dict from state to number: exact, like
    ``ExactStates``, and looked up at C speed (``t in table`` is the dict's own), for about
    120 bytes a state instead of ``ceil(bits / 8)`` + 4 + the index. The search starts with
    it and moves to ``ExactStates`` (``exact()``) once the states are many (``SPILL``)."""

    fingerprints = False

    def __init__(self, bits: int, modulus: int | None = None):
        super().__init__()
        self.bits = bits
        self.modulus = modulus
        self.states: list[int] = []
        self.parent = array("I")

    def add(self, t: int, parent: int) -> bool:
        if t in self:
            return False
        n = len(self.states)
        if n >= MAX_STATES:
            raise TableFull(f"the seen-set is full ({MAX_STATES} distinct states)")
        self[t] = n
        self.states.append(t)
        self.parent.append(parent)
        return True

    def number(self, t: int) -> int:
        return self[t]

    def state(self, i: int) -> int:
        return self.states[i]

    def matches(self, t: int, i: int) -> bool:
        return t == self.states[i]

    path = _Table.path

    def level(self, lo: int, hi: int):
        return self.states[lo:hi]

    def drop_below(self, lo: int) -> None:
        pass

    def collision_bound(self) -> float:
        return 0.0

    def exact(self) -> "ExactStates":
        """The same states, numbers and parents in an ``ExactStates``."""
        table = ExactStates(self.bits, self.modulus)
        for t, p in zip(self.states, self.parent):
            table.add(t, p)
        return table


SPILL = 1 << 19  # states a search keeps in a ``DictStates`` before it moves them (about 90 MiB)


def make_visited(bits: int, *, fingerprints: bool = False, seed: int = 0,
                 modulus: int | None = None, compact: bool = True) -> ExactStates | FingerprintStates | DictStates:
    """The seen-set for states of ``bits`` bits. ``modulus`` replaces the fingerprint prime
    (tests force collisions with a small one). ``compact=False``: exact states in a
    ``DictStates``, which the search moves into an ``ExactStates`` past ``SPILL`` states."""
    if fingerprints:
        return FingerprintStates(bits, seed, modulus)
    if not compact:
        return DictStates(bits, modulus)
    return ExactStates(bits, modulus)
