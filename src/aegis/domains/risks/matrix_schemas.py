"""The risk matrix schema: its grid, the bands naming scores, the named levels and cell levels."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from aegis.domains.common.text import SingleLine
from aegis.domains.risks.scale_names import Axis, default_scale

MIN_LEVELS = 3
MAX_LEVELS = 10
DEFAULT_APPETITE = 10
SCALE_HELP = (
    "The name and criteria of each level, level 1 first; one entry per level. When omitted, "
    "the usual names for 5 levels (Rare … Almost certain, Negligible … Severe), else generic ones."
)


class RiskBand(BaseModel):
    """A named range of scores, inclusive at both ends."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: SingleLine = Field(min_length=1, max_length=32)
    min_score: int = Field(strict=True, ge=1, le=MAX_LEVELS * MAX_LEVELS)
    max_score: int = Field(strict=True, ge=1, le=MAX_LEVELS * MAX_LEVELS)
    color: SingleLine = Field(pattern=r"^#[0-9A-Fa-f]{6}$")


class ScaleLevel(BaseModel):
    """What one likelihood or impact level is called and how a rater recognises it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: SingleLine = Field(min_length=1, max_length=40, examples=["Likely"])
    criteria: SingleLine = Field("", max_length=200, examples=["About once a year"])


class CellLevel(BaseModel):
    """A cell of the grid whose level is chosen by hand instead of by its score's band."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    likelihood: int = Field(strict=True, ge=1, le=MAX_LEVELS)
    impact: int = Field(strict=True, ge=1, le=MAX_LEVELS)
    level: SingleLine = Field(
        min_length=1, max_length=32, description="The name of one of the bands"
    )


class RiskMatrix(BaseModel):
    """The likelihood × impact grid, the bands that name its scores and its named levels."""

    model_config = ConfigDict(extra="forbid")

    likelihood_levels: int = Field(strict=True, ge=MIN_LEVELS, le=MAX_LEVELS)
    impact_levels: int = Field(strict=True, ge=MIN_LEVELS, le=MAX_LEVELS)
    bands: list[RiskBand] = Field(min_length=1, max_length=MAX_LEVELS * MAX_LEVELS)
    appetite_score: int = Field(
        DEFAULT_APPETITE,
        strict=True,
        ge=1,
        le=MAX_LEVELS * MAX_LEVELS,
        description=(
            "Highest score the organisation accepts; risks scoring more are above appetite. "
            "Between 1 and likelihood × impact levels; when omitted, 10 or the matrix's "
            "highest score if that is lower."
        ),
    )
    likelihood_scale: list[ScaleLevel] = Field(
        default_factory=list, max_length=MAX_LEVELS, description=SCALE_HELP
    )
    impact_scale: list[ScaleLevel] = Field(
        default_factory=list, max_length=MAX_LEVELS, description=SCALE_HELP
    )
    cell_levels: list[CellLevel] = Field(
        default_factory=list,
        max_length=MAX_LEVELS * MAX_LEVELS,
        description=(
            "Cells whose level is set by hand; every other cell takes the band of its score"
        ),
    )

    @model_validator(mode="before")
    @classmethod
    def _fill_defaults(cls, data: Any) -> Any:
        """Give matrices stored before the appetite or the level names existed their defaults."""
        if not isinstance(data, dict):
            return data
        likelihood, impact = data.get("likelihood_levels"), data.get("impact_levels")
        if not (isinstance(likelihood, int) and isinstance(impact, int)):
            return data
        filled = dict(data)
        if "appetite_score" not in data and likelihood * impact > 0:
            filled["appetite_score"] = min(DEFAULT_APPETITE, likelihood * impact)
        axes: tuple[tuple[Axis, int], ...] = (("likelihood", likelihood), ("impact", impact))
        for axis, size in axes:
            if data.get(f"{axis}_scale") is None and MIN_LEVELS <= size <= MAX_LEVELS:
                filled[f"{axis}_scale"] = default_scale(axis, size)
        return filled

    @field_validator("appetite_score")
    @classmethod
    def _appetite_within_the_matrix(cls, value: int, info: ValidationInfo) -> int:
        likelihood, impact = info.data.get("likelihood_levels"), info.data.get("impact_levels")
        if likelihood is not None and impact is not None and value > likelihood * impact:
            raise ValueError(
                f"Must be between 1 and {likelihood * impact} (likelihood × impact levels)"
            )
        return value

    @field_validator("likelihood_scale", "impact_scale")
    @classmethod
    def _one_name_per_level(cls, value: list[ScaleLevel], info: ValidationInfo) -> list[ScaleLevel]:
        axis = str(info.field_name).removesuffix("_scale")
        size = info.data.get(f"{axis}_levels")
        if size is not None and len(value) != size:
            raise ValueError(f"Name each of the {size} {axis} levels ({len(value)} given)")
        return value

    def band_of_score(self, score: int) -> RiskBand:
        """The band a score falls in."""
        for band in self.bands:
            if band.min_score <= score <= band.max_score:
                return band
        raise ValueError(f"score {score} is outside the matrix")

    def band_named(self, name: str | None) -> RiskBand | None:
        """The band of this name, if there is one."""
        return next((band for band in self.bands if band.name == name), None)

    def cell_band(self, likelihood: int, impact: int) -> RiskBand:
        """The band of a cell: the one set for the cell by hand, else its score's."""
        for cell in self.cell_levels:
            if (cell.likelihood, cell.impact) == (likelihood, impact):
                chosen = self.band_named(cell.level)
                if chosen is not None:
                    return chosen
        return self.band_of_score(likelihood * impact)

    def above_appetite(self, likelihood: int, impact: int) -> bool:
        """Whether a risk rated in this cell scores more than the appetite."""
        return likelihood * impact > self.appetite_score
