"""Users and their role assignments."""
