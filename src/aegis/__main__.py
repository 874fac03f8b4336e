"""`python -m aegis` runs the command line."""

from aegis.cli.app import main

main()
