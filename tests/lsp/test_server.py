"""The language server in a real LSP session: `python -m movspec lsp` started over stdio by a
pytest-lsp client, which opens, edits and queries the documents of tests/fixtures/lsp/model
(a model of two files: base.mspec and variants.mspec). Documents are opened with their text
(or an edited one) and never written to disk."""

from __future__ import annotations

import asyncio
import json
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp")
from lsprotocol import types as T  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient  # noqa: E402

pytestmark = pytest.mark.asyncio

MODEL = Path(__file__).resolve().parents[1] / "fixtures" / "lsp" / "model"
BASE = MODEL / "base.mspec"
VARIANTS = MODEL / "variants.mspec"
BASE_URI = BASE.as_uri()
VARIANTS_URI = VARIANTS.as_uri()
SESSION_GUARD_SECONDS = 120  # only so that a broken server fails the test instead of hanging it


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "movspec", "lsp"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(T.InitializeParams(
        capabilities=T.ClientCapabilities(), root_uri=MODEL.as_uri(),
        workspace_folders=[T.WorkspaceFolder(uri=MODEL.as_uri(), name="model")]))
    yield
    await lsp_client.shutdown_session()


# ---------------------------------------------------------------------------- helpers


def open_doc(client: LanguageClient, path: Path, text: str | None = None, version: int = 1) -> str:
    uri = path.as_uri()
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(T.DidOpenTextDocumentParams(text_document=T.TextDocumentItem(
        uri=uri, language_id="movspec", version=version,
        text=path.read_text() if text is None else text)))
    return uri


def change_doc(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.diagnostics.pop(uri, None)
    client.text_document_did_change(T.DidChangeTextDocumentParams(
        text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[T.TextDocumentContentChangeWholeDocument(text=text)]))


async def diagnostics_of(client: LanguageClient, uri: str) -> list[T.Diagnostic]:
    """The next diagnostics published for ``uri`` (callers pop the old ones first)."""
    async def wait():
        while uri not in client.diagnostics:
            await client.wait_for_notification(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        return list(client.diagnostics[uri])
    return await asyncio.wait_for(wait(), SESSION_GUARD_SECONDS)


def pos(text: str, needle: str, nth: int = 0, into: int = 0) -> T.Position:
    """The LSP position ``into`` characters into the ``nth`` occurrence of ``needle``."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    at += into
    line = text.count("\n", 0, at)
    return T.Position(line=line, character=at - (text.rfind("\n", 0, at) + 1))


async def hover_text(client: LanguageClient, uri: str, p: T.Position) -> str | None:
    h = await client.text_document_hover_async(T.HoverParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=p))
    if h is None:
        return None
    assert isinstance(h.contents, T.MarkupContent)
    return h.contents.value


async def definition(client: LanguageClient, uri: str, p: T.Position) -> list[T.Location]:
    res = await client.text_document_definition_async(T.DefinitionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=p))
    assert res is not None, "no definition found"
    return [res] if isinstance(res, T.Location) else list(res)


def name_range(text: str, needle: str, name: str, nth: int = 0) -> T.Range:
    """The range of ``name`` inside the ``nth`` occurrence of ``needle``."""
    start = pos(text, needle, nth, needle.index(name))
    return T.Range(start=start, end=T.Position(line=start.line, character=start.character + len(name)))


def lint_json(model_dir: Path) -> dict:
    """`movspec lint --json DIR`, run for real."""
    out = subprocess.run([sys.executable, "-m", "movspec", "lint", "--json", str(model_dir)],
                         capture_output=True, text=True, check=False)
    return json.loads(out.stdout)


# ---------------------------------------------------------------------------- diagnostics


async def test_an_error_is_published_as_lint_reports_it_and_cleared_once_fixed(client, tmp_path):
    good = BASE.read_text()
    bad = good.replace("        lock = self\n", "        lokc = self\n", 1)
    assert bad != good
    uri = open_doc(client, BASE, bad)
    diags = await diagnostics_of(client, uri)
    assert len(diags) == 1
    d = diags[0]
    assert d.message == "unknown name `lokc`\nhint: did you mean `lock`?"
    assert d.severity == T.DiagnosticSeverity.Error
    assert d.code == "undefined-name"
    assert d.source == "movspec"
    line = bad.split("\n").index("        lokc = self")
    assert d.range == T.Range(start=T.Position(line=line, character=8), end=T.Position(line=line, character=12))

    # the same finding, message, hint, severity and place as `movspec lint` on the same files
    shutil.copy(VARIANTS, tmp_path / "variants.mspec")
    (tmp_path / "base.mspec").write_text(bad)
    (lint,) = lint_json(tmp_path)["diagnostics"]
    assert d.message == f"{lint['message']}\nhint: {lint['hint']}"
    assert lint["severity"] == "error"
    s = lint["span"]
    assert (d.range.start.line + 1, d.range.start.character + 1) == (s["line"], s["col"])
    assert (d.range.end.line + 1, d.range.end.character + 1) == (s["end_line"], s["end_col"])

    # the fix as an editor sends it: an incremental change of the four characters
    client.diagnostics.pop(uri, None)
    client.text_document_did_change(T.DidChangeTextDocumentParams(
        text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[T.TextDocumentContentChangePartial(range=d.range, text="lock")]))
    assert await diagnostics_of(client, uri) == []


async def test_an_error_in_another_file_of_the_model_is_published_for_that_file(client):
    # an unsaved edit of variants.mspec that replaces a step base.mspec does not have
    text = VARIANTS.read_text().replace("replace cpu.acquire", "replace cpu.aquire", 1)
    uri = open_doc(client, VARIANTS, text)
    diags = await diagnostics_of(client, uri)
    assert any("aquire" in d.message and d.severity == T.DiagnosticSeverity.Error for d in diags)
    (d,) = [d for d in diags if "aquire" in d.message]
    assert d.range.start.line == pos(text, "cpu.aquire").line


async def test_a_file_of_the_model_changed_on_disk_is_rechecked(client, tmp_path):
    for f in (BASE, VARIANTS):
        shutil.copy(f, tmp_path / f.name)
    uri = open_doc(client, tmp_path / "base.mspec")
    assert await diagnostics_of(client, uri) == []
    # variants.mspec is not open; it changes on disk (a checkout) and the client says so
    disk = tmp_path / "variants.mspec"
    disk.write_text(disk.read_text().replace("violates MutualExclusion", "violates MutualExclusio"))
    vuri = disk.as_uri()
    client.diagnostics.pop(vuri, None)
    client.workspace_did_change_watched_files(T.DidChangeWatchedFilesParams(
        changes=[T.FileEvent(uri=vuri, type=T.FileChangeType.Changed)]))
    (d,) = await diagnostics_of(client, vuri)
    assert "MutualExclusio`" in d.message and d.severity == T.DiagnosticSeverity.Error
    assert d.message == "{message}\nhint: {hint}".format(**lint_json(tmp_path)["diagnostics"][0])


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "movspec", "lsp"]))
async def watching_client(lsp_client: LanguageClient):
    lsp_client.registrations = []
    lsp_client.registered = asyncio.Event()

    @lsp_client.feature(T.CLIENT_REGISTER_CAPABILITY)
    def register(params: T.RegistrationParams):
        lsp_client.registrations.extend(params.registrations)
        lsp_client.registered.set()

    await lsp_client.initialize_session(T.InitializeParams(capabilities=T.ClientCapabilities(
        workspace=T.WorkspaceClientCapabilities(did_change_watched_files=T.DidChangeWatchedFilesClientCapabilities(
            dynamic_registration=True)))))
    yield
    await lsp_client.shutdown_session()


async def test_the_server_asks_to_watch_mspec_files_when_the_client_can(watching_client):
    client = watching_client
    await asyncio.wait_for(client.registered.wait(), SESSION_GUARD_SECONDS)
    (reg,) = client.registrations
    assert reg.method == T.WORKSPACE_DID_CHANGE_WATCHED_FILES
    assert reg.register_options == {"watchers": [{"globPattern": "**/*.mspec"}]}


async def test_a_warning_keeps_its_severity_and_hint(client):
    text = BASE.read_text() + "\nvar ghost: bool = false\n"
    uri = open_doc(client, BASE, text)
    diags = await diagnostics_of(client, uri)
    (d,) = diags
    assert d.severity == T.DiagnosticSeverity.Warning
    assert d.message == "variable `ghost` is never used\nhint: remove it, or use it"
    assert d.range == name_range(text, "var ghost", "ghost")
    # published again on save
    client.diagnostics.pop(uri, None)
    client.text_document_did_save(T.DidSaveTextDocumentParams(text_document=T.TextDocumentIdentifier(uri=uri)))
    assert await diagnostics_of(client, uri) == diags


async def test_a_syntax_error_mid_typing_is_a_diagnostic_and_hover_goes_on(client):
    good = BASE.read_text()
    cut = good[:good.index("step enter") + len("step enter \"enter the")]  # an unterminated string
    uri = open_doc(client, BASE, good)
    assert await diagnostics_of(client, uri) == []
    change_doc(client, uri, cut, 2)
    (d,) = await diagnostics_of(client, uri)
    assert d.severity == T.DiagnosticSeverity.Error
    assert d.message.startswith("unterminated string")
    # the broken file keeps its last good tree: hover on `lock` still shows the variable
    value = await hover_text(client, uri, pos(cut, "await lock", into=7))
    assert value is not None and "var lock: Cpus | Owner = nobody" in value


async def test_random_bytes_and_truncated_text_never_stop_the_server(client):
    for seed in (1, 2, 3):
        await _garbage_then_good(client, seed)


async def _garbage_then_good(client: LanguageClient, seed: int) -> None:
    rng = random.Random(seed)
    noise = bytes(rng.randrange(256) for _ in range(2000)).decode("latin-1")  # NULs, controls...
    good = BASE.read_text()
    truncated = good[:rng.randrange(1, len(good))]
    uri = open_doc(client, BASE, noise)
    diags = await diagnostics_of(client, uri)
    assert diags and all(d.severity == T.DiagnosticSeverity.Error for d in diags)
    # requests on the garbage answer (with nothing, or something), and do not fail
    for line in range(0, 5):
        await hover_text(client, uri, T.Position(line=line, character=3))
    await client.text_document_document_symbol_async(T.DocumentSymbolParams(
        text_document=T.TextDocumentIdentifier(uri=uri)))
    change_doc(client, uri, truncated, 2)
    await diagnostics_of(client, uri)
    await hover_text(client, uri, T.Position(line=truncated.count("\n"), character=0))
    # the server still answers: a hover on the other file of the model
    vtext = VARIANTS.read_text()
    vuri = open_doc(client, VARIANTS)
    value = await hover_text(client, vuri, pos(vtext, "replace cpu.acquire", into=len("replace cpu.")))
    assert value is not None and "step cpu.acquire" in value
    # and once the text is good again, so does the document itself
    change_doc(client, uri, good, 3)
    assert await diagnostics_of(client, uri) == []
    assert "var lock" in (await hover_text(client, uri, pos(good, "await lock", into=7)) or "")


# ---------------------------------------------------------------------------- hover


async def test_hover_on_a_step_shows_its_kernel_function_and_description(client):
    text = BASE.read_text()
    uri = open_doc(client, BASE)
    value = await hover_text(client, uri, pos(text, "goto acquire", into=6))
    assert value is not None
    assert 'step cpu.acquire @ "include/linux/spinlock.h:spin_lock"' in value
    assert "kernel: `spin_lock` in `include/linux/spinlock.h`" in value
    assert "take the lock when it is free" in value
    # at the step's own name too, and from the variant that replaces it (another file)
    assert value == await hover_text(client, uri, pos(text, "step acquire", into=6))
    vtext = VARIANTS.read_text()
    vuri = open_doc(client, VARIANTS)
    replaced = await hover_text(client, vuri, pos(vtext, "cpu.acquire", into=5))
    assert replaced is not None and "take the lock when it is free" in replaced
    assert "replaced in variant `racy`" in replaced


async def test_hover_on_a_variable_and_a_local_shows_type_and_description(client):
    text = BASE.read_text()
    uri = open_doc(client, BASE)
    value = await hover_text(client, uri, pos(text, "await lock", into=7))
    assert value is not None
    assert "var lock: Cpus | Owner = nobody" in value
    assert "who holds the lock" in value
    local = await hover_text(client, uri, pos(text, "if spins", into=4))
    assert local is not None and "local cpu.spins: 0..MaxSpins = 0" in local
    const = await hover_text(client, uri, pos(text, "< MaxSpins", into=3))
    assert const is not None and "const MaxSpins = 2" in const


async def test_hover_on_a_property_macro_and_def(client):
    vtext = VARIANTS.read_text()
    vuri = open_doc(client, VARIANTS)
    value = await hover_text(client, vuri, pos(vtext, "violates MutualExclusion", into=10))
    assert value is not None
    assert "invariant MutualExclusion" in value and "*invariant property*" in value
    assert "at most one CPU is in the critical section" in value
    text = BASE.read_text()
    uri = open_doc(client, BASE)
    macro = await hover_text(client, uri, pos(text, "spin_unlock()", 1, 2))
    assert macro is not None and 'macro spin_unlock() @ "include/linux/spinlock.h:spin_unlock"' in macro
    assert "release the lock" in macro
    d = await hover_text(client, uri, pos(text, "=> holds(c)", into=4))
    assert d is not None and "def holds(c)" in d and "CPU c holds the lock" in d
    builtin = await hover_text(client, uri, T.Position(line=0, character=5))  # in a comment
    assert builtin is None


# ---------------------------------------------------------------------------- definition


async def test_definition_of_a_step_from_goto_and_from_a_variant_in_another_file(client):
    text = BASE.read_text()
    vtext = VARIANTS.read_text()
    uri = open_doc(client, BASE)
    vuri = open_doc(client, VARIANTS)
    target = T.Location(uri=BASE_URI, range=name_range(text, "step acquire", "acquire"))
    assert await definition(client, uri, pos(text, "goto acquire", into=5)) == [target]
    assert await definition(client, vuri, pos(vtext, "replace cpu.acquire", into=14)) == [target]
    assert await definition(client, vuri, pos(vtext, "insert after cpu.acquire", into=20)) == [target]
    # `at {enter, leave}` in a property: the steps of the actor named before `at`
    leave = await definition(client, uri, pos(text, "at {enter, leave}", into=12))
    assert leave == [T.Location(uri=BASE_URI, range=name_range(text, "step leave", "leave"))]
    # the actor of `replace cpu.acquire`
    actor = await definition(client, vuri, pos(vtext, "replace cpu.acquire", into=9))
    assert actor == [T.Location(uri=BASE_URI, range=name_range(text, "actor cpu", "cpu"))]


async def test_definition_of_macros_defs_variables_constants_atoms_properties_variants(client):
    text = BASE.read_text()
    vtext = VARIANTS.read_text()
    uri = open_doc(client, BASE)
    vuri = open_doc(client, VARIANTS)

    async def expect(doc_uri, doc_text, needle, into, target_needle, name, target_text=text, nth=0,
                     target_uri=BASE_URI):
        got = await definition(client, doc_uri, pos(doc_text, needle, nth, into))
        assert got == [T.Location(uri=target_uri, range=name_range(target_text, target_needle, name))], needle

    await expect(uri, text, "spin_unlock()", 2, "macro spin_unlock", "spin_unlock", nth=1)
    await expect(uri, text, "=> holds(c)", 4, "def holds", "holds")
    await expect(uri, text, "await lock", 7, "var lock", "lock")
    await expect(uri, text, "in_cs = in_cs |", 9, "var in_cs", "in_cs")
    await expect(uri, text, "< MaxSpins", 3, "const MaxSpins", "MaxSpins")
    await expect(uri, text, "if spins", 4, "local spins", "spins")
    await expect(uri, text, "lock == nobody", 9, "enum Owner { nobody", "nobody")
    await expect(uri, text, "forall c in Cpus", 12, "const Cpus", "Cpus")
    await expect(vuri, vtext, "violates MutualExclusion", 10, "invariant MutualExclusion", "MutualExclusion")
    await expect(vuri, vtext, "extends test_and_set", 9, "variant test_and_set", "test_and_set",
                 target_text=vtext, target_uri=VARIANTS_URI)
    # a variant named by an `expect`
    await expect(vuri, vtext, "expect racy", 8, "variant racy", "racy", target_text=vtext,
                 target_uri=VARIANTS_URI)


async def test_definition_uses_the_unsaved_text_of_open_documents(client):
    # an edit that is not saved moves the step two lines down; definition follows the edit
    text = BASE.read_text().replace("    step acquire", "\n\n    step acquire", 1)
    uri = open_doc(client, BASE, text)
    vtext = VARIANTS.read_text()
    vuri = open_doc(client, VARIANTS)
    got = await definition(client, vuri, pos(vtext, "replace cpu.acquire", into=14))
    assert got == [T.Location(uri=uri, range=name_range(text, "step acquire", "acquire"))]


# ---------------------------------------------------------------------------- symbols


def _outline(symbols) -> list:
    return [(s.name, s.kind, _outline(s.children or [])) for s in symbols]


async def test_document_symbols_outline_the_file(client):
    uri = open_doc(client, BASE)
    syms = await client.text_document_document_symbol_async(T.DocumentSymbolParams(
        text_document=T.TextDocumentIdentifier(uri=uri)))
    K = T.SymbolKind
    assert _outline(syms) == [
        ("lsplock", K.Namespace, []),
        ("Cpus", K.Constant, []),
        ("MaxSpins", K.Constant, []),
        ("Owner", K.Enum, []),
        ("lock", K.Variable, []),
        ("in_cs", K.Variable, []),
        ("holds(c)", K.Function, []),
        ("spin_unlock()", K.Function, []),
        ("cpu", K.Class, [("spins", K.Variable, []), ("acquire", K.Method, []), ("enter", K.Method, []),
                          ("leave", K.Method, []), ("release", K.Method, [])]),
        ("MutualExclusion", K.Property, []),
        ("OwnerInside", K.Property, []),
    ]
    text = BASE.read_text()
    cpu = syms[8]
    assert cpu.selection_range == name_range(text, "actor cpu", "cpu")
    assert cpu.children[1].selection_range == name_range(text, "step acquire", "acquire")
    assert cpu.children[1].detail == "include/linux/spinlock.h:spin_lock"

    vuri = open_doc(client, VARIANTS)
    vsyms = await client.text_document_document_symbol_async(T.DocumentSymbolParams(
        text_document=T.TextDocumentIdentifier(uri=vuri)))
    assert _outline(vsyms) == [
        ("test_and_set", K.Object, []),
        ("racy", K.Object, [("replace cpu.acquire", K.Method, []), ("cpu.take", K.Method, [])]),
        ("expect test_and_set holds all", K.Event, []),
        ("expect racy violates MutualExclusion", K.Event, []),
    ]


# ---------------------------------------------------------------------------- several directories

ROOT = Path(__file__).resolve().parents[2]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "movspec", "lsp"]))
async def project_client(lsp_client: LanguageClient):
    # spec/ and proofs/ form one model, as `movspec lint spec/ proofs/`
    await lsp_client.initialize_session(T.InitializeParams(
        capabilities=T.ClientCapabilities(), root_uri=ROOT.as_uri(),
        initialization_options={"models": [["spec", "proofs"]]}))
    yield
    await lsp_client.shutdown_session()


async def test_directories_named_as_one_model_are_checked_together(project_client):
    client = project_client
    proof = ROOT / "proofs" / "ownership.mspec"
    text = proof.read_text()
    uri = open_doc(client, proof)
    assert await diagnostics_of(client, uri) == []
    # a name of spec/ used in proofs/ goes to its declaration there
    m = re.search(r"\bholds_isolation\(", text)
    assert m is not None
    line = text.count("\n", 0, m.start())
    p = T.Position(line=line, character=m.start() - (text.rfind("\n", 0, m.start()) + 1) + 2)
    model = (ROOT / "spec" / "model.mspec").read_text()
    assert await definition(client, uri, p) == [T.Location(
        uri=(ROOT / "spec" / "model.mspec").as_uri(), range=name_range(model, "def holds_isolation", "holds_isolation"))]
