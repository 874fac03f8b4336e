"""The `aegis` command line, run as an operator runs it, on a database of its own."""
