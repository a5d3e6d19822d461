"""Pausing Python's cyclic garbage collector around work that allocates many objects and makes
no garbage cycles: parsing (trees), loading (the IR), and the checker's search and graph checks
(millions of state tuples). A collection traverses every tracked object alive, so collections
in such work cost time that grows with what is alive and reclaim nothing; reference counting
still frees everything that is not in a cycle."""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def gc_paused():
    """The collector off for the ``with`` body, back as it was afterwards, on every path out
    (an exception, a budget cut short, Ctrl-C). Nested uses leave it off until the outermost
    ends."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
