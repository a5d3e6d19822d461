"""Golden parser tests: one fixture per construct under tests/fixtures/dsl/.

Each ``X.mspec`` is parsed and dumped (node types, fields and spans) and compared with
``X.ast``. Regenerate after a deliberate change with ``MOVSPEC_UPDATE_GOLDEN=1`` and review.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from movspec.dsl.parser import parse
from tests.conftest import check_golden

FIXTURES = Path(__file__).parent.parent / "fixtures" / "dsl"
CASES = sorted(FIXTURES.glob("*.mspec"))


def dump(node, indent: int = 0) -> str:
    """An indented rendering of a syntax tree, spans included (``@line:col-line:col``)."""
    pad = "  " * indent
    if isinstance(node, (list, tuple)):
        if not node:
            return "()"
        return "\n" + "\n".join(f"{pad}- {dump(x, indent + 1).lstrip()}" for x in node)
    if not dataclasses.is_dataclass(node):
        return repr(node)
    span = getattr(node, "span", None)
    where = f" @{span.line}:{span.col}-{span.end_line}:{span.end_col}" if span else ""
    lines = [f"{type(node).__name__}{where}"]
    for f in dataclasses.fields(node):
        if f.name in ("span", "name_span", "extends_span", "fairness_span", "prop_spans", "text"):
            continue
        value = getattr(node, f.name)
        if value is None or value == () or dataclasses.is_dataclass(value) or isinstance(value, (list, tuple)):
            inner = dump(value, indent + 1)
            if inner.startswith("\n"):
                lines.append(f"{pad}  {f.name}:{inner}")
            else:
                lines.append(f"{pad}  {f.name}: {inner.lstrip()}")
        else:
            lines.append(f"{pad}  {f.name}: {value!r}")
    return "\n".join(lines)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden(path: Path) -> None:
    tree, diags = parse(path.read_text(encoding="utf-8"), path.name)
    assert diags == [], diags[0].render() if diags else ""
    got = dump(list(tree.decls)) + "\n"
    check_golden(path.with_suffix(".ast"), got)


def test_one_fixture_per_construct() -> None:
    assert len(CASES) >= 30
