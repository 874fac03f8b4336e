"""API tokens for integrations: per user, limited to their units, expiring, revocable."""
