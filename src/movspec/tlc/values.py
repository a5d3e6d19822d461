"""TLC's printed values, parsed, then converted to result values by IR type.

``parse_value`` reads TLC's syntax into raw Python values: ``int``, ``bool``, ``str`` (for
strings and model values alike; both are atoms in movspec), ``Raw("fn", pairs)`` for
functions ``(k :> v @@ ...)`` and records ``[f |-> v, ...]``, ``Raw("seq", items)`` for
tuples ``<<...>>`` (also functions over ``1..n``), ``Raw("set", items)``.

``convert`` turns a raw value into ``result.Value`` given its IR type: records become ``Rec``
in declaration order, functions ``Fn`` in domain order (a tuple is a function over ``1..n``),
sets ``frozenset``, lists (``list of T``, written ``<<...>>``) ``Seq``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..ir import nodes as ir
from ..result import Fn, Rec, Seq


class ValueSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class Raw:
    kind: str  # "fn" | "seq" | "set"
    items: tuple


_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<int>-?\d+)
  | (?P<op><<|>>|\|->|:>|@@|[\[\]{}(),])
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
""", re.X)


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ValueSyntaxError(f"cannot read TLC value at {text[pos:pos + 20]!r}")
        pos = m.end()
        if m.lastgroup != "ws":
            out.append((m.lastgroup, m.group()))
    return out


def _unescape(s: str) -> str:
    body = s[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


class _Parser:
    def __init__(self, text: str):
        self.t = _tokens(text)
        self.i = 0

    def peek(self) -> str | None:
        return self.t[self.i][1] if self.i < len(self.t) else None

    def take(self, expect: str | None = None) -> tuple[str, str]:
        if self.i >= len(self.t):
            raise ValueSyntaxError("unexpected end of TLC value")
        tok = self.t[self.i]
        if expect is not None and tok[1] != expect:
            raise ValueSyntaxError(f"expected {expect!r}, found {tok[1]!r}")
        self.i += 1
        return tok

    def value(self):
        kind, tok = self.take()
        if kind == "int":
            return int(tok)
        if kind == "str":
            return _unescape(tok)
        if kind == "ident":
            if tok == "TRUE":
                return True
            if tok == "FALSE":
                return False
            return tok
        if tok == "<<":
            items = self._list(">>")
            return Raw("seq", tuple(items))
        if tok == "{":
            return Raw("set", tuple(self._list("}")))
        if tok == "[":
            pairs = []
            if self.peek() != "]":
                while True:
                    _, name = self.take()
                    self.take("|->")
                    pairs.append((name, self.value()))
                    if self.peek() == ",":
                        self.take()
                        continue
                    break
            self.take("]")
            return Raw("fn", tuple(pairs))
        if tok == "(":
            pairs = []
            while True:
                k = self.value()
                self.take(":>")
                pairs.append((k, self.value()))
                if self.peek() == "@@":
                    self.take()
                    continue
                break
            self.take(")")
            return Raw("fn", tuple(pairs))
        raise ValueSyntaxError(f"unexpected {tok!r} in TLC value")

    def _list(self, close: str) -> list:
        items = []
        if self.peek() == close:
            self.take()
            return items
        while True:
            items.append(self.value())
            if self.peek() == ",":
                self.take()
                continue
            self.take(close)
            return items


def parse_value(text: str):
    p = _Parser(text)
    v = p.value()
    if p.i != len(p.t):
        raise ValueSyntaxError(f"trailing text after TLC value: {text!r}")
    return v


# ------------------------------------------------------------------ conversion

def _pairs(raw) -> list[tuple]:
    if isinstance(raw, Raw) and raw.kind == "fn":
        return list(raw.items)
    if isinstance(raw, Raw) and raw.kind == "seq":
        return [(i + 1, v) for i, v in enumerate(raw.items)]
    raise ValueSyntaxError(f"expected a function, found {raw!r}")


def convert(raw, t: ir.Type | None):
    """A raw TLC value as a ``result.Value`` of IR type ``t`` (untyped when ``t`` is None)."""
    if isinstance(t, ir.RecordType) and isinstance(raw, Raw):
        got = dict(_pairs(raw))
        return Rec(tuple((f.name, convert(got.get(f.name), f.type)) for f in t.fields if f.name in got))
    if isinstance(t, ir.FuncType) and isinstance(raw, Raw):
        got = _pairs(raw)
        order = ir.flat_values(t.domain)
        keyed = {k: v for k, v in got}
        if order is not None and all(k in keyed for k in order):
            keys = order
        else:
            keys = [k for k, _ in got]
        return Fn(tuple((k, convert(keyed[k], t.range)) for k in keys))
    if isinstance(t, ir.SetType) and isinstance(raw, Raw):
        return frozenset(convert(x, t.elem) for x in raw.items)
    if isinstance(t, ir.ListType) and isinstance(raw, Raw):  # <<p1, p2>>, head first
        return Seq(tuple(convert(x, t.elem) for x in raw.items))
    return plain(raw)


def plain(raw):
    """Untyped conversion: functions and tuples become ``Fn``, sets ``frozenset``."""
    if isinstance(raw, Raw):
        if raw.kind == "set":
            return frozenset(plain(x) for x in raw.items)
        return Fn(tuple((plain(k), plain(v)) for k, v in _pairs(raw)))
    return raw
