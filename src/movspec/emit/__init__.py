"""The emit stage."""
