"""The dsl stage: text -> syntax tree (``ast``) with spans; ``parse`` never raises."""

from .parser import parse

__all__ = ["parse"]
