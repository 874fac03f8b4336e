"""The asset inventory."""
