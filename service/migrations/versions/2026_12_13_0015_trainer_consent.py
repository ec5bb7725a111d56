"""trainer consent: whether a trainee agreed to be considered for a trainer role at her partner organisation

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-13 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trainee") as table:
        table.add_column(sa.Column("trainer_consent", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("trainee") as table:
        table.drop_column("trainer_consent")
