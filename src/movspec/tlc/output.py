"""TLC's ``-tool`` output, read by message code.

In ``-tool`` mode TLC frames every message as::

    @!@!@STARTMSG <code>:<severity> @!@!@
    ...text...
    @!@!@ENDMSG <code> @!@!@

``parse_output`` walks that stream and keeps what movspec needs: statistics (2199, 2194,
2190), the run's end (2193 success, 2186 finished), and errors, each with its counterexample
states (2217), stuttering (2218) and loop-back (2122) markers. Decisions use the codes; prose is
read only where TLC offers nothing else: the name in "Invariant X is violated", the value of a
failed ``Assert`` (2132), and SANY's error list, which TLC prints unframed before 3002.
State values are parsed by ``values.parse_value``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

from .values import ValueSyntaxError, parse_value

START = re.compile(r"^@!@!@STARTMSG (\d+):(\d+) @!@!@$")
START_ANY = re.compile(r"@!@!@STARTMSG (\d+):(\d+) @!@!@\s*$")
END = re.compile(r"^@!@!@ENDMSG (\d+) @!@!@$")
LOCATION = re.compile(r"[Ll]ine (\d+), col(?:umn)? (\d+) to line (\d+), col(?:umn)? (\d+) (?:of module|in) (\w+)")

# Message codes (tlc2.output.EC / MP).
VERSION = 2262
SANY_FAILED = 3002
INIT_DONE = 2190
SUCCESS = 2193
STATS = 2199
DEPTH = 2194
FINISHED = 2186
PROGRESS = 2200
INVARIANT_BEHAVIOR = 2110
INVARIANT_INITIAL = 2107
INVARIANT_EVAL = 2111  # "Evaluating invariant X failed." (then the behaviour up to that state)
DEADLOCK = 2114
TEMPORAL = 2116
ASSERT_FAILED = 2132
STATE = 2217
STUTTER = 2218
BACK_TO_STATE = 2122
UNEXPECTED = 1000
OUT_OF_MEMORY = (1001, 1002, 1003)
COVERAGE_ACTION = 2772  # "<Action line ... of module M>: distinct:generated" (-coverage)
NESTED = 2103  # "The error occurred when TLC was evaluating the nested expressions ..."
ERROR_STARTERS = {INVARIANT_BEHAVIOR, INVARIANT_INITIAL, INVARIANT_EVAL, DEADLOCK, TEMPORAL,
                  ASSERT_FAILED, UNEXPECTED, SANY_FAILED, *OUT_OF_MEMORY}
# What movspec's own constraints print (``PrintT``) when they cut the search: a budget or the
# bound past a TypeOK violation (``tlc.bounds``). Unframed lines ``"movspec:<what>"``.
MARKER = re.compile(r'^"movspec:([\w-]+)"$')
INITIAL_STATE = "While working on the initial state:"
TRACE_HEADERS = {2121, 2264, 2120}  # "The behavior up to this point is:", "...counter-example:"


@dataclass(frozen=True)
class Message:
    code: int
    severity: int
    text: str


@dataclass
class TlcState:
    """One state of a counterexample: its number, the action (PlusCal label) that produced
    it (None for the initial state) and its variables as raw values."""

    num: int
    action: str | None
    values: dict[str, object]
    # ``var = value`` as TLC printed them (a value on one line): a state predicate in TLA+
    text: tuple[str, ...] = ()


@dataclass
class TlcError:
    kind: str  # invariant | deadlock | temporal | assert | eval | sany | memory | other
    # eval: TLC could not evaluate something (a runtime error: division by zero, a function
    # applied outside its domain, ...); ``name`` is the invariant when TLC says which
    code: int
    message: str
    name: str | None = None  # the violated invariant
    info: object = None  # the second argument of a failed Assert, parsed
    trace: list[TlcState] = field(default_factory=list)
    loop_to: int | None = None  # lasso: the trace loops back to this state number
    loop_action: str | None = None  # lasso: the action (label) of the step back to it
    stuttering: bool = False  # lasso: the last state stutters forever
    locations: list[tuple[int, int, str]] = field(default_factory=list)  # (line, col, module)


@dataclass
class SanyError:
    line: int | None
    col: int | None
    module: str | None
    message: str


@dataclass
class TlcOutput:
    version: str | None = None
    messages: list[Message] = field(default_factory=list)
    errors: list[TlcError] = field(default_factory=list)
    sany_errors: list[SanyError] = field(default_factory=list)
    generated: int | None = None
    distinct: int | None = None
    queue: int | None = None
    depth: int | None = None
    success: bool = False  # 2193 seen ("Model checking completed. No error has been found.")
    finished: bool = False  # 2186 seen (TLC ended normally, whatever it found)
    loose: list[str] = field(default_factory=list)  # unframed lines (SANY, Java)
    coverage: dict[str, tuple[int, int]] = field(default_factory=dict)  # action -> (distinct, generated)
    markers: set[str] = field(default_factory=set)  # what movspec's constraints cut (MARKER)

    @property
    def complete(self) -> bool:
        """The whole reachable state space was explored (TLC says so, or ran dry, and none of
        movspec's constraints cut it: TLC says "No error has been found" after a cut too)."""
        return self.finished and not self.markers and (self.success or self.queue == 0)

    def first(self, kind: str) -> TlcError | None:
        return next((e for e in self.errors if e.kind == kind), None)


def iter_messages(text: str | Iterator[str]) -> Iterator[Message | str]:
    """Framed messages, and unframed lines as plain strings. A message framed inside another
    (TLC nests the detail of an exception in message 1000) becomes part of the outer text."""
    lines = text.splitlines() if isinstance(text, str) else text
    stack: list[tuple[int, int, list[str]]] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        m = START_ANY.search(line)
        if m:
            prefix = line[:m.start()].strip()
            if prefix and stack:
                stack[-1][2].append(prefix)
            elif prefix:
                yield prefix
            stack.append((int(m.group(1)), int(m.group(2)), []))
            continue
        if not stack:
            yield line
            continue
        m = END.match(line)
        if m:
            code, sev, body = stack.pop()
            if stack:
                stack[-1][2].extend(body)
            else:
                yield Message(code, sev, "\n".join(body))
            continue
        stack[-1][2].append(line)
    while stack:
        code, sev, body = stack.pop()
        if stack:
            stack[-1][2].extend(body)
        else:
            yield Message(code, sev, "\n".join(body))


_NUM = re.compile(r"[\d,]+")


def _ints(text: str) -> list[int]:
    return [int(x.replace(",", "")) for x in _NUM.findall(text) if x.replace(",", "")]


def parse_state(text: str) -> TlcState:
    """A 2217 message: ``N: <Action line ... of module M>`` then ``/\\ var = value`` lines."""
    lines = text.split("\n")
    head = lines[0].strip()
    m = re.match(r"(\d+):\s*<(.*)>\s*$", head)
    if not m:
        raise ValueSyntaxError(f"unexpected state header {head!r}")
    num = int(m.group(1))
    what = m.group(2).strip()
    action = None if what.startswith("Initial predicate") else what.split(" ")[0].split("(")[0]
    values: dict[str, object] = {}
    texts: list[str] = []
    cur_name, cur_val = None, []
    for line in lines[1:]:
        vm = re.match(r"^/\\ (\w+) = (.*)$", line)
        if vm:
            if cur_name is not None:
                values[cur_name] = parse_value(" ".join(cur_val))
                texts.append(f"{cur_name} = {' '.join(cur_val)}")
            cur_name, cur_val = vm.group(1), [vm.group(2)]
        elif cur_name is not None and line.strip():
            cur_val.append(line.strip())
    if cur_name is not None:
        values[cur_name] = parse_value(" ".join(cur_val))
        texts.append(f"{cur_name} = {' '.join(cur_val)}")
    if not values and len(lines) == 2 and lines[1].strip() and not lines[1].startswith("/\\"):
        # a single variable is printed without the leading /\
        vm = re.match(r"^(\w+) = (.*)$", lines[1].strip())
        if vm:
            values[vm.group(1)] = parse_value(vm.group(2))
            texts.append(lines[1].strip())
    return TlcState(num, action, values, tuple(texts))


def parse_back_to(text: str) -> tuple[int | None, str | None]:
    """A 2122 message: the number of the state a lasso loops back to and the action of the
    step back. With ``-tool``, TLC prints ``24: Back to state: <compactor_get line 558, ...>``;
    without it, ``Back to state 24: <compactor_get line 558, ...>``."""
    m = (re.match(r"\s*(\d+):\s*Back to state\s*:?\s*(?:<([^\s>(]+))?", text)
         or re.match(r"\s*Back to state:?\s*(\d+)\s*[.:]?\s*(?:<([^\s>(]+))?", text))
    if not m:
        return None, None
    return int(m.group(1)), m.group(2)


def parse_output(text: str | Iterator[str]) -> TlcOutput:
    out = TlcOutput()
    current: TlcError | None = None
    for item in iter_messages(text):
        if isinstance(item, str):
            mk = MARKER.match(item.strip())
            if mk:
                out.markers.add(mk.group(1))
                continue
            out.loose.append(item)
            continue
        msg = item
        out.messages.append(msg)
        code = msg.code
        if code == VERSION:
            m = re.search(r"Version (\S+)", msg.text)
            out.version = m.group(1) if m else msg.text.strip()
        elif code == STATS:
            nums = _ints(msg.text)
            if len(nums) >= 3:
                out.generated, out.distinct, out.queue = nums[0], nums[1], nums[2]
        elif code == DEPTH:
            nums = _ints(msg.text)
            out.depth = nums[0] if nums else None
        elif code == SUCCESS:
            out.success = True
        elif code == FINISHED:
            out.finished = True
        elif code in (STATE, STUTTER, BACK_TO_STATE):
            if current is None:
                continue
            if code == STATE:
                current.trace.append(parse_state(msg.text))
            elif code == STUTTER:
                current.stuttering = True
            else:
                current.loop_to, current.loop_action = parse_back_to(msg.text)
        elif code == COVERAGE_ACTION:
            m = re.match(r"\s*<(\w+)[ (].*>:\s*(\d+):(\d+)\s*$", msg.text.strip())
            if m:
                out.coverage[m.group(1)] = (int(m.group(2)), int(m.group(3)))
        elif code in TRACE_HEADERS:
            continue
        elif code == NESTED:
            if current is not None:
                current.locations += _locations(msg.text)
        elif code in ERROR_STARTERS or msg.severity == 1:
            current = _error(msg)
            if current.kind == "sany":
                out.sany_errors = parse_sany(out.loose)
            out.errors.append(current)
    if any("OutOfMemoryError" in l for l in out.loose) and not any(e.kind == "memory" for e in out.errors):
        out.errors.append(TlcError("memory", 1001, "Java ran out of memory"))
    return out


def _locations(text: str) -> list[tuple[int, int, str]]:
    return [(int(m.group(1)), int(m.group(2)), m.group(5)) for m in LOCATION.finditer(text)]


def _error(msg: Message) -> TlcError:
    text = msg.text.strip()
    code = msg.code
    if code in (INVARIANT_BEHAVIOR, INVARIANT_INITIAL):
        m = re.search(r"Invariant (\S+) is violated", text)
        err = TlcError("invariant", code, text, name=m.group(1) if m else None)
        if code == INVARIANT_INITIAL:  # the state is printed in the message, not as 2217
            err.trace = initial_state(text.split("\n", 1)[1] if "\n" in text else "")
        return err
    if code == INVARIANT_EVAL:
        m = re.search(r"Evaluating invariant (\S+) failed\.?", text)
        return TlcError("eval", code, text, name=m.group(1) if m else None)
    if code == DEADLOCK:
        return TlcError("deadlock", code, text)
    if code == TEMPORAL:
        return TlcError("temporal", code, text)
    if code == ASSERT_FAILED:
        info = None
        parts = text.split("\n", 1)
        if len(parts) == 2:
            try:
                info = parse_value(parts[1].strip())
            except ValueSyntaxError:
                info = parts[1].strip()
        return TlcError("assert", code, text, info=info, locations=_locations(text))
    if code == SANY_FAILED:
        return TlcError("sany", code, text)
    if code in OUT_OF_MEMORY:
        return TlcError("memory", code, text)
    if INITIAL_STATE in text:  # a runtime error evaluating the initial state (or an invariant on it)
        head, _, state = text.partition(INITIAL_STATE)
        return TlcError("eval", code, head.strip(), locations=_locations(head), trace=initial_state(state))
    if code == UNEXPECTED:
        return TlcError("eval", code, text, locations=_locations(text))
    return TlcError("other", code, text, locations=_locations(text))


def initial_state(text: str) -> list[TlcState]:
    """The state TLC prints inside a message (``/\\ x = 1`` lines) as a one-state trace."""
    body = "\n".join(l for l in text.strip("\n").split("\n") if l.strip())
    if not body.strip():
        return []
    try:
        return [parse_state("1: <Initial predicate>\n" + body)]
    except ValueSyntaxError:
        return []


def parse_sany(lines: list[str]) -> list[SanyError]:
    """SANY's own error report (unframed): ``*** Errors: N`` then, per error, a location line
    and a message, separated by blank lines; or a parse error with ``at line L, column C``."""
    errors: list[SanyError] = []
    text = "\n".join(lines)
    if "*** Errors:" in text:
        tail = text.split("*** Errors:", 1)[1].split("\n", 1)[-1]
        blocks = [b.strip() for b in re.split(r"\n\s*\n", tail) if b.strip()]
        i = 0
        while i < len(blocks):
            m = LOCATION.search(blocks[i])
            if m and LOCATION.fullmatch(blocks[i].strip()):
                msg = blocks[i + 1] if i + 1 < len(blocks) else ""
                errors.append(SanyError(int(m.group(1)), int(m.group(2)), m.group(5), " ".join(msg.split())))
                i += 2
            elif m:
                rest = LOCATION.sub("", blocks[i]).strip()
                errors.append(SanyError(int(m.group(1)), int(m.group(2)), m.group(5), " ".join(rest.split())))
                i += 1
            else:
                if blocks[i].startswith(("Semantic", "Parsing", "Fatal")):
                    i += 1
                    continue
                errors.append(SanyError(None, None, None, " ".join(blocks[i].split())))
                i += 1
    pm = re.search(r"(Encountered .*?) at line (\d+), column (\d+)(?: in module (\w+))?", text, re.S)
    if pm and not errors:
        errors.append(SanyError(int(pm.group(2)), int(pm.group(3)), pm.group(4), " ".join(pm.group(1).split())))
    if not errors and "Lexical error" in text:
        lm = re.search(r"Lexical error at line (\d+), column (\d+)\.\s*(.*)", text)
        if lm:
            errors.append(SanyError(int(lm.group(1)), int(lm.group(2)), None, lm.group(3).strip()))
    return errors
