"""The name mangler (emit/names.py) on random identifiers: it always ends, never gives two
DSL names one TLA+ name, and never hands out a reserved word or a reserved prefix.

Identifiers are drawn like the DSL's NAME token (``[A-Za-z_][A-Za-z0-9_]*``), biased towards
the hard cases: reserved words, the ``MS_``/``WF_``/``SF_`` prefixes, the bare stems ``MS``,
``WF``, ``SF`` (whose suffixed forms ``MS_1``... all carry a reserved prefix), names with a
numeric suffix that a renamed name could also get, and names without a letter.

Termination is checked by counting, not by timing: the set of taken names counts the
lookups a claim makes and fails the test past a fixed bound, so a mangler that loops fails
instead of hanging."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from movspec.emit.names import (CFG_KEYWORDS, PLUSCAL_KEYWORDS, RESERVED, TLA_KEYWORDS, Namer,
                                field_name, fresh_bound, is_reserved)

TLA_IDENT = re.compile(r"[A-Za-z0-9_]*[A-Za-z][A-Za-z0-9_]*")
STEMS = ["MS", "WF", "SF", "MS_", "WF_", "SF_", "x", "xMS_", "xWF_", "_", "__"] + sorted(RESERVED)

name_token = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
tricky = st.builds(lambda stem, tail: stem + tail, st.sampled_from(STEMS),
                   st.one_of(st.just(""), st.from_regex(r"_?[0-9]{1,2}", fullmatch=True), name_token))
identifier = st.one_of(name_token, tricky).filter(lambda s: re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", s))

KINDS = ["const", "mv", "type", "var", "actor", "local", "label", "prop", "module"]

LOOKUP_BOUND = 10_000


class CountingSet(set):
    """A set of taken names that fails once claims have looked into it too often."""

    lookups = 0

    def __contains__(self, item):
        CountingSet.lookups += 1
        assert CountingSet.lookups < LOOKUP_BOUND, f"the mangler does not end (looking at {item!r})"
        return super().__contains__(item)


def fresh_namer() -> Namer:
    n = Namer()
    n.taken = CountingSet()
    CountingSet.lookups = 0
    return n


def assert_usable(name: str) -> None:
    assert TLA_IDENT.fullmatch(name), name
    assert not is_reserved(name), name
    assert not name.startswith(("MS_", "WF_", "SF_")), name


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(KINDS), identifier), min_size=1, max_size=40, unique=True))
def test_claims_end_are_injective_and_avoid_reserved_names(claims):
    n = fresh_namer()
    given_names = {}
    for kind, key in claims:
        name = n.claim(kind, key)
        assert_usable(name)
        given_names[(kind, key)] = name
    assert len(set(given_names.values())) == len(given_names), given_names
    # asking again gives the same answer, and costs no new name
    for (kind, key), name in given_names.items():
        assert n.claim(kind, key) == name
    assert len(n.taken) == len(given_names)


@settings(max_examples=300, deadline=None)
@given(st.lists(identifier, min_size=1, max_size=30, unique=True))
def test_a_free_name_is_kept_as_written(names):
    n = fresh_namer()
    for key in names:
        name = n.claim("var", key)
        if not is_reserved(key) and key not in n.taken - {name} and TLA_IDENT.fullmatch(key):
            assert name == key


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(identifier, st.sets(identifier, max_size=30))
def test_fresh_bound_ends_and_avoids(name, avoid):
    counting = CountingSet(avoid)
    CountingSet.lookups = 0
    v = fresh_bound(name, counting)
    assert_usable(v)
    assert v not in avoid


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(st.sets(identifier, min_size=1, max_size=40))
def test_field_names_are_injective_and_never_keywords(fields):
    out = {f: field_name(f) for f in fields}
    assert len(set(out.values())) == len(out), out
    for f, t in out.items():
        assert TLA_IDENT.fullmatch(t), t
        assert t not in TLA_KEYWORDS and t not in PLUSCAL_KEYWORDS, t
        assert not t.startswith(("WF_", "SF_")), t


def test_the_prefixes_that_used_to_hang():
    """``MS_x``, ``WF_x`` and ``SF_x`` sent the suffix search into an endless loop (every
    ``MS_x_<n>`` is reserved too); so did the bare stems ``MS``, ``WF``, ``SF``."""
    n = fresh_namer()
    assert n.claim("var", "MS_x") == "xMS_x"
    assert n.claim("var", "WF_x") == "xWF_x"
    assert n.claim("var", "SF_x") == "xSF_x"
    assert n.claim("var", "MS") == "MS"  # free, and not reserved
    assert n.claim("local", "c.MS", "MS") == "xMS"  # taken: MS_1 would be reserved
    assert n.claim("var", "WF_") == "xWF_"
    assert n.claim("var", "xMS_x") == "xMS_x_1"  # taken by the renamed MS_x
    assert fresh_bound("WF_v", set()) == "xWF_v"
    assert fresh_bound("SF", {"SF", "xSF"}) == "xSF_1"


def test_cfg_keywords_are_renamed():
    """A constant named like a .cfg keyword would end the CONSTANTS section."""
    n = fresh_namer()
    for word in sorted(CFG_KEYWORDS):
        assert n.claim("const", word) == f"{word}_1"


def test_field_names_of_keywords_and_prefixes():
    assert field_name("when") == "when_" and field_name("when_") == "when__"
    assert field_name("WF_a") == "xWF_a" and field_name("xWF_a") == "xxWF_a"
    assert field_name("_") == "x_" and field_name("x_") == "xx_"
    assert field_name("page") == "page" and field_name("MS_flag") == "MS_flag"


def test_two_variants_that_would_share_a_module_name(tmp_path):
    """``Next`` is reserved, so variant ``Next`` becomes module ``Next_1``, the name variant
    ``Next_1`` has too: gen says so (it used to end in a Python traceback)."""
    from click.testing import CliRunner

    from movspec.cli import cli

    spec = tmp_path / "m.mspec"
    spec.write_text('model m\nvar x: 0..2 = 0\nactor a { step s { x = 1 } }\n'
                    'variant Next "b"\nvariant Next_1 extends Next "c"\n')
    r = CliRunner().invoke(cli, ["gen", str(spec), "--out", str(tmp_path / "gen")])
    assert isinstance(r.exception, SystemExit)
    assert r.exit_code == 1
    assert "error: two variants emit module Next_1; rename one of them" in r.stderr
    assert "Traceback" not in r.output + r.stderr
    assert not (tmp_path / "gen").exists()
