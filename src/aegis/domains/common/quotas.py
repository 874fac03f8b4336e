"""Upload quotas: how much each user may keep in evidence files and risk attachments.

A user's usage is the size and number of the evidence versions and risk attachments they
uploaded (whoever owns them now). An upload that would pass either quota is refused before
anything of it is scanned or stored.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aegis.core.errors import ValidationFailed
from aegis.core.settings import Settings
from aegis.domains.common.uploads import readable_size
from aegis.models import EvidenceVersion, RiskAttachment

MB = 1024 * 1024


class UploadQuotaExceeded(ValidationFailed):
    """The upload would take its uploader past their quota of storage or of files."""

    code = "upload_quota_exceeded"

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


@dataclass(frozen=True)
class UploadQuota:
    """The most a user may have uploaded: bytes and files (0: no limit)."""

    max_bytes: int = 0
    max_files: int = 0

    @classmethod
    def of(cls, settings: Settings) -> UploadQuota:
        """The quota the settings set (AEGIS_UPLOAD_QUOTA_MB and AEGIS_UPLOAD_QUOTA_FILES)."""
        return cls(max_bytes=settings.upload_quota_mb * MB, max_files=settings.upload_quota_files)


@dataclass(frozen=True)
class Usage:
    """What a user has uploaded so far."""

    size: int
    files: int


def usage_of(session: Session, user_id: int) -> Usage:
    """The size and number of the evidence files and risk attachments a user uploaded."""
    sizes = [
        session.execute(
            select(func.coalesce(func.sum(model.size), 0), func.count()).where(
                model.uploaded_by_id == user_id
            )
        ).one()
        for model in (EvidenceVersion, RiskAttachment)
    ]
    return Usage(size=sum(int(s) for s, _ in sizes), files=sum(int(n) for _, n in sizes))


def stream_size(stream: BinaryIO) -> int:
    """The size of a received file, its stream rewound to the start."""
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def check_quota(session: Session, user_id: int, quota: UploadQuota, stream: BinaryIO) -> None:
    """Refuse an upload that would take the user past their quota; nothing is read or kept."""
    if not quota.max_bytes and not quota.max_files:
        return
    used = usage_of(session, user_id)
    advice = "remove files you no longer need, or ask an administrator to raise the quota"
    if quota.max_files and used.files + 1 > quota.max_files:
        raise UploadQuotaExceeded(
            f"You have uploaded {used.files} files, the quota of {quota.max_files} files per "
            f"user; the file was not saved: {advice}"
        )
    size = stream_size(stream)
    if quota.max_bytes and used.size + size > quota.max_bytes:
        raise UploadQuotaExceeded(
            f"This file ({readable_size(size)}) would take you past the upload quota of "
            f"{readable_size(quota.max_bytes)} per user (you have uploaded "
            f"{readable_size(used.size)}); the file was not saved: {advice}"
        )
