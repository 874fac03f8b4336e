"""Service-level tests, one package per domain."""
