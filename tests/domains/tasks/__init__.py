"""Tests of the tasks domain services."""
