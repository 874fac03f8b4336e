"""Search across risks, assets, controls, requirements, evidence and tasks."""
