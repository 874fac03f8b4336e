"""Application factory: the JSON API under /api/v1, health probes, docs."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy import Engine

from aegis.api.v1 import api_router
from aegis.api.v1.health import router as health_router
from aegis.core.audit_chain import KEY_INFO
from aegis.core.db import build_engine, make_session_factory
from aegis.core.encryption import KEYS_INFO
from aegis.core.scanning import scanner_for
from aegis.core.settings import Settings, get_settings
from aegis.core.storage import LocalBlobStore
from aegis.http.body_limit import BodyLimitMiddleware
from aegis.http.contention import install_contention_handler
from aegis.http.denials import DenialAuditMiddleware
from aegis.http.errors import install_error_handlers
from aegis.http.middleware import RequestContextMiddleware
from aegis.http.notices import NoticeDeliveryMiddleware
from aegis.http.openapi import install_openapi
from aegis.http.proxies import TrustedProxyMiddleware
from aegis.http.ratelimit import install_rate_limits
from aegis.http.transfers import TransferAuditMiddleware
from aegis.web.app import mount_web


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Build the application; the engine is created from the settings unless given."""
    settings = settings or get_settings()
    settings.check()
    engine = engine or build_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_recycle=settings.db_pool_recycle_seconds,
    )
    app = FastAPI(
        title="Aegis",
        summary="Cybersecurity risk management, compliance and audit",
        version="1.0",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # served from the package by aegis.web.routes.api_docs
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(
        engine,
        info={KEY_INFO: settings.audit_chain_key, KEYS_INFO: settings.key_encryption_keys},
    )
    app.state.blob_store = LocalBlobStore(
        settings.data_dir / "blobs",
        quarantine=settings.data_dir / "quarantine",
        scanner=scanner_for(settings),
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "X-Request-ID"],
            expose_headers=["ETag", "Retry-After", "X-Request-ID"],
        )
    app.add_middleware(DenialAuditMiddleware)
    app.add_middleware(NoticeDeliveryMiddleware)
    app.add_middleware(TransferAuditMiddleware)
    install_rate_limits(app, settings)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_request_bytes,
        max_upload_bytes=settings.max_upload_request_bytes,
    )
    app.add_middleware(RequestContextMiddleware, hsts_max_age=settings.hsts_max_age_seconds)
    install_error_handlers(app)
    install_contention_handler(app)
    install_openapi(app)
    app.include_router(health_router)
    app.include_router(api_router)
    mount_web(app, settings)
    # outermost: every other layer sees the client address and scheme it establishes
    app.add_middleware(TrustedProxyMiddleware, trusted=settings.trusted_proxies)
    return app
