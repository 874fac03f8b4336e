"""Benchmarks of Aegis."""
