"""Files kept for a retried import are swept once expired, also when nothing new is kept."""

from __future__ import annotations

import os
import time
from pathlib import Path

from aegis.web.kept_uploads import FOLDER, MARKER, TTL_SECONDS, KeptUploads


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def _files(root: Path) -> set[str]:
    return {path.name for path in root.glob("*/*")}


def test_expired_uploads_are_swept_when_the_store_is_next_opened(browser_for, settings) -> None:
    root = Path(settings.data_dir) / FOLDER
    store = KeptUploads(root, settings.secret_key, settings.max_upload_bytes)
    analyst = browser_for("analyst")
    abandoned = store.keep(b"id,parent,title,text\nA,,Old,\n", "old.csv", 1)
    fresh = store.keep(b"id,parent,title,text\nB,,New,\n", "new.csv", 1)
    kept = {path.read_bytes(): path for path in root.glob("*/*")}
    old_path, fresh_path = kept[abandoned.content], kept[fresh.content]
    _age(old_path, TTL_SECONDS + 60)

    def open_store() -> None:  # any import step opens the store; this one keeps nothing
        response = analyst.post("/frameworks/import/update", {"framework_id": "1"})
        assert response.status_code == 422, response.text

    open_store()
    assert _files(root) == {fresh_path.name}
    assert store.load(fresh.token, 1) is not None and store.load(abandoned.token, 1) is None

    _age(fresh_path, TTL_SECONDS + 60)
    open_store()  # swept a moment ago: not again yet
    assert _files(root) == {fresh_path.name}
    _age(root / MARKER, 120)
    open_store()
    assert _files(root) == set()


def test_opening_the_store_before_anything_was_kept_creates_nothing(browser_for, settings) -> None:
    browser_for("analyst").post("/frameworks/import/update", {"framework_id": "1"})
    assert not (Path(settings.data_dir) / FOLDER).exists()
