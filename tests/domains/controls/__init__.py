"""Tests of the controls domain."""
