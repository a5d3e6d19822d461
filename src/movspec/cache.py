"""The result cache: a variant whose resolved model and check settings did not change since a
result was stored is not checked again.

Key (``variant_key``): SHA-256 over a canonical text of the variant's resolved ``Model`` (every
field, source spans included, since traces and reports name DSL lines; the ``expect`` lines are
left out, since they are judged when the report is made), the back end, the budgets and
symmetry, the ``--const`` values, the tool's version and a digest of its own source files (an
edited checker never reuses the results of the old one). The canonical text walks dataclasses
field by field, orders sets by their canonical text and contains no ``id()`` or memory address;
a value of any other type makes the variant uncacheable (``None``) instead of risking a key
that differs between runs or, worse, collides.

Entries (``ResultCache``): one JSON file per key, ``<dir>/<key[:2]>/<key>.json``, written
atomically (``outfile.write_text``), holding the format number, the key and the whole
``CheckResult`` (counterexample traces included) in a typed encoding that decodes to an equal
object, plus a digest of that encoding. An entry that does not parse, names another key or
format, fails its digest or does not decode is ignored (the variant is checked again) and
replaced; nothing in it is executed (no pickle). Only complete results are stored: an
interrupted, budget-limited or failed check is checked again next time.

Directory: ``--cache-dir``, else ``$MOVSPEC_RESULT_CACHE``, else ``results/`` in the user cache
(``$MOVSPEC_CACHE``, ``$XDG_CACHE_HOME/movspec`` or ``~/.cache/movspec``).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from . import __version__
from .result import CheckResult, Fn, PropertyResult, Rec, Seq, Stats, Trace, TraceStep, Verdict
from .span import Span

FORMAT = 1
ENV = "MOVSPEC_RESULT_CACHE"

__all__ = ["ENV", "FORMAT", "ResultCache", "default_dir", "decode_result", "encode_result", "tool_digest",
           "variant_key"]


# ---------------------------------------------------------------------- the key


class Uncacheable(TypeError):
    """The model holds a value the canonical text does not know."""


def _canon(x: Any, memo: dict) -> str:
    if x is None or isinstance(x, (bool, int, str, float)):
        return repr(x)
    if isinstance(x, enum.Enum):
        return f"{type(x).__name__}.{x.name}"
    if isinstance(x, (tuple, list)):
        return "(" + ",".join(_canon(v, memo) for v in x) + ")"
    if isinstance(x, (frozenset, set)):
        return "{" + ",".join(sorted(_canon(v, memo) for v in x)) + "}"
    if isinstance(x, dict):
        return "<" + ",".join(f"{_canon(k, memo)}:{_canon(v, memo)}" for k, v in x.items()) + ">"
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        # IR nodes are shared (a def inlined at every use): each is rendered once per key; the
        # memo is keyed by identity only while this key is computed, and never appears in it
        hit = memo.get(id(x))
        if hit is not None and hit[0] is x:
            return hit[1]
        text = type(x).__qualname__ + "(" + ",".join(
            f"{f.name}={_canon(getattr(x, f.name), memo)}" for f in dataclasses.fields(x)) + ")"
        memo[id(x)] = (x, text)
        return text
    raise Uncacheable(f"no canonical form for {type(x).__name__}")


def model_text(model) -> str:
    """The canonical text of a resolved model, without its expectations."""
    return _canon(dataclasses.replace(model, expectations=()), {})


@functools.lru_cache(maxsize=1)
def tool_digest() -> str:
    """The version and a digest of the package's source files (grammar and templates too)."""
    h = hashlib.sha256(__version__.encode())
    root = Path(__file__).resolve().parent
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix in (".py", ".lark", ".j2", ".jinja", ".json", ".tla", ".cfg"):
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
    return f"{__version__}+{h.hexdigest()[:16]}"


def variant_key(model, backend: str, settings: dict) -> str | None:
    """The cache key of checking ``model`` with ``backend`` and ``settings`` (budgets,
    symmetry, --const values...; JSON-able), or None if the model cannot be keyed."""
    try:
        text = model_text(model)
    except (Uncacheable, RecursionError):
        return None
    head = json.dumps({"format": FORMAT, "tool": tool_digest(), "backend": backend, "settings": settings},
                      sort_keys=True, default=str)
    return hashlib.sha256((head + "\n" + text).encode()).hexdigest()


# ---------------------------------------------------------------------- the stored result

_CLASSES = {c.__name__: c for c in (CheckResult, PropertyResult, Stats, Trace, TraceStep, Span, Rec, Fn, Seq)}


def _enc(x: Any) -> Any:
    if isinstance(x, Verdict):  # a str too: before str
        return {"v": x.value}
    if x is None or type(x) is str:
        return x
    if isinstance(x, bool):
        return {"b": x}
    if isinstance(x, int):
        return {"i": x}
    if isinstance(x, float):
        return {"f": x}
    if isinstance(x, tuple):
        return {"t": [_enc(v) for v in x]}
    if isinstance(x, frozenset):
        return {"s": sorted((_enc(v) for v in x), key=lambda j: json.dumps(j, sort_keys=True))}
    if isinstance(x, dict):
        return {"d": [[k, _enc(v)] for k, v in x.items()]}
    name = type(x).__name__
    if _CLASSES.get(name) is type(x):
        return {"c": name, "a": {f.name: _enc(getattr(x, f.name)) for f in dataclasses.fields(x)}}
    raise TypeError(f"cannot store a {name} in the result cache")


def _dec(j: Any) -> Any:
    if j is None or type(j) is str:
        return j
    if not isinstance(j, dict) or len(j) not in (1, 2):
        raise ValueError("not an encoded value")
    if "c" in j:
        cls = _CLASSES[j["c"]]
        names = {f.name for f in dataclasses.fields(cls)}
        args = j["a"]
        if not isinstance(args, dict) or set(args) != names:
            raise ValueError(f"fields of {j['c']} differ")
        return cls(**{k: _dec(v) for k, v in args.items()})
    (tag, v), = j.items()
    if tag == "b" and isinstance(v, bool):
        return v
    if tag == "i" and isinstance(v, int) and not isinstance(v, bool):
        return v
    if tag == "f" and isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    if tag == "v":
        return Verdict(v)
    if tag == "t" and isinstance(v, list):
        return tuple(_dec(x) for x in v)
    if tag == "s" and isinstance(v, list):
        return frozenset(_dec(x) for x in v)
    if tag == "d" and isinstance(v, list):
        return {k: _dec(x) for k, x in v if isinstance(k, str)}
    raise ValueError(f"unknown tag {tag!r}")


def encode_result(r: CheckResult) -> Any:
    return _enc(r)


def decode_result(j: Any) -> CheckResult:
    r = _dec(j)
    if not isinstance(r, CheckResult):
        raise ValueError("not a check result")
    return r


def cacheable(r: CheckResult) -> bool:
    """Only a finished check is stored: not an interrupted, budget-limited or failed one."""
    return r.complete and r.reason is None and r.error is None


# ---------------------------------------------------------------------- the directory


def default_dir() -> Path:
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    from .tlc.release import cache_dir
    return cache_dir() / "results"


class ResultCache:
    """Check results on disk, by ``variant_key``. ``get`` never raises on a bad entry; ``put``
    stores complete results only and reports a failure to write as ``False``."""

    def __init__(self, directory: str | os.PathLike | None = None):
        self.dir = Path(directory) if directory is not None else default_dir()
        self.ignored: list[str] = []  # keys whose entries were unreadable or foreign

    def path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.json"

    def get(self, key: str | None) -> CheckResult | None:
        if key is None:
            return None
        p = self.path(key)
        try:
            data = p.read_bytes()
        except OSError:
            return None
        try:
            doc = json.loads(data.decode("utf-8"))
            body = doc["result"]
            digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
            if doc.get("format") != FORMAT or doc.get("key") != key or doc.get("digest") != digest:
                raise ValueError("foreign entry")
            r = decode_result(body)
            if not cacheable(r):
                raise ValueError("an incomplete result")
            return r
        except Exception:  # noqa: BLE001 - any damage means: check again
            self.ignored.append(key)
            return None

    def put(self, key: str | None, r: CheckResult) -> bool:
        if key is None or not cacheable(r):
            return False
        from .outfile import OutputError, write_text
        try:
            body = encode_result(r)
        except TypeError:
            return False
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        doc = {"format": FORMAT, "tool": "movspec", "version": tool_digest(), "key": key, "digest": digest,
               "result": body}
        try:
            write_text(self.path(key), json.dumps(doc, sort_keys=True) + "\n")
        except OutputError:
            return False
        return True
