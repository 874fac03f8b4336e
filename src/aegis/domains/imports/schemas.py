"""What an import reads, plans and reports, row by row."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field


class ImportKind(StrEnum):
    """The kinds of objects a file can import."""

    ASSETS = "assets"
    RISKS = "risks"
    CONTROLS = "controls"
    TASKS = "tasks"


Action = Literal["create", "update", "unchanged", "error"]


class ColumnRead(BaseModel):
    """A column of the file and the field it fills (none: the column is ignored)."""

    header: str
    field: str | None = None
    label: str | None = Field(None, description="The field as people read it")


class FieldOption(BaseModel):
    """A field a column can fill."""

    field: str
    label: str


class ImportProblem(BaseModel):
    """Why a row (or the file) cannot be imported, naming the column when there is one."""

    row: int | None = Field(None, description="Row of the file, the header being row 1")
    column: str | None = Field(None, description="Header of the column in the file")
    field: str | None = None
    message: str


class FieldChange(BaseModel):
    """One field an update changes, before and after, in words."""

    field: str
    label: str
    before: str
    after: str


class RowPlan(BaseModel):
    """What the import does with one row."""

    row: int
    ref: str | None
    title: str
    action: Action
    changes: list[FieldChange] = Field(default_factory=list)


class ImportReport(BaseModel):
    """The outcome of an import or of its dry run."""

    kind: ImportKind
    dry_run: bool
    applied: bool = Field(description="Whether the changes were saved")
    total: int = Field(description="Rows read from the file")
    created: int
    updated: int
    unchanged: int
    failed: int = Field(description="Rows with at least one problem")
    columns: list[ColumnRead]
    rows: list[RowPlan]
    errors: list[ImportProblem]


class SheetPreview(BaseModel):
    """The columns of a file, the fields they are guessed to fill, and its size."""

    kind: ImportKind
    total: int
    columns: list[ColumnRead]
    fields: list[FieldOption]
