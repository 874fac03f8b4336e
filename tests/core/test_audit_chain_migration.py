"""Revision 0012 seals the recorded events in id order; its downgrade keeps every event."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from aegis.core import migrations
from aegis.core.db import build_engine
from aegis.domains.audit.verify import verify_chain
from aegis.domains.common.changes import record
from aegis.models import AuditChainHead, AuditEvent
from tests.databases import fresh_database, worker_suffix

NOW = "2026-11-30 10:00:00"
EVENTS = [
    # second, unit, action, changes
    (4, 1, "create", {"name": [None, "company"]}),
    (9, 2, "create", {"name": [None, "lab"], "parent_id": [None, 1]}),
    (2, 1, "sign_in_failed", {"email": [None, "ada@example.com"], "reason": [None, "wrong"]}),
    (3, None, "update", {"title": ["Ünïcode", "名前"], "score": [1.5, 2.25]}),
]


def _seed(engine) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as connection:
        for unit_id, name, parent in ((1, "company", None), (2, "lab", 1)):
            connection.execute(
                text(
                    "INSERT INTO units (id, name, description, parent_id, created_at, updated_at) "
                    "VALUES (:id, :name, '', :parent, :now, :now)"
                ),
                {"id": unit_id, "name": name, "parent": parent, "now": NOW},
            )
        for second, unit, action, changes in EVENTS:
            connection.execute(
                text(
                    "INSERT INTO audit_events (occurred_at, actor_email, unit_id, "
                    "entity_type, entity_id, action, changes) VALUES (:at, NULL, :unit, "
                    "'unit', 1, :action, :changes)"
                ),
                {
                    "at": f"2026-11-30 10:00:0{second}.123456",
                    "unit": unit,
                    "action": action,
                    "changes": json.dumps(changes),
                },
            )


def test_existing_events_are_sealed_in_id_order_and_kept_on_downgrade(tmp_path: Path) -> None:
    engine = build_engine(fresh_database(f"aegis_audit_chain_{worker_suffix()}", tmp_path))
    try:
        migrations.upgrade(engine, "0011")
        _seed(engine)
        with engine.connect() as connection:
            ids = list(connection.scalars(text("SELECT id FROM audit_events ORDER BY id")))
        migrations.upgrade(engine, "0012")
        with Session(engine) as session:
            stmt = select(AuditEvent.id, AuditEvent.chain_position).order_by(AuditEvent.id)
            # in the order of the ids, not of the times
            sealed = [tuple(row) for row in session.execute(stmt)]
            assert sealed == list(zip(ids, [1, 2, 3, 4], strict=True))
            report = verify_chain(session=session, principal=None)
            assert report.intact and report.checked == 4, report.summary
            head = session.get(AuditChainHead, 1)
            assert head is not None and head.last_position == 4 and head.key_id
            # events recorded after the upgrade continue the chain
            record(session, None, "delete", "unit", 2, 1, before={"name": "lab"})
            session.execute(text("DELETE FROM units WHERE id = 2"))
            session.commit()
            assert verify_chain(session=session, principal=None).intact
            assert session.scalar(select(AuditEvent.unit_id).where(AuditEvent.id == ids[1])) == 2

        migrations.downgrade(engine, "0011")
        columns = {column["name"] for column in inspect(engine).get_columns("audit_events")}
        assert not {"chain_position", "chain_previous", "chain_seal"} & columns
        assert "audit_chain_head" not in inspect(engine).get_table_names()
        with engine.connect() as connection:
            kept = connection.execute(
                text("SELECT id, unit_id, action, changes FROM audit_events ORDER BY id")
            ).all()
        assert [row.id for row in kept][:4] == ids and len(kept) == 5
        assert kept[1].unit_id is None  # its unit is gone: cleared for the foreign key
        assert kept[2].action == "sign_in_failed"
        changes = kept[3].changes
        assert (json.loads(changes) if isinstance(changes, str) else changes) == EVENTS[3][3]

        migrations.upgrade(engine)
        with Session(engine) as session:
            report = verify_chain(session=session, principal=None)
        assert report.intact and report.checked == 5
    finally:
        engine.dispose()
