"""Uploads refused as infected, listed for the administrators of their units."""
