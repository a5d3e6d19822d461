"""Bad input never becomes a traceback: it becomes diagnostics with a place and a hint."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .dsl_strategies import decls
from movspec.dsl.printer import print_file
from movspec.load import load, load_files, load_text

FIXTURE = Path(__file__).parent.parent / "fixtures" / "ir" / "movable_small.mspec"
VALID = FIXTURE.read_text(encoding="utf-8")


def messages(r) -> list[str]:
    return [d.message for d in r.diagnostics]


def test_missing_file_and_empty_directory(tmp_path) -> None:
    r = load([tmp_path / "nope.mspec"])
    assert not r.ok and messages(r) == [f"no such file or directory: `{tmp_path / 'nope.mspec'}`"]
    r = load([tmp_path])
    assert not r.ok and messages(r) == [f"no .mspec files in directory `{tmp_path}`"]
    assert r.diagnostics[0].hint


def test_empty_file_next_to_a_model_is_fine(tmp_path) -> None:
    (tmp_path / "a.mspec").write_text(VALID)
    (tmp_path / "b.mspec").write_text("")
    assert load([tmp_path]).ok
    r = load([tmp_path / "b.mspec"])
    assert messages(r) == ["no `model` header"]


def test_binary_junk() -> None:
    r = load_files([("junk.mspec", b"\x7fELF\x02\x01\x01\x00\x00\x00\xff\xfe")])
    assert not r.ok
    (d,) = r.diagnostics
    assert d.message == "not UTF-8 text: byte 0xff cannot be decoded"
    assert (d.span.line, d.span.col) == (1, 11)
    r = load_files([("nul.mspec", b"model m\x00\n")])
    assert messages(r) == ["binary data (a NUL byte) in a movspec file"]


def test_byte_order_mark_is_ignored() -> None:
    assert load_files([("bom.mspec", b"\xef\xbb\xbf" + VALID.encode())]).ok


def test_unterminated_constructs() -> None:
    assert messages(load_text("model m\nactor a {\n step s { skip }\n")) == \
        ["unexpected end of file: expected one of `;`, `fair`, `local`, `step`, `unfair`, `}`"]
    assert messages(load_text('model m "title\n')) == ["unterminated string"]
    assert messages(load_text("model m /* comment\n")) == ["unterminated comment"]
    assert messages(load_text("model m\ninvariant I: (a && (b\n")) == \
        ["unexpected end of file: expected `)`"]


def test_deep_nesting() -> None:
    parens = "model m\nvar x: bool = " + "(" * 5000 + "true" + ")" * 5000 + "\nactor a { step s { x = true } }\n"
    assert load_text(parens).ok  # parentheses leave no trace in the tree
    for deep in ("!" * 1000 + "true", "(1 + " * 1000 + "1" + ")" * 1000, "{" * 1000 + "}" * 1000,
                 " + ".join(["1"] * 1000)):
        r = load_text(f"model m\nvar x: bool = {deep}\n")
        (d,) = r.diagnostics
        assert d.message == "expression nested too deeply" and d.span.line == 2
    r = load_text("model m\nvar x: bool = false\nactor a { step s {" + "if x { " * 1000 + "}" * 1000 + "}}\n")
    assert messages(r) == ["statements nested too deeply"]


def _check(r) -> None:
    for d in r.diagnostics:
        assert d.message and d.hint, d.render()
        assert d.span is not None and d.span.line >= 1 and d.span.col >= 1, d.render()
        d.render(r.sources)
    if not r.ok:
        assert r.errors


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.text(max_size=200))
def test_random_text(text: str) -> None:
    _check(load_text(text))


@FUZZ
@given(st.binary(max_size=200))
def test_random_bytes(data: bytes) -> None:
    _check(load_files([("x.mspec", data)]))


@FUZZ
@given(st.integers(0, len(VALID) - 1), st.integers(1, 40), st.text(max_size=8))
def test_damaged_model(pos: int, length: int, insert: str) -> None:
    """A valid model with a piece cut out and something else put in: diagnostics, no crash."""
    _check(load_text(VALID[:pos] + insert + VALID[pos + length:]))


@FUZZ
@given(st.lists(st.sampled_from(VALID.split()), min_size=1, max_size=60))
def test_shuffled_words(words: list[str]) -> None:
    _check(load_text("model m\n" + " ".join(words)))


@FUZZ
@given(st.lists(decls, min_size=1, max_size=6))
def test_random_well_formed_models(ds) -> None:
    """Syntactically valid models with arbitrary meaning: the builder and the checks report,
    they never crash."""
    _check(load_text("model m\n" + print_file(ds)))
