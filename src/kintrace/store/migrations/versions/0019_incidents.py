"""Incidents as records: a grave, a crash, a shelling, with its remains and the families considered.

Until now a remains sample named its incident or site in free text (``dna_samples.incident``). Each
distinct text becomes an ``incidents`` row (kind ``other``; staff may name the kind, place and date
later) and its samples point to it by ``incident_id``. The families considered for an incident are
``incident_cases`` rows (none before: staff add them). Downgrade writes each sample's incident name
back into the text and drops the new tables.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 16:45:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

samples = sa.table(
    "dna_samples",
    sa.column("id", sa.Integer),
    sa.column("incident", sa.String),
    sa.column("incident_id", sa.Integer),
)
incidents = sa.table(
    "incidents",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("kind", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("occurred_on", sa.String(length=10), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_incidents_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("name", name=op.f("uq_incidents_name")),
    )
    op.create_table(
        "incident_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_cases_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_incident_cases_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_incident_cases_added_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_cases")),
        sa.UniqueConstraint("incident_id", "case_id", name="uq_incident_cases_pair"),
    )
    op.create_index(op.f("ix_incident_cases_incident_id"), "incident_cases", ["incident_id"], unique=False)
    op.create_index(op.f("ix_incident_cases_case_id"), "incident_cases", ["case_id"], unique=False)
    with op.batch_alter_table("dna_samples") as batch_op:
        batch_op.add_column(sa.Column("incident_id", sa.Integer(), nullable=True))
        batch_op.create_index(op.f("ix_dna_samples_incident_id"), ["incident_id"], unique=False)
        batch_op.create_foreign_key(
            op.f("fk_dna_samples_incident_id_incidents"),
            "incidents",
            ["incident_id"],
            ["id"],
            ondelete="SET NULL",
        )
    connection = op.get_bind()
    names = connection.scalars(
        sa.select(samples.c.incident).where(samples.c.incident.is_not(None)).distinct()
    ).all()
    now = sa.func.now() if connection.dialect.name == "postgresql" else sa.func.current_timestamp()
    for name in sorted(names):
        connection.execute(sa.insert(incidents).values(name=name, kind="other", created_at=now))
        made = connection.scalar(sa.select(incidents.c.id).where(incidents.c.name == name))
        connection.execute(sa.update(samples).where(samples.c.incident == name).values(incident_id=made))
    with op.batch_alter_table("dna_samples") as batch_op:
        batch_op.drop_column("incident")


def downgrade() -> None:
    with op.batch_alter_table("dna_samples") as batch_op:
        batch_op.add_column(sa.Column("incident", sa.String(length=300), nullable=True))
    connection = op.get_bind()
    for incident_id, name in connection.execute(sa.select(incidents.c.id, incidents.c.name)).all():
        connection.execute(
            sa.update(samples).where(samples.c.incident_id == incident_id).values(incident=name)
        )
    with op.batch_alter_table("dna_samples") as batch_op:
        batch_op.drop_constraint(op.f("fk_dna_samples_incident_id_incidents"), type_="foreignkey")
        batch_op.drop_index(op.f("ix_dna_samples_incident_id"))
        batch_op.drop_column("incident_id")
    op.drop_index(op.f("ix_incident_cases_case_id"), table_name="incident_cases")
    op.drop_index(op.f("ix_incident_cases_incident_id"), table_name="incident_cases")
    op.drop_table("incident_cases")
    op.drop_table("incidents")
