"""``explore.reads.read_mask``: the bits of a packed state an expression reads, so that a
check on every state evaluates it once per distinct value of those bits."""

from __future__ import annotations

from dataclasses import dataclass

from movspec.explore.compile import compile_model
from movspec.explore.reads import read_mask
from movspec.ir import nodes as ir

from .conftest import load_one

MODEL = """
model m "m"
const Ids = {I1, I2}
var x: 0..3 = 0
var y: 0..3 = 0
fair actor w(self in Ids) "w" {
    local n: 0..3 = 0
    step a { x = x + 1; n = n + 1 }
    step b { y = y + 1 }
}
leadsto L "l": x == 1 ~> w[I1] at b
leadsto M "m": y == 1 ~> w[I2].n == 1
"""


def _bits(layout, roots):
    m = 0
    for leaf in layout.leaves:
        if leaf.root in roots or (leaf.root == "pc" and ("pc", leaf.actor) in roots):
            m |= ((1 << leaf.width) - 1) << leaf.offset
    return m


def test_the_mask_is_the_bits_of_the_leaves_read():
    m = load_one(MODEL)
    comp = compile_model(m, symmetry=False)
    lay = comp.layout
    l, mm = m.get_property("L"), m.get_property("M")
    assert read_mask(lay, [l.p, l.q]) == _bits(lay, {"x", ("pc", "w")})
    assert read_mask(lay, [mm.p, mm.q]) == _bits(lay, {"y", "w.n"})
    # states that agree on those bits agree on the expression: x's bits are not y's
    assert read_mask(lay, [l.p]) & read_mask(lay, [mm.p]) == 0


def test_an_unknown_node_means_unknown():
    @dataclass(frozen=True)
    class Mystery:  # a node kind the analysis has not been taught
        name: str

    m = load_one(MODEL)
    lay = compile_model(m, symmetry=False).layout
    assert read_mask(lay, [ir.Binary("==", Mystery("x"), ir.IntLit(1))]) is None
    assert read_mask(lay, [ir.IntLit(1)]) == 0
