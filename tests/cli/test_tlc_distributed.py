"""``check --tlc-distributed`` without TLC: the combinations refused (exit 2, one line and a
hint), the settings built from the options, the join line for remote workers, and which
runs TLC's distributed server can decide. The runs themselves: tests/tlc/test_distributed.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from movspec.cli import cli
from movspec.cli.distributed import distributed_settings
from movspec.tlc.distributed import DEFAULT_PORT, Distributed, is_loopback, join_command
from movspec.tlc.session import _distributable

COUNT = str(Path(__file__).parents[1] / "fixtures" / "cli" / "count.mspec")


def _run(*args):
    return CliRunner().invoke(cli, ["check", COUNT, "-q", "--no-cache", *args], catch_exceptions=False)


@pytest.mark.parametrize("args, message", [
    (["--tlc-distributed", "2"], "--tlc-distributed runs TLC: add --backend tlc"),
    (["-b", "tlc", "--tlc-distributed", "0"], "no local worker and a loopback server"),
    (["-b", "tlc", "--tlc-port", "4000"], "--tlc-host and --tlc-port go with --tlc-distributed N"),
    (["-b", "tlc", "--tlc-distributed", "2", "--max-states", "10"], "TLCGet"),
    (["-b", "both", "--tlc-distributed", "1", "--max-depth", "3"], "TLCGet"),
])
def test_refused_combinations(args, message):
    res = _run(*args)
    assert res.exit_code == 2
    assert message in res.output
    assert "Traceback" not in res.output


def test_settings_from_the_options():
    kw = dict(threads=3, backend="tlc", max_states=None, max_depth=None)
    assert distributed_settings(None, None, None, **kw) is None
    assert distributed_settings(2, None, None, **kw) == Distributed(2, "127.0.0.1", None, 3)
    remote = distributed_settings(0, "build1.example.org", None, **kw)
    assert remote == Distributed(0, "build1.example.org", DEFAULT_PORT, 3) and remote.remote
    assert distributed_settings(1, "10.0.0.5", 4000, **kw).port == 4000


def test_loopback_names():
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.0.1.1", "localhost", "::1"))
    assert not any(is_loopback(h) for h in ("10.0.0.5", "build1.example.org"))


def test_join_line_names_host_port_and_threads():
    line = join_command(Distributed(0, "10.0.0.5", 4000, 8), "/opt/tla2tools.jar", "10.0.0.9")
    assert line == ("java -Djava.rmi.server.hostname=10.0.0.9 -Dtlc2.tool.distributed.TLCServer.port=4000 "
                    "-Dtlc2.tool.distributed.TLCWorker.threadCount=8 -cp /opt/tla2tools.jar "
                    "tlc2.tool.distributed.TLCWorker 10.0.0.5")


def test_remote_server_prints_how_workers_join():
    from io import StringIO

    from rich.console import Console

    from movspec.cli.distributed import print_join
    buf = StringIO()
    console = Console(file=buf, width=200, color_system=None)
    print_join(console, Distributed(2), "tla2tools.jar")  # loopback: nobody else can join
    assert buf.getvalue() == ""
    print_join(console, Distributed(0, "10.0.0.5", 4000, 2), "/opt/tla2tools.jar")
    text = buf.getvalue()
    assert "listens at 10.0.0.5:4000" in text and "docs/tlc-distributed.md" in text
    assert "-cp /opt/tla2tools.jar tlc2.tool.distributed.TLCWorker 10.0.0.5" in text


@pytest.mark.parametrize("cfg, ok", [
    ("SPECIFICATION Spec\nINVARIANTS\n    TypeOK\n", True),
    ("SPECIFICATION Spec\nCHECK_DEADLOCK FALSE\n", True),
    ("SPECIFICATION Spec\nPROPERTIES\n    Live\n", False),  # the server ignores them
    ("SPECIFICATION Spec\nCONSTRAINT MS_TypeBound\n", False),  # TLCSet/TLCGet
])
def test_which_runs_the_server_decides(cfg, ok):
    assert _distributable(cfg) is ok
