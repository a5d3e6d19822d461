"""What a long command is doing, as it does it.

``CheckProgress`` follows one check at a time (``start``, ``phase``, ``update``, ``stop``):

* on a terminal, a live line per check: the phase (compiling, exploring, liveness,
  refinement, inductive, running TLC), the distinct states, states/s, depth and queue while
  the search explores, and the time elapsed, which keeps counting in phases that report
  nothing else;
* otherwise (output piped, CI), lines on stderr as TLC prints them: when a check starts,
  when its phase changes, every ``interval`` seconds while it runs, and when it ends.

``note(text)`` says what a command does between checks (``docs``: rendering, writing), as a
line when not on a terminal and in the live line when on one. ``MOVSPEC_PROGRESS_SECONDS``
sets the interval of the non-interactive lines (default 5 s).
"""

from __future__ import annotations

import os
import threading
import time
from typing import Callable

from rich.console import Console
from rich.text import Text

DEFAULT_INTERVAL = 5.0


def progress_interval() -> float:
    try:
        value = float(os.environ.get("MOVSPEC_PROGRESS_SECONDS", DEFAULT_INTERVAL))
    except ValueError:
        return DEFAULT_INTERVAL
    return value if value > 0 else DEFAULT_INTERVAL


def format_progress(p) -> str:
    """A search's progress (``explore.search.Progress``) in words."""
    return f"{p.distinct:,} distinct states, {p.rate:,.0f} states/s, depth {p.depth}, queue {p.queue:,}"


def _short(n: float) -> str:
    return f"{n:,.0f}" if n < 10_000 else f"{n / 1000:,.0f}k"


def progress_forms(p) -> list[str]:
    """The live line's detail, longest first: the first that fits the terminal is shown."""
    return [format_progress(p).replace(", ", "  "),
            f"{p.distinct:,} states  {p.rate:,.0f}/s  depth {p.depth}  queue {p.queue:,}",
            f"{p.distinct:,} states  {_short(p.rate)}/s  depth {p.depth}",
            f"{_short(p.distinct)} states  d{p.depth}",
            f"{_short(p.distinct)}"]


NARROW = 120  # columns below which the live line's bar is a short pulse


class CheckProgress:
    """Progress of the checks of one command (see the module docstring). ``console``: where
    the live line goes on a terminal; ``lines``: where the non-interactive lines go (default
    stderr). Disabled (``enabled=False``, e.g. ``--quiet``), it prints nothing."""

    def __init__(self, console: Console, enabled: bool = True, *, lines: Console | None = None,
                 interval: float | None = None, clock: Callable[[], float] = time.monotonic):
        self.console = console
        self.live = enabled and console.is_terminal
        self.lines = None
        if enabled and not self.live:
            self.lines = lines if lines is not None else Console(stderr=True, highlight=False, soft_wrap=True)
        self.interval = interval if interval is not None else progress_interval()
        self.clock = clock
        self._progress = None
        self._task = None
        self._lock = threading.RLock()
        self._label: str | None = None
        self._phase = ""
        self._detail = ""
        self._t0 = self._tphase = self._last = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._tasks: dict[str, object] = {}  # live lines of checks running elsewhere (``show``)

    # ------------------------------------------------------------------ context

    def __enter__(self):
        if self.live:
            from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
            from rich.table import Column
            narrow = self.console.width < NARROW
            keep = Column(no_wrap=True)
            self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}", table_column=keep),
                                      TextColumn("[cyan]{task.fields[phase]}", table_column=Column(no_wrap=True)),
                                      BarColumn(bar_width=4 if narrow else None, pulse_style="cyan"),
                                      TextColumn("{task.fields[info]}", table_column=Column(no_wrap=True)),
                                      TimeElapsedColumn(), console=self.console, transient=True)
            self._progress.__enter__()
        elif self.lines is not None:
            self._thread = threading.Thread(target=self._beat, name="movspec-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        if self._progress is not None:
            self._progress.__exit__(*exc)

    # ------------------------------------------------------------------ events

    def start(self, label: str, phase: str = "compiling") -> None:
        with self._lock:
            self._label, self._phase, self._detail = label, phase, ""
            self._t0 = self._tphase = self.clock()
            if self._progress is not None:
                self._task = self._progress.add_task(label, total=None, phase=phase, info="")
            elif self.lines is not None:
                self._emit(f"{label}: {phase}")

    def phase(self, name: str) -> None:
        """The check goes on to ``name`` (``explore.check``'s ``phase`` callback)."""
        with self._lock:
            if self._label is None or name == self._phase:
                return
            self._phase, self._detail = name, ""
            self._tphase = self.clock()
            if self._progress is not None and self._task is not None:
                self._progress.update(self._task, phase=name, info="")
            elif self.lines is not None:
                self._emit(f"{self._label}: {name}")

    def update(self, p) -> None:
        """The search's progress (``explore.check``'s ``progress`` callback)."""
        with self._lock:
            self._detail = format_progress(p)
            if self._progress is not None and self._task is not None:
                self._progress.update(self._task, info=self._fit(progress_forms(p)))

    def info(self, forms: list[str]) -> None:
        """What the running check reports in words, longest form first (a simulation's runs):
        the periodic lines give the first, the live line the longest that fits."""
        with self._lock:
            self._detail = forms[0]
            if self._progress is not None and self._task is not None:
                self._progress.update(self._task, info=self._fit(forms))

    def _fit(self, forms: list[str]) -> str:
        """The longest of ``forms`` that fits beside the label, the phase, the bar and the
        clock on one line of the terminal (else nothing: the phase matters more)."""
        bar = 4 if self.console.width < NARROW else 10
        used = 2 + len(self._label or "") + 1 + len(self._phase) + 1 + bar + 1 + 1 + 7
        room = self.console.width - used
        return next((f for f in forms if len(f) <= room), "")

    def stop(self, summary: str | None = None) -> None:
        with self._lock:
            if self._progress is not None and self._task is not None:
                self._progress.remove_task(self._task)
            elif self.lines is not None and self._label is not None:
                took = self.clock() - self._t0
                self._emit(f"{self._label}: " + (summary or "done") + f" ({took:.1f} s)")
            self._task = None
            self._label = None

    def note(self, text: str) -> None:
        """What the command does now, outside a check."""
        with self._lock:
            if self._progress is not None:
                self._progress.console.print(Text(text, style="dim"))
            elif self.lines is not None:
                self._emit(text)

    def show(self, label: str, phase: str) -> None:
        """On a terminal, a live line for a check that runs in another process (``check
        --jobs``), with its phase; ``hide`` removes it."""
        with self._lock:
            if self._progress is None:
                return
            task = self._tasks.get(label)
            if task is None:
                self._tasks[label] = self._progress.add_task(label, total=None, phase=phase, info="")
            else:
                self._progress.update(task, phase=phase)

    def hide(self, label: str) -> None:
        with self._lock:
            task = self._tasks.pop(label, None)
            if task is not None and self._progress is not None:
                self._progress.remove_task(task)

    def note_only_piped(self, text: str) -> None:
        """A line for the logs only (on a terminal the live display already says it)."""
        with self._lock:
            if self.lines is not None:
                self._emit(text)

    # ------------------------------------------------------------------ the lines

    def _emit(self, text: str) -> None:
        self._last = self.clock()
        self.lines.print(Text(f"progress: {text}"))

    def heartbeat(self) -> None:
        """The periodic line, when ``interval`` has passed since the last one."""
        with self._lock:
            if self.lines is None or self._label is None or self.clock() - self._last < self.interval:
                return
            now = self.clock()
            detail = f", {self._detail}" if self._detail and self._phase in ("exploring", "simulating") else ""
            self._emit(f"{self._label}: {self._phase}{detail}; {now - self._tphase:.0f} s in this phase, "
                       f"{now - self._t0:.0f} s in all")

    def _beat(self) -> None:
        while not self._stop.wait(min(self.interval / 4, 0.5)):
            self.heartbeat()
