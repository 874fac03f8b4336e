"""Security notices to users: written with the event that causes them, then e-mailed."""
