"""Every bad input under tests/fixtures/check/ renders exactly as its ``.expected`` file says.

Each fixture is one mistake (or a few related ones); the expected file pins the full rendered
output: ``file:line:col: severity: message``, the source line, the caret and the hint.
Regenerate after a deliberate wording change with ``MOVSPEC_UPDATE_GOLDEN=1 pytest tests/check``
and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from movspec.diagnostics import Severity
from movspec.load import load_files
from tests.conftest import check_golden

CORPUS = Path(__file__).parent.parent / "fixtures" / "check"
CASES = sorted(CORPUS.glob("*.mspec"))


def render(path: Path) -> tuple[str, object]:
    result = load_files([(path.name, path.read_bytes())])
    return "\n".join(d.render(result.sources) for d in result.diagnostics) + "\n", result


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_rendered_diagnostics(path: Path) -> None:
    got, result = render(path)
    check_golden(path.with_suffix(".expected"), got)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_every_error_has_location_and_hint(path: Path) -> None:
    _, result = render(path)
    assert result.diagnostics, "each corpus file holds at least one mistake"
    for d in result.diagnostics:
        assert d.span is not None and d.span.line >= 1 and d.span.col >= 1
        assert d.hint, d.render()
    if not path.stem.startswith("unused"):
        assert any(d.severity is Severity.ERROR for d in result.diagnostics)
        assert not result.ok


def test_corpus_is_not_empty() -> None:
    assert len(CASES) >= 40
