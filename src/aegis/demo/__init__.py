"""The demo organisation: realistic, deterministic sample data."""
