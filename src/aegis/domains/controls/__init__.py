"""The organisation's controls and the framework requirements they meet."""
