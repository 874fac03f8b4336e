"""Frameworks as versioned data: requirement trees, their import and mappings between them."""
