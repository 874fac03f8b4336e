"""`.env.example` documents every setting."""

from __future__ import annotations

import re
from pathlib import Path

from aegis.core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_documented_in_env_example() -> None:
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    for name, field in Settings.model_fields.items():
        aliases = set(field.validation_alias.choices) if field.validation_alias else {name.upper()}  # type: ignore[union-attr]
        assert aliases & documented, f"{name} ({', '.join(sorted(aliases))}) missing"
