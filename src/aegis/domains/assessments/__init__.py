"""Compliance assessments: results derived from controls and evidence, human overrides."""
