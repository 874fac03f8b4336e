"""Files uploaded to a route that reads them whole: checked by the shared upload check first."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.requests import Request

from aegis.core.authz import Principal
from aegis.domains.common.uploads import UploadKind, screen


def screen_file(
    request: Request,
    session: Session,
    principal: Principal,
    upload: UploadFile,
    kind: UploadKind,
    unit_id: int | None = None,
) -> None:
    """Scan and type-check an upload with the application's scanner before it is read.

    Refusals raise (`FileRefused`, `InfectedFile`, `ScannerUnavailable`, `PayloadTooLarge`);
    `unit_id` is the unit the file is for, where a quarantined file is listed.
    """
    screen(
        session=session,
        principal=principal,
        store=request.app.state.blob_store,
        filename=upload.filename,
        stream=upload.file,
        kind=kind,
        unit_id=unit_id,
        max_bytes=request.app.state.settings.max_upload_bytes,
    )
