"""``python -m movspec.lsp``: the language server on stdio (as ``movspec lsp``)."""

from .server import serve

serve()
