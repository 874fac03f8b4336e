"""The `aegis` command line: database, users, units, frameworks, demo data, server."""
