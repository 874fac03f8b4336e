"""Tests of the assessments domain."""
