"""`aegis keys`: rotation re-wraps file keys only; files stored before are encrypted, or back."""

from __future__ import annotations

import fcntl
import hashlib
from dataclasses import dataclass

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, String, Table, select, update
from sqlalchemy.orm import Session, sessionmaker

from aegis.core import key_rotation, migrations
from aegis.core.db import Base
from aegis.core.encryption import (
    KEYS_INFO,
    KeyMissing,
    Keyring,
    open_secret,
    parse_keyring,
    seal_secret,
    sealed_column,
)
from aegis.core.existing_files import RETIRED
from aegis.core.settings import get_settings
from aegis.core.storage import LocalBlobStore
from aegis.models import Evidence, EvidenceVersion, TotpCredential, Unit, User
from aegis.models.mfa import TOTP_PURPOSE
from tests.cli.console import Aegis, said

OLD = "old:" + "o1" * 20
NEW = "new:" + "N2" * 20
REVISION = "0015"  # adds the data keys


@dataclass
class Files:
    """Evidence files written for a test: their ids and contents."""

    aegis: Aegis
    contents: dict[int, bytes]

    @property
    def store(self) -> LocalBlobStore:
        return LocalBlobStore(self.aegis.data_dir / "blobs")

    def row(self, version_id: int) -> EvidenceVersion:
        with Session(self.aegis.engine) as session:
            version = session.get(EvidenceVersion, version_id)
            assert version is not None
            return version

    def read(self, version_id: int, keyring: Keyring) -> bytes:
        version = self.row(version_id)
        chunks = self.store.open_chunks(
            version.storage_key, data_key=version.data_key, keyring=keyring
        )
        return b"".join(chunks)

    def on_disk(self) -> dict[str, bytes]:
        root = self.store.root
        return {
            p.name: p.read_bytes()
            for p in root.rglob("*")
            if p.is_file() and not p.name.startswith(".")
        }


def use_keys(monkeypatch: pytest.MonkeyPatch, keys: str) -> Keyring:
    monkeypatch.setenv("AEGIS_KEY_ENCRYPTION_KEYS", keys)
    get_settings.cache_clear()
    return parse_keyring(keys)


def add_files(aegis: Aegis, keyring: Keyring | None, *contents: bytes) -> Files:
    """Evidence with one file version per content, encrypted with `keyring` (None: as uploaded)."""
    store, made = LocalBlobStore(aegis.data_dir / "blobs"), {}
    with Session(aegis.engine) as session:
        unit = session.scalar(select(Unit).limit(1))
        if unit is None:
            unit = Unit(name="Company")
            session.add(unit)
            session.flush()
        for number, content in enumerate(contents, 1):
            evidence = Evidence(unit_id=unit.id, title=f"File {number}", kind="file")
            session.add(evidence)
            session.flush()
            blob = store.put([content], max_bytes=len(content), keyring=keyring)
            version = EvidenceVersion(
                evidence_id=evidence.id,
                number=1,
                filename=f"f{number}.pdf",
                content_type="application/pdf",
                size=blob.size,
                sha256=blob.sha256,
                storage_key=blob.key,
                data_key=blob.data_key,
            )
            session.add(version)
            session.flush()
            made[version.id] = content
        session.commit()
    return Files(aegis, made)


def test_rotate_rewraps_every_file_key_and_leaves_the_files_alone(
    migrated: Aegis, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = add_files(migrated, use_keys(monkeypatch, OLD), b"policy", b"", b"x" * 5000)
    before = files.on_disk()
    both = use_keys(monkeypatch, f"{NEW},{OLD}")
    assert all(files.read(i, both) == content for i, content in files.contents.items())

    result = migrated.ok("keys", "rotate", "--batch-size", "2")
    output = said(result)
    assert "Current key: new" in output
    assert "evidence_versions.data_key: 3 sealed again, 3 now sealed with new" in output
    assert "risk_attachments.data_key: 0 sealed again" in output
    assert "Key old: 0 sealed values (seals nothing any more" in output
    assert files.on_disk() == before  # not one file rewritten
    assert all(files.row(i).data_key.startswith("aegis1:new:") for i in files.contents)

    again = said(migrated.ok("keys", "rotate"))
    assert "evidence_versions.data_key: 0 sealed again, 3 now sealed with new" in again

    alone = use_keys(monkeypatch, NEW)  # the old key removed from the settings
    assert all(files.read(i, alone) == content for i, content in files.contents.items())


def test_before_rotation_a_removed_old_key_is_named(
    migrated: Aegis, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = add_files(migrated, use_keys(monkeypatch, OLD), b"policy")
    [version_id] = files.contents
    with pytest.raises(KeyMissing, match="'old' is not configured"):
        files.read(version_id, use_keys(monkeypatch, NEW))
    result = migrated("keys", "rotate")
    assert result.exit_code == 1
    assert f"not done: evidence_versions id={version_id}" in said(result)
    assert "1 sealed values name a key that is not configured" in said(result)
    assert files.row(version_id).data_key.startswith("aegis1:old:")  # left as it was


def test_a_value_that_does_not_open_is_reported_and_the_others_rotated(
    migrated: Aegis, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = add_files(migrated, use_keys(monkeypatch, OLD), b"one", b"two")
    first, second = files.contents
    damaged = files.row(first).data_key[:-3] + "AAA"
    with Session(migrated.engine) as session:
        session.execute(
            update(EvidenceVersion).where(EvidenceVersion.id == first).values(data_key=damaged)
        )
        session.commit()
    use_keys(monkeypatch, f"{NEW},{OLD}")
    result = migrated("keys", "rotate")
    assert result.exit_code == 1
    assert f"not done: evidence_versions id={first}: The sealed value does not open" in said(result)
    assert "1 sealed again" in said(result)
    assert files.row(first).data_key == damaged
    assert files.read(second, use_keys(monkeypatch, NEW)) == b"two"


def test_a_stopped_rotation_is_finished_by_the_next_run(
    migrated: Aegis, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = add_files(migrated, use_keys(monkeypatch, OLD), *(b"f%d" % n for n in range(5)))
    use_keys(monkeypatch, f"{NEW},{OLD}")
    real, calls = key_rotation.reseal, []

    def stopping(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(key_rotation, "reseal", stopping)
    migrated("keys", "rotate", "--batch-size", "2")  # stopped inside the second batch
    current = [i for i in files.contents if files.row(i).data_key.startswith("aegis1:new:")]
    assert len(current) == 2  # the first batch was committed, the second not at all
    monkeypatch.setattr(key_rotation, "reseal", real)
    output = said(migrated.ok("keys", "rotate", "--batch-size", "2"))
    assert "3 sealed again, 5 now sealed with new" in output
    alone = use_keys(monkeypatch, NEW)
    assert all(files.read(i, alone) == content for i, content in files.contents.items())


def test_encrypt_existing_encrypts_plain_files_in_place(
    migrated: Aegis, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring = use_keys(monkeypatch, NEW)
    plain = add_files(migrated, None, b"%PDF plain one", b"%PDF plain two" * 1000)
    already = add_files(migrated, keyring, b"%PDF encrypted")
    digests = {i: plain.row(i).sha256 for i in plain.contents}

    output = said(migrated.ok("keys", "encrypt-existing", "--batch-size", "1"))
    assert "evidence_versions: 2 files encrypted, 1 were already, 0 not done" in output
    assert "risk_attachments: 0 files encrypted" in output
    disk = plain.on_disk()
    assert len(disk) == 3  # the plain copies are gone
    assert not any(b"%PDF" in content for content in disk.values())
    for version_id, content in {**plain.contents, **already.contents}.items():
        assert plain.row(version_id).data_key is not None
        assert plain.read(version_id, keyring) == content
    assert {i: plain.row(i).sha256 for i in plain.contents} == digests

    again = said(migrated.ok("keys", "encrypt-existing"))
    assert "evidence_versions: 0 files encrypted, 3 were already, 0 not done" in again
    assert "3 files not encrypted" not in said(migrated.ok("keys", "status"))


def test_a_missing_or_changed_file_is_reported_and_left_as_it_is(
    migrated: Aegis, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring = use_keys(monkeypatch, NEW)
    files = add_files(migrated, None, b"missing", b"changed", b"fine")
    missing, changed, fine = files.contents
    files.store.delete(files.row(missing).storage_key)
    changed_key = files.row(changed).storage_key
    (files.store.root / changed_key[:2] / changed_key).write_bytes(b"CHANGED")

    result = migrated("keys", "encrypt-existing")
    assert result.exit_code == 1
    output = said(result)
    assert f"not done: evidence_versions id={missing}: its file is missing" in output
    assert f"not done: evidence_versions id={changed}: its content differs" in output
    assert "1 files encrypted" in output
    assert files.row(changed).data_key is None and files.row(changed).storage_key == changed_key
    assert files.on_disk()[changed_key] == b"CHANGED"  # kept for someone to look at
    assert files.read(fine, keyring) == b"fine"


def test_a_switch_stopped_half_way_is_finished_by_the_next_run(
    migrated: Aegis, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring = use_keys(monkeypatch, NEW)
    files = add_files(migrated, None, b"switched, old copy left", b"copied, not switched")
    switched, copied = files.contents
    retired = files.store.root / RETIRED
    retired.mkdir()
    # stopped after the first record was switched, before its old blob was removed
    old = files.row(switched).storage_key
    blob = files.store.put([b"switched, old copy left"], max_bytes=100, keyring=keyring)
    with Session(migrated.engine) as session:
        session.execute(
            update(EvidenceVersion)
            .where(EvidenceVersion.id == switched)
            .values(storage_key=blob.key, data_key=blob.data_key)
        )
        session.commit()
    (retired / old).write_text(blob.key)
    # stopped after the second file was copied, before its record was switched
    orphan = files.store.put([b"copied, not switched"], max_bytes=100, keyring=keyring)
    (retired / files.row(copied).storage_key).write_text(orphan.key)

    migrated.ok("keys", "encrypt-existing")
    disk = files.on_disk()
    assert old not in disk and orphan.key not in disk
    assert sorted(disk) == sorted(files.row(i).storage_key for i in files.contents)
    assert not list(retired.iterdir())
    assert all(files.read(i, keyring) == content for i, content in files.contents.items())


def test_decrypt_existing_makes_the_downgrade_possible_again(
    migrated: Aegis, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring = use_keys(monkeypatch, NEW)
    files = add_files(migrated, keyring, b"%PDF one", b"%PDF two")
    script = ScriptDirectory.from_config(migrations.alembic_config(migrated.engine))
    below = script.get_revision(REVISION).down_revision
    assert isinstance(below, str)
    with pytest.raises(RuntimeError, match="2 files of evidence_versions are encrypted"):
        migrations.downgrade(migrated.engine, below)

    output = said(migrated.ok("keys", "decrypt-existing"))
    assert "evidence_versions: 2 files decrypted, 0 were already" in output
    assert sorted(files.on_disk().values()) == [b"%PDF one", b"%PDF two"]
    migrations.downgrade(migrated.engine, below)
    with migrated.engine.connect() as connection:
        rows = connection.execute(select(EvidenceVersion.storage_key, EvidenceVersion.sha256))
        kept = {key: digest for key, digest in rows}
    assert sorted(kept.values()) == sorted(
        hashlib.sha256(c).hexdigest() for c in [b"%PDF one", b"%PDF two"]
    )
    assert set(kept) == set(files.on_disk())


def test_status_counts_what_each_key_seals_and_the_plain_files(
    migrated: Aegis, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_files(migrated, use_keys(monkeypatch, OLD), b"a", b"b")
    add_files(migrated, None, b"c")
    use_keys(monkeypatch, f"{NEW},{OLD}")
    output = said(migrated.ok("keys", "status"))
    assert "Key new: 0 sealed values (current)" in output
    assert "Key old: 2 sealed values" in output
    assert "evidence_versions: 1 files not encrypted" in output


def test_a_malformed_key_list_stops_the_command_without_quoting_it(
    migrated: Aegis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AEGIS_KEY_ENCRYPTION_KEYS", "no-id-given-" + "z" * 30)
    get_settings.cache_clear()
    result = migrated("keys", "rotate")
    assert result.exit_code == 2
    assert "id:secret" in said(result) and "zzzz" not in said(result)


def test_the_generated_key_is_used_when_none_is_configured(
    migrated: Aegis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AEGIS_KEY_ENCRYPTION_KEYS", raising=False)
    get_settings.cache_clear()
    add_files(migrated, None, b"plain")
    assert "1 files encrypted" in said(migrated.ok("keys", "encrypt-existing"))
    generated = (migrated.data_dir / "secrets" / "key_encryption_key").read_text().strip()
    files = Files(migrated, {})
    [version_id] = [v.id for v in _versions(migrated)]
    assert files.read(version_id, parse_keyring(f"instance:{generated}")) == b"plain"


def _versions(aegis: Aegis) -> list[EvidenceVersion]:
    with Session(aegis.engine) as session:
        return list(session.scalars(select(EvidenceVersion)))


def test_every_declared_secret_column_is_rotated_in_batches(migrated: Aegis) -> None:
    metadata = MetaData()
    secrets = Table(
        "integration_secrets",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("secret", String(512), info=sealed_column("integration-credential")),
    )
    metadata.create_all(migrated.engine)
    old = sessionmaker(migrated.engine, info={KEYS_INFO: OLD})
    with old.begin() as session:
        for number in range(1, 6):
            value = seal_secret(session, f"token-{number}", purpose="integration-credential")
            session.execute(secrets.insert().values(id=number, secret=value))
        session.execute(secrets.insert().values(id=6, secret=None))

    both = sessionmaker(migrated.engine, info={KEYS_INFO: f"{NEW},{OLD}"})
    [report] = key_rotation.rotate(both, metadata, parse_keyring(f"{NEW},{OLD}"), batch_size=2)
    assert (report.name, report.resealed, report.current, report.failed) == (
        "integration_secrets.secret",
        5,
        5,
        [],
    )
    [again] = key_rotation.rotate(both, metadata, parse_keyring(f"{NEW},{OLD}"))
    assert again.resealed == 0
    with sessionmaker(migrated.engine, info={KEYS_INFO: NEW}).begin() as session:
        values = session.execute(select(secrets.c.secret).order_by(secrets.c.id)).scalars().all()
        opened = [
            open_secret(session, value, purpose="integration-credential")
            for value in values
            if value is not None
        ]
    assert opened == [f"token-{number}" for number in range(1, 6)]


def test_the_file_key_columns_are_declared_for_rotation() -> None:
    names = {f"{t.name}.{c.name}" for t, c, _ in key_rotation.sealed_columns(Base.metadata)}
    assert {"evidence_versions.data_key", "risk_attachments.data_key"} <= names


def test_two_runs_at_once_are_refused(migrated: Aegis, monkeypatch: pytest.MonkeyPatch) -> None:
    files = add_files(migrated, None, b"plain")
    use_keys(monkeypatch, NEW)
    files.store.root.mkdir(parents=True, exist_ok=True)
    with (files.store.root / ".retired.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = migrated("keys", "encrypt-existing")
    assert result.exit_code == 1
    assert "Another `aegis keys encrypt-existing` or `decrypt-existing` is running" in said(result)
    [version_id] = files.contents
    assert files.row(version_id).data_key is None


def test_authenticator_secrets_are_rotated_with_the_files(
    migrated: Aegis, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_keys(monkeypatch, OLD)
    with sessionmaker(migrated.engine, info={KEYS_INFO: OLD}).begin() as session:
        user = User(email="mfa@example.com", name="Mfa", password_hash="-")
        session.add(user)
        session.flush()
        sealed = seal_secret(session, "JBSWY3DPEHPK3PXP", purpose=TOTP_PURPOSE)
        session.add(TotpCredential(user_id=user.id, secret_sealed=sealed))
    use_keys(monkeypatch, f"{NEW},{OLD}")
    output = said(migrated.ok("keys", "rotate"))
    assert "mfa_totp.secret_sealed: 1 sealed again, 1 now sealed with new" in output
    with sessionmaker(migrated.engine, info={KEYS_INFO: NEW}).begin() as session:
        rotated = session.scalars(select(TotpCredential.secret_sealed)).one()
        assert rotated != sealed
        assert open_secret(session, rotated, purpose=TOTP_PURPOSE) == "JBSWY3DPEHPK3PXP"
