"""Service tests of the risk register and its matrix."""
