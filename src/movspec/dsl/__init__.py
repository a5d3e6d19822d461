"""The dsl stage."""
