"""Evidence: versioned, hashed files and links attached to controls and requirements."""
