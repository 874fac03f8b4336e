"""Quarantined uploads as administrators read them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from aegis.domains.common.listing import ListQuery


class QuarantinedFileRead(BaseModel):
    """An infected upload kept in the quarantine; its content is never served."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    filename: str
    upload_kind: str = Field(description="evidence, attachment, import, catalog or mappings")
    upload_kind_label: str = Field(description="What the file was uploaded as, in words")
    signature: str = Field(description="What the malware scanner found")
    size: int
    sha256: str
    unit_id: int | None
    unit_name: str | None
    uploaded_by_id: int | None
    uploaded_by_name: str | None
    uploaded_at: datetime


class QuarantineQuery(ListQuery):
    """Paging and sorting of the quarantine (newest first unless sorted)."""
