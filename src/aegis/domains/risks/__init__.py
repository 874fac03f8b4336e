"""The risk register and its scoring matrix."""
