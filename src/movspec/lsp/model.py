"""The model an open document belongs to, analysed as `movspec lint DIR` does.

A model is every ``.mspec`` file in the directory of the document (name order; see
``model_files`` for directories of stand-alone models and for models that span directories),
read from disk except for the documents open in the editor, whose unsaved text is used. The analysis
is ``movspec.load.load_files`` on those texts: its diagnostics, and the name index of the
syntax trees. A file that does not parse (mid-typing) keeps the last tree that did, so hover
and go-to-definition go on working while the model is broken.
"""

from __future__ import annotations

import re
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from ..diagnostics import Diagnostic, error
from ..dsl import ast as A
from ..dsl.parser import decode, parse
from ..load import LoadResult, load_files
from .index import Index, build_index


@dataclass
class Analysis:
    key: tuple
    paths: list[str]  # the model's files, in load order
    texts: dict[str, str]  # path -> the text analysed
    result: LoadResult
    index: Index
    trees: dict[str, A.File] = field(default_factory=dict)  # path -> tree used by the index
    stale: set[str] = field(default_factory=set)  # paths whose tree is from an earlier text

    def diagnostics_by_file(self, fallback: str) -> dict[str, list[Diagnostic]]:
        """Diagnostics grouped by the file they point into; those without a place (or in a
        file outside the model) go to ``fallback``, the document that asked."""
        out: dict[str, list[Diagnostic]] = {p: [] for p in self.paths}
        out.setdefault(fallback, [])
        for d in self.result.diagnostics:
            path = d.span.file if d.span is not None and d.span.file in out else fallback
            out[path].append(d)
        return out


_HEADER = re.compile(r"(?m)^[ \t]*model[ \t]+[A-Za-z_]")


def _has_header(path: Path) -> bool:
    try:
        return _HEADER.search(path.read_text("utf-8", "replace")) is not None
    except OSError:
        return False


def model_files(path: str, groups: Sequence[Sequence[str]] = (),
                has_header: Callable[[Path], bool] = _has_header) -> list[str]:
    """The files of the model ``path`` belongs to, in load order.

    That is every ``.mspec`` file of its directory (as `movspec lint DIR` loads them), or of
    every directory of its group when ``groups`` puts its directory in one (as `movspec lint
    spec/ proofs/`). A directory of stand-alone models (several files with a ``model``
    header, as examples/) is no one model: there, a file with a header is a model by itself.
    ``path`` itself is always one of the files."""
    p = Path(path)
    if not p.is_absolute():  # a document that is no file (`untitled:`): a model by itself
        return [path]
    dirs = [p.parent]
    for group in groups:
        if any(_same(p.parent, Path(d)) for d in group):
            dirs = [Path(d) for d in group]
            break
    files: list[Path] = []
    for d in dirs:
        try:
            if d.is_dir():
                files.extend(sorted(q for q in d.glob("*.mspec") if q.is_file()))
        except OSError:
            pass
    if len(dirs) == 1 and len(files) > 1 and has_header(p):
        if sum(1 for q in files if has_header(q)) > 1:
            return [str(p)]
    out = [str(q) for q in files]
    if str(p) not in out:  # a new file, not saved yet: in its place in name order
        at = next((i for i, q in enumerate(files) if q.parent == p.parent and q.name > p.name), None)
        if at is None:
            at = max((i + 1 for i, q in enumerate(files) if q.parent == p.parent), default=len(out))
        out.insert(at, str(p))
    return out


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b


def _encode(text: str) -> bytes:
    # bytes go through the same decoding as files read from disk (BOM, NUL, bad UTF-8)
    return text.encode("utf-8", "surrogatepass")


class Models:
    """Analyses models on demand, caching the latest per directory."""

    def __init__(self, open_text: Callable[[str], str | None], groups: Sequence[Sequence[str]] = ()):
        self.open_text = open_text  # path -> unsaved text of an open document, or None
        self.groups = [list(g) for g in groups]  # directories that form one model together
        self.cache: dict[str, Analysis] = {}  # directory -> latest analysis
        self.good: dict[str, tuple[str, A.File]] = {}  # path -> (text, tree) that last parsed

    def _read(self, path: str) -> str | bytes | None:
        text = self.open_text(path)
        if text is not None:
            return text
        try:
            return Path(path).read_bytes()
        except OSError:
            return None

    def _has_header(self, path: Path) -> bool:
        text = self.open_text(str(path))
        return _HEADER.search(text) is not None if text is not None else _has_header(path)

    def analyse(self, path: str) -> Analysis:
        paths = model_files(path, self.groups, self._has_header)
        data: list[tuple[str, bytes]] = []
        texts: dict[str, str] = {}
        for p in paths:
            raw = self._read(p)
            if raw is None:
                continue
            if isinstance(raw, str):
                texts[p] = raw
                raw = _encode(raw)
            else:
                texts[p] = raw.decode("utf-8", "replace")
            data.append((p, raw))
        key = tuple((p, hash(b)) for p, b in data)
        directory = paths[0] if len(paths) == 1 else str(Path(path).parent)
        cached = self.cache.get(directory)
        if cached is not None and cached.key == key:
            return cached
        result = _load(data, path)
        parsed = {f.path: f for f in result.files}
        trees: dict[str, A.File] = {}
        sources: dict[str, str] = {}
        stale: set[str] = set()
        for p in paths:
            if p in parsed:
                trees[p] = parsed[p]
                sources[p] = texts.get(p, "")
                self.good[p] = (sources[p], parsed[p])
            else:
                kept = self.good.get(p) or _saved_tree(p)
                if kept is not None:
                    sources[p], trees[p] = kept
                    stale.add(p)
        try:
            index = build_index(list(trees.values()), sources)
        except Exception:  # the index is a convenience: never let it take the server down
            traceback.print_exc(file=sys.stderr)
            index = build_index([], {})
        out = Analysis(key, [p for p, _ in data], texts, result, index, trees, stale)
        self.cache[directory] = out
        return out


def _saved_tree(path: str) -> tuple[str, A.File] | None:
    """The tree of the file as saved on disk, for a document that has not parsed since it was
    opened (its names are then still known to the rest of the model)."""
    try:
        text, _ = decode(Path(path).read_bytes(), path)
        if text is None:
            return None
        tree, _ = parse(text, path)
    except Exception:
        return None
    return (text, tree) if tree is not None else None


def _load(data: list[tuple[str, bytes]], asking: str) -> LoadResult:
    try:
        return load_files(data)
    except Exception as exc:  # a bug in the front end must not end the editing session
        traceback.print_exc(file=sys.stderr)
        res = LoadResult()
        res.diagnostics = [error(f"internal error while checking the model: {type(exc).__name__}: {exc}",
                                 None, "please report it with the model that triggers it", "internal")]
        return res
