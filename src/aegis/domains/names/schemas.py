"""The kinds of objects whose names can be read by id."""

from __future__ import annotations

from typing import Literal

RefKind = Literal["user", "unit", "asset", "control", "risk", "requirement", "framework"]
