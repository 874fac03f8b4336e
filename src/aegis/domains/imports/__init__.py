"""Bulk import of assets, risks, controls and tasks from CSV and XLSX files."""
