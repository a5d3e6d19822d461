"""The explore stage."""
