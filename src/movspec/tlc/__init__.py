"""The tlc stage."""
