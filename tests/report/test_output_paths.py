"""No user string makes an output path leave its output directory.

The names that reach file names (variant, property and model names) are DSL identifiers:
the front end rejects anything else with a location. Every file-name builder also
sanitises on its own, so a name from elsewhere (a hand-built IR, a future syntax) stays a
single file name inside the directory: ITF traces (``itf_name``), the docs' variant pages
(``slug``) and the gen/ modules (the emitter's module name)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from movspec.emit import render_files
from movspec.load import load
from movspec.report.context import slug
from movspec.report.outputs import itf_name

from . import small

HOSTILE = ["..", "../../etc/passwd", "a/b", "/abs", ".hidden", "", "\x00", "C:\\x", "~", "a\nb", "..."]


def inside(directory: Path, name: str) -> bool:
    target = (directory / name).resolve()
    return target.parent == directory.resolve() and target.name == name


@pytest.mark.parametrize("variant", HOSTILE)
@pytest.mark.parametrize("prop", ["P", "..", "../x"])
def test_itf_names_stay_in_the_directory(tmp_path, variant, prop):
    for backend in ("builtin", "tlc"):
        name = itf_name(variant, prop, backend)
        assert "/" not in name and "\x00" not in name and not name.startswith(".")
        assert inside(tmp_path, name)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=20), st.text(max_size=20))
def test_itf_names_of_any_text_stay_in_the_directory(variant, prop):
    name = itf_name(variant, prop)
    assert name.endswith(".itf.json") and "/" not in name and not name.startswith(".")
    assert inside(Path("/tmp"), name)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=20))
def test_page_slugs_of_any_text_stay_in_the_directory(name):
    s = slug(name)
    assert s and "/" not in s and not s.startswith(".") and s not in (".", "..")
    assert inside(Path("/tmp/variants"), s + ".md")


@pytest.mark.parametrize("variant", ["../../evil", "a/b", ".."])
def test_gen_module_file_names_are_identifiers(variant):
    r = load([str(small.ROOT / small.SPEC)])
    m = replace(r.models["unlocked"], variant=variant)
    files = render_files([m])
    assert len(files) == 2
    for name in files:
        assert "/" not in name and not name.startswith(".")
        assert inside(Path("/tmp/gen"), name)


@pytest.mark.parametrize("decl", ["variant ../etc", "model ../m", "variant a/b"])
def test_the_front_end_rejects_a_name_that_is_not_an_identifier(tmp_path, decl):
    text = {"variant ../etc": 'model m\nvar x: 0..1 = 0\nactor a { step s { x = 1 } }\nvariant ../etc "x"\n',
            "model ../m": 'model ../m\nvar x: 0..1 = 0\nactor a { step s { x = 1 } }\n',
            "variant a/b": 'model m\nvar x: 0..1 = 0\nactor a { step s { x = 1 } }\nvariant a/b "x"\n'}[decl]
    p = tmp_path / "m.mspec"
    p.write_text(text)
    res = load([str(p)])
    assert not res.ok
    first = res.errors[0].render(res.sources)
    assert first.startswith(f"{p}:") and "expected" in first
