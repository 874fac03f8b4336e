"""Builders of domain objects for tests, one module per domain, all through the services."""
