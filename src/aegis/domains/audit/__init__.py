"""The audit trail, fed only by domain events."""
