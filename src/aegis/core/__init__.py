"""Framework-free foundations: settings, database, errors, security, access rules."""
