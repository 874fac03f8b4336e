"""Comments on risks and controls, and files attached to risks."""
