"""Page routes, one module per area; each module has a `router`."""
