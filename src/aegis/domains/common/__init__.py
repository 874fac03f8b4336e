"""Mechanisms shared by every domain: listing, change records, reference checks."""
