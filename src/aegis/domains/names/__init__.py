"""Names of referenced objects, read for many ids at once within the reader's scope."""
