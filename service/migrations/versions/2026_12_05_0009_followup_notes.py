"""follow-ups keep the coordinator's notes of a check

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("followup") as table:
        table.add_column(sa.Column("notes", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("followup") as table:
        table.drop_column("notes")
