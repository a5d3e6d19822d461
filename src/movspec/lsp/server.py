"""The movspec language server (LSP over stdio, on pygls).

* diagnostics: `movspec lint` of the model the document belongs to (every ``.mspec`` file of
  its directory; unsaved text of open documents), published on open, change and save, for
  every file of the model;
* hover: a step's kernel anchor and description, a variable's or local's type, a property's
  kind, a macro's or def's signature, ... with its description;
* go to definition: steps (from ``goto``, ``at``, ``replace``/``insert``/``remove``), macros,
  defs, variables, locals, constants, enums and atoms, properties, variants, across files;
* document symbols: the outline of a file.

Nothing a user types can stop the server: every handler turns an unexpected exception into a
log message and an empty answer.
"""

from __future__ import annotations

import asyncio
import functools
import sys
import traceback
from pathlib import Path

from lsprotocol import types as T
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .. import __version__
from .convert import Lines, diagnostic
from .model import Analysis, Models
from .resolve import Resolver, hover_markdown, word_at
from .symbols import document_symbols

DEBOUNCE_SECONDS = 0.2  # after a keystroke, wait this long for the next before re-checking


class MovspecServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("movspec", __version__,
                         text_document_sync_kind=T.TextDocumentSyncKind.Incremental)
        self.models = Models(self._open_text)
        self.published: set[str] = set()  # URIs that were last sent some diagnostics
        self.pending: dict[str, asyncio.TimerHandle] = {}  # directory -> scheduled check

    # ------------------------------------------------------------------ documents

    def _open_docs(self) -> dict[str, str]:
        """path -> URI of every open document."""
        out = {}
        for uri in list(self.workspace.text_documents):
            path = path_of(uri)
            out[path] = uri
        return out

    def _open_text(self, path: str) -> str | None:
        uri = self._open_docs().get(path)
        if uri is None:
            return None
        return self.workspace.get_text_document(uri).source

    def _uri(self, path: str, open_docs: dict[str, str]) -> str:
        if path in open_docs:
            return open_docs[path]
        p = Path(path)
        return p.as_uri() if p.is_absolute() else path

    @property
    def encoding(self) -> str:
        return self.workspace.position_encoding or T.PositionEncodingKind.Utf16

    def analyse(self, uri: str) -> Analysis:
        return self.models.analyse(path_of(uri))

    # ------------------------------------------------------------------ diagnostics

    def publish(self, uri: str) -> None:
        """Check the model of ``uri`` now and publish the diagnostics of each of its files."""
        an = self.analyse(uri)
        asking = path_of(uri)
        open_docs = self._open_docs()
        for path, diags in an.diagnostics_by_file(asking).items():
            target = uri if path == asking else self._uri(path, open_docs)
            if not diags and target not in self.published and target != uri:
                continue
            lines = Lines(an.texts.get(path, ""), self.encoding)
            version = None
            if target in open_docs.values():
                version = self.workspace.get_text_document(target).version
            self.text_document_publish_diagnostics(T.PublishDiagnosticsParams(
                uri=target, version=version, diagnostics=[diagnostic(d, lines) for d in diags]))
            if diags:
                self.published.add(target)
            else:
                self.published.discard(target)

    def schedule(self, uri: str, delay: float) -> None:
        key = str(Path(path_of(uri)).parent)
        old = self.pending.pop(key, None)
        if old is not None:
            old.cancel()
        if delay <= 0:
            guarded(self.publish)(uri)
            return
        loop = asyncio.get_running_loop()
        self.pending[key] = loop.call_later(delay, guarded(self.publish), uri)


def path_of(uri: str) -> str:
    """The file system path of a ``file:`` URI; other URIs (``untitled:``) stand for themselves."""
    path = to_fs_path(uri)
    return path if path else uri


def guarded(fn):
    """Run a handler; an unexpected exception is logged (stderr) and gives an empty answer."""
    @functools.wraps(fn)
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            return None
    return run


server = MovspecServer()


@server.feature(T.INITIALIZE)
@guarded
def initialize(ls: MovspecServer, params: T.InitializeParams) -> None:
    """``initializationOptions: {"models": [["spec", "proofs"], ...]}``: directories (relative to
    the workspace root) whose files form one model together, as `movspec lint spec/ proofs/`."""
    opts = params.initialization_options
    groups = opts.get("models") if isinstance(opts, dict) else None
    if not isinstance(groups, list):
        return
    root = params.root_path or (to_fs_path(params.root_uri) if params.root_uri else None)
    if not root and params.workspace_folders:
        root = to_fs_path(params.workspace_folders[0].uri)
    base = Path(root or ".")
    ls.models.groups = [[str(base / d) for d in g] for g in groups
                        if isinstance(g, list) and g and all(isinstance(d, str) for d in g)]


@server.feature(T.INITIALIZED)
async def initialized(ls: MovspecServer, params: T.InitializedParams) -> None:
    """Ask the client to say when `.mspec` files change on disk (a checkout, another editor)."""
    try:
        caps = ls.client_capabilities.workspace
        watch = caps.did_change_watched_files if caps is not None else None
        if watch is None or not watch.dynamic_registration:
            return
        await ls.client_register_capability_async(T.RegistrationParams(registrations=[T.Registration(
            id="movspec-mspec-files", method=T.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=T.DidChangeWatchedFilesRegistrationOptions(
                watchers=[T.FileSystemWatcher(glob_pattern="**/*.mspec")]))]))
    except Exception:
        traceback.print_exc(file=sys.stderr)


@server.feature(T.WORKSPACE_DID_CHANGE_WATCHED_FILES)
@guarded
def watched_files_changed(ls: MovspecServer, params: T.DidChangeWatchedFilesParams) -> None:
    # files on disk changed: re-check the model of every open document (once per directory)
    seen = set()
    for path, uri in ls._open_docs().items():
        key = str(Path(path).parent)
        if key not in seen:
            seen.add(key)
            ls.schedule(uri, 0)


@server.feature(T.TEXT_DOCUMENT_DID_OPEN)
@guarded
def did_open(ls: MovspecServer, params: T.DidOpenTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, 0)


@server.feature(T.TEXT_DOCUMENT_DID_CHANGE)
@guarded
def did_change(ls: MovspecServer, params: T.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, DEBOUNCE_SECONDS)


@server.feature(T.TEXT_DOCUMENT_DID_SAVE)
@guarded
def did_save(ls: MovspecServer, params: T.DidSaveTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, 0)


@server.feature(T.TEXT_DOCUMENT_DID_CLOSE)
@guarded
def did_close(ls: MovspecServer, params: T.DidCloseTextDocumentParams) -> None:
    # the saved file is the model now: re-check it, and publish for every file of the model
    ls.schedule(params.text_document.uri, 0)


@server.feature(T.TEXT_DOCUMENT_HOVER)
@guarded
def hover(ls: MovspecServer, params: T.HoverParams) -> T.Hover | None:
    uri = params.text_document.uri
    an = ls.analyse(uri)
    doc = ls.workspace.get_text_document(uri)
    text = doc.source
    lines = Lines(text, ls.encoding)
    line, col = lines.from_lsp(params.position)
    path = path_of(uri)
    syms, builtin = Resolver(an.index).resolve(path, text, line, col)
    if syms:
        value = hover_markdown(syms[0], len(syms) - 1)
    elif builtin:
        value = builtin
    else:
        return None
    w = word_at(text, line, col)
    rng = None
    if w is not None:
        rng = T.Range(start=lines.to_lsp(w.line, w.col), end=lines.to_lsp(w.line, w.col + len(w.name)))
    return T.Hover(contents=T.MarkupContent(kind=T.MarkupKind.Markdown, value=value), range=rng)


@server.feature(T.TEXT_DOCUMENT_DEFINITION)
@guarded
def definition(ls: MovspecServer, params: T.DefinitionParams) -> list[T.Location] | None:
    uri = params.text_document.uri
    an = ls.analyse(uri)
    text = ls.workspace.get_text_document(uri).source
    line, col = Lines(text, ls.encoding).from_lsp(params.position)
    syms, _ = Resolver(an.index).resolve(path_of(uri), text, line, col)
    if not syms:
        return None
    open_docs = ls._open_docs()
    out = []
    for s in syms:
        lines = Lines(an.index.sources.get(s.span.file, ""), ls.encoding)
        out.append(T.Location(uri=ls._uri(s.span.file, open_docs), range=lines.range(s.span)))
    return out


@server.feature(T.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
@guarded
def symbols(ls: MovspecServer, params: T.DocumentSymbolParams) -> list[T.DocumentSymbol] | None:
    uri = params.text_document.uri
    an = ls.analyse(uri)
    path = path_of(uri)
    tree = an.trees.get(path)
    if tree is None:
        return []
    return document_symbols(tree, Lines(an.index.sources.get(path, ""), ls.encoding))


def serve() -> None:
    """Run the server on stdin/stdout until the client says exit."""
    server.start_io()
