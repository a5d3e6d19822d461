"""Tests of the report stage."""
