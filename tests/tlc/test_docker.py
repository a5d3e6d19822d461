"""The Docker backend for real: builds the image on first use and checks a model in it.
Runs only when a Docker daemon is reachable (marked ``docker``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from movspec.tlc import check_model
from movspec.tlc.backend import DockerTLC

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "emit"))
import handmade  # noqa: E402


@pytest.mark.docker
def test_check_in_docker():
    res = check_model(handmade.model("nolock"), backend=DockerTLC())
    assert res.error is None, res.error
    assert res.verdict("NoUseAfterUnload").value == "violated"
    assert res.verdict("FreeHygiene").value == "holds"
    assert (res.stats.distinct, res.stats.depth) == (192, 15)
