"""journeys from data: recorded journey times (follow-ups, training centre) and confirmed journeys

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("followup") as table:
        table.add_column(sa.Column("commute_minutes", sa.Integer(), nullable=True))
    with op.batch_alter_table("trainee") as table:
        table.add_column(sa.Column("training_commute_minutes", sa.Integer(), nullable=True))
    op.create_table(
        "confirmed_journey",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trainee_external_id", sa.String(length=64), nullable=False),
        sa.Column("opening_external_id", sa.String(length=64), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("confirmed_on", sa.Date(), nullable=False),
        sa.Column("confirmed_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["opening_external_id"], ["opening.external_id"]),
        sa.ForeignKeyConstraint(["trainee_external_id"], ["trainee.external_id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("trainee_external_id", "opening_external_id", name="uq_confirmed_journey_trainee_opening"),
    )
    with op.batch_alter_table("confirmed_journey") as table:
        table.create_index("ix_confirmed_journey_opening_external_id", ["opening_external_id"], unique=False)
        table.create_index("ix_confirmed_journey_trainee_external_id", ["trainee_external_id"], unique=False)
        table.create_index("ix_confirmed_journey_updated_at", ["updated_at"], unique=False)


def downgrade() -> None:
    op.drop_table("confirmed_journey")
    with op.batch_alter_table("trainee") as table:
        table.drop_column("training_commute_minutes")
    with op.batch_alter_table("followup") as table:
        table.drop_column("commute_minutes")
