"""The result cache: keys stable across runs, results identical with and without it, damaged
or foreign entries checked again, incomplete results never stored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from movspec.cache import ResultCache, decode_result, encode_result, variant_key
from movspec.cli import cli
from movspec.cli.run import interrupted_result
from movspec.explore import check as builtin_check
from movspec.load import load, load_text

COUNT = Path(__file__).parents[1] / "fixtures" / "cli" / "count.mspec"
ROOT = Path(__file__).parents[2]


def _check(*args, cache):
    r = CliRunner().invoke(cli, ["check", *args], env={"MOVSPEC_RESULT_CACHE": str(cache)},
                           catch_exceptions=False)
    return r


def _untimed(doc):
    for r in doc["results"]:
        r["stats"].pop("seconds")
    return doc


def test_key_is_the_same_in_another_process_with_another_hash_seed():
    m = load([COUNT]).models["racy"]
    here = variant_key(m, "builtin", {"symmetry": True})
    code = ("from movspec.load import load; from movspec.cache import variant_key; "
            f"print(variant_key(load([{str(COUNT)!r}]).models['racy'], 'builtin', {{'symmetry': True}}))")
    for seed in ("1", "12345"):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip()
        assert out == here


def test_key_follows_the_model_and_the_settings_but_not_the_expectations():
    text = COUNT.read_text()
    racy = load_text(text, "c.mspec").models["racy"]
    k = variant_key(racy, "builtin", {"symmetry": True})
    assert k == variant_key(load_text(text, "c.mspec").models["racy"], "builtin", {"symmetry": True})
    assert k != variant_key(racy, "builtin", {"symmetry": False})
    assert k != variant_key(racy, "tlc", {"symmetry": True})
    edited = load_text(text.replace("x = t + 1", "x = t + 0"), "c.mspec").models["racy"]
    assert k != variant_key(edited, "builtin", {"symmetry": True})
    no_expect = load_text(text.replace("expect racy violates AllCounted\n", ""), "c.mspec").models["racy"]
    assert k == variant_key(no_expect, "builtin", {"symmetry": True})
    # the traces name DSL lines: a variant whose lines moved is another key
    moved = load_text("// a new first line\n" + text, "c.mspec").models["racy"]
    assert k != variant_key(moved, "builtin", {"symmetry": True})


def test_every_shipped_variant_has_a_key():
    res = load([ROOT / "spec", ROOT / "proofs"])
    keys = {variant_key(m, "builtin", {}) for m in res.models.values()}
    assert None not in keys and len(keys) == len(res.models)


def test_a_result_with_a_trace_decodes_to_an_equal_result():
    r = builtin_check(load([COUNT]).models["racy"])
    assert r.property("AllCounted").trace is not None
    back = decode_result(json.loads(json.dumps(encode_result(r))))
    assert back == r
    assert type(back.property("AllCounted").verdict) is type(r.property("AllCounted").verdict)


def test_incomplete_results_are_not_stored(tmp_path):
    m = load([COUNT]).models["racy"]
    cache = ResultCache(tmp_path)
    assert not cache.put("a" * 64, interrupted_result(m, "builtin", True))
    assert not cache.put("b" * 64, builtin_check(m, max_states=2))
    assert list(tmp_path.rglob("*.json")) == []


def test_second_run_comes_from_the_cache_with_identical_output(tmp_path):
    cache = tmp_path / "cache"
    a, b, c = (tmp_path / f"{n}.json" for n in "abc")
    r1 = _check(str(COUNT), "-q", "--json", str(a), "--traces", "all", cache=cache)
    r2 = _check(str(COUNT), "-q", "--json", str(b), "--traces", "all", cache=cache)
    r3 = _check(str(COUNT), "-q", "--json", str(c), "--traces", "all", "--no-cache", cache=cache)
    assert r1.exit_code == r2.exit_code == r3.exit_code == 0
    assert "from the cache" not in r1.output and "from the cache" not in r3.output
    assert "from the cache: racy (builtin), atomic (builtin); --no-cache checks them again" in r2.output
    docs = [_untimed(json.loads(p.read_text())) for p in (a, b, c)]
    assert docs[0] == docs[1] == docs[2]
    assert r1.output.replace("\n", "").split("time")[0] == r2.output.replace("\n", "").split("time")[0]
    assert len(list(cache.rglob("*.json"))) == 2


def test_an_edit_to_one_variant_checks_that_variant_alone(tmp_path):
    cache = tmp_path / "cache"
    f = tmp_path / "count.mspec"
    f.write_text(COUNT.read_text())
    assert _check(str(f), "-q", cache=cache).exit_code == 0
    f.write_text(COUNT.read_text().replace("replace inc.write { x = x + 1 }", "replace inc.write { x = x + 1 }  "))
    assert "from the cache: racy" in _check(str(f), "-q", cache=cache).output  # same spans: all cached
    f.write_text(COUNT.read_text().replace("replace inc.write { x = x + 1 }", "replace inc.write { x = 1 + x }"))
    r = _check(str(f), "-q", cache=cache)
    assert "from the cache: racy (builtin); --no-cache" in r.output


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.rglob("*.json"))


def test_damaged_and_foreign_entries_are_checked_again(tmp_path):
    cache = tmp_path / "cache"
    ref = tmp_path / "ref.json"
    assert _check(str(COUNT), "-q", "--json", str(ref), cache=cache).exit_code == 0
    want = _untimed(json.loads(ref.read_text()))
    entries = _entries(cache)
    good = [p.read_bytes() for p in entries]

    def flip_verdict(data: bytes) -> bytes:  # a well-formed entry whose digest no longer fits
        assert b'"holds"' in data
        return data.replace(b'"holds"', b'"error"')

    def foreign(data: bytes) -> bytes:  # another variant's entry under this key
        other = next(g for g in good if g != data)
        return other

    damages = [lambda d: d[: len(d) // 2], lambda d: b"\x00\xff not json", lambda d: b"[]", flip_verdict, foreign,
               lambda d: d.replace(b'"format": 1', b'"format": 99')]
    for damage in damages:
        for p, data in zip(entries, good):
            p.write_bytes(damage(data))
        out = tmp_path / "out.json"
        r = _check(str(COUNT), "-q", "--json", str(out), cache=cache)
        assert r.exit_code == 0, r.output
        assert "from the cache" not in r.output, damage
        assert _untimed(json.loads(out.read_text())) == want
        # and the entries were replaced by good ones
        assert "from the cache: racy (builtin), atomic (builtin)" in _check(str(COUNT), "-q", cache=cache).output


def test_budget_limited_checks_are_checked_again(tmp_path):
    cache = tmp_path / "cache"
    for _ in range(2):
        r = _check(str(COUNT), "-q", "--max-states", "2", cache=cache)
        assert "from the cache" not in r.output
    assert _entries(cache) == []


def test_cache_directory_from_the_option_and_off_by_environment(tmp_path):
    d = tmp_path / "here"
    r = CliRunner().invoke(cli, ["check", str(COUNT), "-q", "--cache-dir", str(d)],
                           env={"MOVSPEC_RESULT_CACHE": "off"}, catch_exceptions=False)
    assert r.exit_code == 0 and len(_entries(d)) == 2
    r = CliRunner().invoke(cli, ["check", str(COUNT), "-q"], env={"MOVSPEC_RESULT_CACHE": "off"},
                           catch_exceptions=False)
    assert "from the cache" not in r.output
