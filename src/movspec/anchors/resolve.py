"""Anchors against a kernel source tree: is each `file:function` still where the model says?

For every distinct anchor the anchored file is parsed (``cindex``) and the function looked up:

* ``defined``: the file defines it (a definition, a macro-defined body such as
  ``SYSCALL_DEFINE2(name, ...)``, a page-flag macro that generates it, or a ``#define``);
* ``declared``: the file only declares it (a prototype); where it is defined is looked up in
  the tree and reported;
* ``moved``: the file does not exist or does not have it, but another file of the tree
  defines or declares it (each such file is listed);
* ``vanished``: nowhere in the tree (the names the anchored file defines that are closest to
  it are listed as a hint: a rename keeps most of a name);
* ``malformed``: the anchor is not of the form ``path/file.c:function``.

moved, vanished and malformed anchors are missing. The tree search reads every ``.c`` and
``.h`` file once and parses only those that contain the name (or, for a name a page-flag macro
generates, its stem), so a whole kernel tree takes seconds, not minutes.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable

from .cindex import FileIndex, Symbol, generator_stems, index_source
from .collect import AnchorUse, split_anchor

__all__ = ["AnchorResult", "Report", "check_anchors", "DEFINING", "MISSING"]

DEFINING = ("definition", "macro-defined", "generated", "macro")
MISSING = ("moved", "vanished", "malformed")


@dataclass(frozen=True)
class Found:
    file: str  # relative to the kernel tree, with '/'
    symbol: Symbol

    def to_json(self) -> dict:
        return {"file": self.file, **self.symbol.to_json()}


@dataclass
class AnchorResult:
    anchor: str
    file: str | None
    function: str | None
    status: str  # defined | declared | moved | vanished | malformed
    file_exists: bool = False
    here: list[Symbol] = field(default_factory=list)  # what the anchored file has
    elsewhere: list[Found] = field(default_factory=list)  # other files of the tree
    parse_errors: int = 0  # syntax-error regions in the anchored file
    uses: list[AnchorUse] = field(default_factory=list)
    similar: list[str] = field(default_factory=list)  # vanished: close names the anchored file defines

    @property
    def missing(self) -> bool:
        return self.status in MISSING

    def to_json(self) -> dict:
        return {"anchor": self.anchor, "file": self.file, "function": self.function,
                "status": self.status, "missing": self.missing, "file_exists": self.file_exists,
                "here": [s.to_json() for s in self.here],
                "elsewhere": [f.to_json() for f in self.elsewhere],
                "parse_errors": self.parse_errors, "similar": self.similar,
                "uses": [u.to_json() for u in self.uses]}


@dataclass
class Report:
    kernel: str
    results: list[AnchorResult]
    files_searched: int = 0  # .c/.h files read by the tree search (0: no search was needed)
    files_parsed: int = 0

    @property
    def ok(self) -> bool:
        return not any(r.missing for r in self.results)

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in ("defined", "declared", "moved", "vanished", "malformed")}
        for r in self.results:
            out[r.status] += 1
        return out

    def to_json(self) -> dict:
        return {"kernel": self.kernel, "ok": self.ok, "counts": self.counts(),
                "files_searched": self.files_searched, "files_parsed": self.files_parsed,
                "anchors": [r.to_json() for r in self.results]}


def _safe_relative(path: str) -> bool:
    p = PurePosixPath(path)
    return not p.is_absolute() and ".." not in p.parts and "\\" not in path


class _Tree:
    """The kernel tree: parsed files, cached by relative path."""

    def __init__(self, root: Path, progress: Callable[[str], None] | None) -> None:
        self.root = root
        self.cache: dict[str, FileIndex] = {}
        self.progress = progress
        self.searched = 0

    def index(self, rel: str, data: bytes | None = None) -> FileIndex:
        ix = self.cache.get(rel)
        if ix is None:
            if data is None:
                data = (self.root / rel).read_bytes()
            ix = self.cache[rel] = index_source(data)
        return ix

    def sources(self) -> Iterable[tuple[str, Path]]:
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.endswith((".c", ".h")):
                    full = Path(dirpath) / name
                    yield full.relative_to(self.root).as_posix(), full

    def search(self, names: set[str]) -> dict[str, list[Found]]:
        """Every file of the tree that defines or declares one of ``names``."""
        needles = {n: {n.encode()} | {s.encode() for s in generator_stems(n)} for n in names}
        found: dict[str, list[Found]] = {n: [] for n in names}
        if not names:
            return found
        if self.progress:
            self.progress(f"searching {self.root} for {len(names)} name(s)")
        for rel, full in self.sources():
            try:
                data = full.read_bytes()
            except OSError:
                continue
            self.searched += 1
            hits = [n for n, ns in needles.items() if any(x in data for x in ns)]
            if not hits:
                continue
            ix = self.index(rel, data)
            for n in hits:
                found[n].extend(Found(rel, s) for s in ix.lookup(n))
        for n in found:  # definitions first, then by file
            found[n].sort(key=lambda f: (f.symbol.kind not in DEFINING, f.file, f.symbol.line))
        return found


def check_anchors(uses: list[AnchorUse], kernel: str | Path,
                  progress: Callable[[str], None] | None = None) -> Report:
    """Check every anchor of ``uses`` (grouped by anchor text) against the tree at ``kernel``."""
    root = Path(kernel)
    tree = _Tree(root, progress)
    results: dict[str, AnchorResult] = {}
    for u in uses:
        r = results.get(u.text)
        if r is None:
            parts = split_anchor(u.text)
            if parts is None or not _safe_relative(parts[0]):
                r = AnchorResult(u.text, None, None, "malformed")
            else:
                r = AnchorResult(u.text, parts[0], parts[1], "")
            results[u.text] = r
        r.uses.append(u)

    wanted: set[str] = set()
    for r in results.values():
        if r.status == "malformed":
            continue
        path = root / r.file
        r.file_exists = path.is_file()
        if r.file_exists:
            ix = tree.index(r.file)
            r.parse_errors = ix.errors
            r.here = list(ix.lookup(r.function))
        if any(s.kind in DEFINING for s in r.here):
            r.status = "defined"
        else:
            r.status = "declared" if r.here else ""
            wanted.add(r.function)

    found = tree.search(wanted)
    for r in results.values():
        if r.status in ("defined", "malformed"):
            continue
        r.elsewhere = [f for f in found.get(r.function, []) if f.file != r.file]
        if r.status == "":
            r.status = "moved" if r.elsewhere else "vanished"
        if r.status == "vanished" and r.file_exists:
            # a hint, not a verdict: renames keep most of a name (isolate_movable_ops_page)
            names = [n for n, syms in tree.index(r.file).symbols.items()
                     if any(x.kind in DEFINING for x in syms)]
            r.similar = difflib.get_close_matches(r.function, names, n=3, cutoff=0.88)
    return Report(str(kernel), list(results.values()), tree.searched, len(tree.cache))
