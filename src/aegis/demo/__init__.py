"""The demo organisation: realistic, deterministic sample data built through the services."""

from aegis.demo.seed import DEMO_PASSWORD, DemoSummary, has_data, seed_demo

__all__ = ["DEMO_PASSWORD", "DemoSummary", "has_data", "seed_demo"]
