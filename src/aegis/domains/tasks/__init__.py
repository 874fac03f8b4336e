"""Remediation and review tasks linked to risks, assets and controls, with comments."""
