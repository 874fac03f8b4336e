"""Aegis: cybersecurity risk management, compliance and audit platform."""
