"""The movspec language server: lint diagnostics as you type, hover, go to definition and
document symbols for ``.mspec`` files, over LSP (stdio). Run it with ``movspec lsp``; it
needs the ``lsp`` extra (``pip install 'movspec[lsp]'``: pygls and lsprotocol).

Modules: ``model`` (which files form the model of a document, and their analysis with
``movspec.load``), ``index`` (the names a model declares), ``resolve`` (what a name at a
position refers to; hover text), ``symbols`` (document outline), ``convert`` (positions and
diagnostics in LSP terms), ``server`` (the pygls server and its handlers).
"""
