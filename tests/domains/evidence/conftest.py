"""A blob store of its own for each evidence service test."""

from __future__ import annotations

from pathlib import Path

import pytest

from aegis.core.storage import LocalBlobStore


@pytest.fixture
def store(tmp_path: Path) -> LocalBlobStore:
    """An empty blob store under the test's temporary directory."""
    return LocalBlobStore(tmp_path / "blobs")


def blob_files(store: LocalBlobStore) -> list[Path]:
    """Every file in the store, finished or partial."""
    return [p for p in store.root.rglob("*") if p.is_file()] if store.root.exists() else []
