"""CLI: the options of ``movspec check`` for TLC's distributed mode (``tlc.distributed``):
``--tlc-distributed N`` local worker JVMs, ``--tlc-host`` and ``--tlc-port`` for workers on
other hosts; what they are checked against, and the join line printed for remote workers."""

from __future__ import annotations

import click
from rich.console import Console
from rich.text import Text

from .common import usage_error

GUIDE = "docs/tlc-distributed.md"


def tlc_distributed_options(f):
    f = click.option("--tlc-port", type=click.IntRange(1, 65535), metavar="PORT",
                     help="With --tlc-distributed: the RMI registry port of TLC's server (default: a "
                          "free port per run; 10997, TLC's own, with --tlc-host).")(f)
    f = click.option("--tlc-host", metavar="HOST",
                     help="With --tlc-distributed: the name or address workers on other hosts reach "
                          "this machine at (default 127.0.0.1: workers on this machine only).")(f)
    f = click.option("--tlc-distributed", type=click.IntRange(min=0), metavar="N",
                     help=f"TLC: run the safety search with TLC's distributed server and N worker JVMs "
                          f"on this machine, --workers threads each (0 with --tlc-host: remote workers "
                          f"only). See {GUIDE}.")(f)
    return f


def distributed_settings(n: int | None, host: str | None, port: int | None, *, threads: int, backend: str,
                         max_states, max_depth):
    """The ``Distributed`` settings the options ask for (None without --tlc-distributed);
    a usage error (exit 2) for a combination that cannot work."""
    if n is None:
        if host or port:
            usage_error("--tlc-host and --tlc-port go with --tlc-distributed N")
        return None
    if backend not in ("tlc", "both"):
        usage_error("--tlc-distributed runs TLC: add --backend tlc (or --backend both)")
    if max_states or max_depth:
        usage_error("--max-states and --max-depth are TLC state constraints that use TLCGet, which TLC's "
                    "distributed server does not support", "bound the run with --timeout instead")
    from ..tlc.distributed import DEFAULT_PORT, LOOPBACK, Distributed, is_loopback
    remote = host is not None and not is_loopback(host)
    dist = Distributed(workers=n, host=host or LOOPBACK, port=port or (DEFAULT_PORT if remote else None),
                       threads=threads)
    try:
        dist.check()
    except ValueError as exc:
        usage_error(f"--tlc-distributed {n}: {exc}", "give --tlc-host HOST for workers on other hosts")
    return dist


def print_join(console: Console, dist, jar: str | None) -> None:
    """How workers on other hosts join (only when the server is reachable from them)."""
    from ..tlc.distributed import join_command
    if dist is None or not dist.remote:
        return
    console.print(Text(
        f"TLC's server listens at {dist.host}:{dist.port} during each TLC run; a worker on another host "
        f"joins with (in a loop: every run is a new server, see {GUIDE}):", style="dim"))
    console.print(Text(f"  {join_command(dist, jar or 'tla2tools.jar')}", style="dim"), soft_wrap=True)
