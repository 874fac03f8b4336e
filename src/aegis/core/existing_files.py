"""Files stored before encryption, encrypted in place (`aegis keys encrypt-existing`), or back.

Each file is copied to a new blob (encrypted, or plain for `decrypt-existing`) and checked
against its recorded size and SHA-256; then its record is switched to the new blob in a
transaction of its own, and only then is the old blob removed. A note in `<blobs>/.retired`
names the old and new blob while a file is switched, so that a run stopped at any point is
finished by the next: no file is lost, none is left readable in the clear. Files of all
tables whose data key column is declared (encryption.sealed_column(DATA_KEY_PURPOSE)) are
handled.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Column, MetaData, Table, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from aegis.core.encryption import SEALED_INFO, EncryptionError, Keyring
from aegis.core.errors import NotFound, PayloadTooLarge
from aegis.core.storage import DATA_KEY_PURPOSE, LocalBlobStore, StoredBlob

BATCH_SIZE = 50
RETIRED = ".retired"
LOCK = ".retired.lock"


class AlreadyRunning(RuntimeError):
    """Another run is encrypting or decrypting the files of this store."""


@dataclass
class FileMigration:
    """What one run did to the files of one table."""

    table: str
    converted: int = 0
    already: int = 0  # files that were in the wanted form before the run
    failed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FileTable:
    """A table of stored files: its key, blob key, data key, size and digest columns."""

    table: Table
    id: Column[int]
    storage_key: Column[str]
    data_key: Column[str]
    size: Column[int]
    sha256: Column[str]


def file_tables(metadata: MetaData) -> list[FileTable]:
    """Every table whose rows name a stored file and keep its data key, by name."""
    found = []
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        keys = [c for c in table.columns if c.info.get(SEALED_INFO) == DATA_KEY_PURPOSE]
        if keys and {"id", "storage_key", "size", "sha256"} <= set(table.columns.keys()):
            c = table.columns
            found.append(FileTable(table, c.id, c.storage_key, keys[0], c.size, c.sha256))
    return found


def _retired(store: LocalBlobStore) -> Path:
    return store.root / RETIRED


@contextlib.contextmanager
def _only_run(store: LocalBlobStore) -> Iterator[None]:
    """Hold the store's lock: two runs would settle each other's switches half way."""
    store.root.mkdir(parents=True, exist_ok=True)
    with (store.root / LOCK).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(
                "Another `aegis keys encrypt-existing` or `decrypt-existing` is running on "
                f"{store.root}; wait for it to finish"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _referenced(factory: sessionmaker[Session], tables: list[FileTable], key: str) -> bool:
    with factory.begin() as session:
        return any(
            session.scalar(select(t.id).where(t.storage_key == key).limit(1)) is not None
            for t in tables
        )


def finish_interrupted(
    factory: sessionmaker[Session], store: LocalBlobStore, tables: list[FileTable]
) -> int:
    """Complete the switches a stopped run left; return how many notes were settled."""
    folder = _retired(store)
    if not folder.is_dir():
        return 0
    settled = 0
    for note in sorted(folder.iterdir()):
        old, new = note.name, note.read_text(encoding="utf-8").strip()
        if _referenced(factory, tables, old):  # the switch did not commit: drop the copy
            if new and not _referenced(factory, tables, new):
                store.delete(new)
        else:  # the switch committed: the old blob goes
            store.delete(old)
        note.unlink()
        settled += 1
    return settled


def _copy(
    store: LocalBlobStore, row: dict[str, object], keyring: Keyring, encrypt: bool
) -> StoredBlob:
    """The row's file written again (encrypted or not), checked against its record."""
    chunks = store.open_chunks(
        str(row["storage_key"]),
        data_key=None if row["data_key"] is None else str(row["data_key"]),
        keyring=keyring,
    )
    blob = store.put(chunks, max_bytes=int(str(row["size"])), keyring=keyring if encrypt else None)
    if blob.size != row["size"] or blob.sha256 != row["sha256"]:
        store.delete(blob.key)
        raise ValueError("its content differs from the recorded size and SHA-256")
    return blob


def _switch(
    factory: sessionmaker[Session],
    store: LocalBlobStore,
    files: FileTable,
    row: dict[str, object],
    blob: StoredBlob,
) -> bool:
    """Point the record at the new blob, then remove the old one; False if it changed meanwhile."""
    old = str(row["storage_key"])
    folder = _retired(store)
    folder.mkdir(mode=0o700, exist_ok=True)
    note = folder / old
    note.write_text(blob.key, encoding="utf-8")
    switched = False
    try:
        with factory.begin() as session:
            unchanged = (
                files.data_key.is_(None)
                if row["data_key"] is None
                else files.data_key == row["data_key"]
            )
            done = session.execute(
                update(files.table)
                .where(files.id == row["id"], files.storage_key == old, unchanged)
                .values({files.storage_key.name: blob.key, files.data_key.name: blob.data_key})
            )
            switched = int(getattr(done, "rowcount", 0) or 0) == 1
    finally:
        store.delete(old if switched else blob.key)
        with contextlib.suppress(FileNotFoundError):
            note.unlink()
    return switched


def count_plain(session: Session, files: FileTable) -> int:
    """How many files of a table are stored as uploaded, not encrypted."""
    wanted = files.data_key.is_(None)
    return int(session.scalar(select(func.count()).select_from(files.table).where(wanted)) or 0)


def _count_done(factory: sessionmaker[Session], files: FileTable, encrypt: bool) -> int:
    with factory.begin() as session:
        plain = count_plain(session, files)
        total = int(session.scalar(select(func.count()).select_from(files.table)) or 0)
    return total - plain if encrypt else plain


def migrate_table(
    factory: sessionmaker[Session],
    store: LocalBlobStore,
    files: FileTable,
    keyring: Keyring,
    *,
    encrypt: bool = True,
    batch_size: int = BATCH_SIZE,
) -> FileMigration:
    """Encrypt (or decrypt) every file of one table that is not yet so, one file at a time."""
    report = FileMigration(files.table.name, already=_count_done(factory, files, encrypt))
    pending = files.data_key.is_(None) if encrypt else files.data_key.is_not(None)
    columns = (files.id, files.storage_key, files.data_key, files.size, files.sha256)
    after = -1
    while True:
        with factory.begin() as session:
            rows = [
                dict(row._mapping)
                for row in session.execute(
                    select(*columns)
                    .where(pending, files.id > after)
                    .order_by(files.id)
                    .limit(batch_size)
                )
            ]
        if not rows:
            return report
        for row in rows:
            after = int(str(row["id"]))
            try:
                blob = _copy(store, row, keyring, encrypt)
            except (NotFound, PayloadTooLarge, EncryptionError, ValueError) as exc:
                reason = "its file is missing" if isinstance(exc, NotFound) else str(exc)
                report.failed.append(f"{files.table.name} id={after}: {reason}")
                continue
            if _switch(factory, store, files, row, blob):
                report.converted += 1


def migrate(
    factory: sessionmaker[Session],
    store: LocalBlobStore,
    metadata: MetaData,
    keyring: Keyring,
    *,
    encrypt: bool = True,
    batch_size: int = BATCH_SIZE,
) -> list[FileMigration]:
    """Encrypt (or decrypt) the stored files of every file table; one report per table."""
    tables = file_tables(metadata)
    with _only_run(store):
        finish_interrupted(factory, store, tables)
        return [
            migrate_table(factory, store, files, keyring, encrypt=encrypt, batch_size=batch_size)
            for files in tables
        ]
