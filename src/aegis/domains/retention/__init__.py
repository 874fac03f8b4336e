"""Retention: removing personal data and files past the days the settings keep them."""
