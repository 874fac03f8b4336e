"""Organisational units: the tree that scopes every object and role."""
