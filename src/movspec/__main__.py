"""``python -m movspec``: the command line (as ``movspec``)."""

from .cli import main

main()
