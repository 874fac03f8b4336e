"""audit events sealed in a chain: position, previous seal and seal of every event, the chain head

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import aegis.core.db
from aegis.core.audit_chain import GENESIS, Sealed, chain_key, key_id, seal

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
events = sa.table(
    "audit_events",
    sa.column("id", sa.Integer()),
    sa.column("occurred_at", aegis.core.db.UTCDateTime()),
    sa.column("actor_id", sa.Integer()),
    sa.column("actor_email", sa.String()),
    sa.column("unit_id", sa.Integer()),
    sa.column("entity_type", sa.String()),
    sa.column("entity_id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("changes", sa.JSON()),
    sa.column("request_id", sa.String()),
    sa.column("chain_position", sa.Integer()),
    sa.column("chain_previous", sa.String()),
    sa.column("chain_seal", sa.String()),
)
head = sa.table(
    "audit_chain_head",
    sa.column("id", sa.Integer()),
    sa.column("last_position", sa.Integer()),
    sa.column("last_seal", sa.String()),
    sa.column("key_id", sa.String()),
)


def _key() -> bytes:
    """The chain key given by the caller of the migration, else the one of the settings."""
    config = op.get_context().config
    given = config.attributes.get("audit_chain_key") if config is not None else None
    return str(given).encode() if given else chain_key()


def _seal_existing() -> None:
    """Chain the events already recorded, in the order of their ids, and set the head."""
    bind = op.get_bind()
    position, previous, key, after = 0, GENESIS, b"", 0
    while True:
        rows = bind.execute(
            sa.select(events).where(events.c.id > after).order_by(events.c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        key = key or _key()
        sealed = []
        for row in rows:
            position += 1
            current = seal(
                key,
                previous,
                Sealed(
                    position=position,
                    occurred_at=row.occurred_at,
                    actor_id=row.actor_id,
                    actor_email=row.actor_email,
                    unit_id=row.unit_id,
                    entity_type=row.entity_type,
                    entity_id=row.entity_id,
                    action=row.action,
                    changes=row.changes,
                    request_id=row.request_id,
                ),
            )
            sealed.append({"row_id": row.id, "p": position, "prev": previous, "seal": current})
            previous = current
        bind.execute(
            events.update()
            .where(events.c.id == sa.bindparam("row_id"))
            .values(
                chain_position=sa.bindparam("p"),
                chain_previous=sa.bindparam("prev"),
                chain_seal=sa.bindparam("seal"),
            ),
            sealed,
        )
        after = rows[-1].id
    bind.execute(
        head.insert().values(
            id=1, last_position=position, last_seal=previous, key_id=key_id(key) if key else None
        )
    )


def _implicit_actor_indexes() -> list[str]:
    """Indexes MySQL/MariaDB made for the dropped actor foreign key."""
    if op.get_bind().dialect.name != "mysql":
        return []
    indexes = sa.inspect(op.get_bind()).get_indexes("audit_events")
    return [
        index["name"]
        for index in indexes
        if index["column_names"] == ["actor_id"] and index["name"] != "ix_audit_events_actor_id"
    ]


def upgrade() -> None:
    """Add the chain columns and head, seal the existing events, drop the foreign keys."""
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_position", sa.Integer(), nullable=False),
        sa.Column("last_seal", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain_position", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("chain_previous", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("chain_seal", sa.String(length=64), nullable=True))
    _seal_existing()
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint("fk_audit_events_actor_id_users", type_="foreignkey")
        batch_op.drop_constraint("fk_audit_events_unit_id_units", type_="foreignkey")
    for name in _implicit_actor_indexes():
        op.drop_index(name, table_name="audit_events")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column(
            "action",
            existing_type=sa.String(length=16),
            type_=sa.String(length=32),
            existing_nullable=False,
        )
        for name in ("chain_position", "chain_previous", "chain_seal"):
            batch_op.alter_column(
                name,
                existing_type=sa.Integer() if name == "chain_position" else sa.String(64),
                nullable=False,
            )
        batch_op.create_index(batch_op.f("ix_audit_events_actor_id"), ["actor_id"], unique=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_audit_events_chain_position"), ["chain_position"]
        )


def downgrade() -> None:
    """Drop the chain (every event kept); ids of removed users and units are cleared."""
    bind = op.get_bind()
    users = sa.table("users", sa.column("id", sa.Integer()))
    units = sa.table("units", sa.column("id", sa.Integer()))
    bind.execute(
        events.update()
        .where(events.c.actor_id.is_not(None), events.c.actor_id.not_in(sa.select(users.c.id)))
        .values(actor_id=None)
    )
    bind.execute(
        events.update()
        .where(events.c.unit_id.is_not(None), events.c.unit_id.not_in(sa.select(units.c.id)))
        .values(unit_id=None)
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_events_chain_position"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_audit_events_actor_id"))
        batch_op.drop_column("chain_seal")
        batch_op.drop_column("chain_previous")
        batch_op.drop_column("chain_position")
        # `action` stays 32 characters wide: narrowing it could cut recorded actions
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_events_actor_id_users"),
            "users",
            ["actor_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_events_unit_id_units"),
            "units",
            ["unit_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.drop_table("audit_chain_head")
