"""The cyclic garbage collector is off while a check runs and back as it was afterwards, on
every way out: a complete check, a budget cut short, an exception, and the two halves."""

from __future__ import annotations

import gc
import importlib

import pytest

from movspec.explore import check
from movspec.explore.check import check_on_graph, check_safety

from . import models as M

check_mod = importlib.import_module("movspec.explore.check")  # the module, not the function


def _seen_during_search(monkeypatch, run):
    seen = []
    real = check_mod.Search.run

    def spy(self):
        seen.append(gc.isenabled())
        return real(self)

    monkeypatch.setattr(check_mod.Search, "run", spy)
    run()
    return seen


@pytest.mark.parametrize("kw", [{}, {"max_states": 20}], ids=["complete", "cut-short"])
def test_collector_paused_in_the_search_and_restored(monkeypatch, kw):
    assert gc.isenabled()
    seen = _seen_during_search(monkeypatch, lambda: check(M.mutex(3, broken=True), symmetry=False, **kw))
    assert seen == [False]
    assert gc.isenabled()


def test_both_halves_restore_it(monkeypatch):
    m = M.mutex(3, broken=True)
    seen = _seen_during_search(monkeypatch, lambda: check_on_graph(m, check_safety(m, symmetry=False),
                                                                  symmetry=False))
    assert seen == [False] and gc.isenabled()


def test_an_exception_restores_it(monkeypatch):
    def boom(self):
        assert not gc.isenabled()
        raise KeyboardInterrupt

    monkeypatch.setattr(check_mod.Search, "run", boom)
    with pytest.raises(KeyboardInterrupt):
        check(M.mutex(3, broken=True), symmetry=False)
    assert gc.isenabled()


def test_a_caller_that_paused_it_keeps_it_paused():
    gc.disable()
    try:
        check(M.mutex(3, broken=True), symmetry=False)
        assert not gc.isenabled()
    finally:
        gc.enable()
