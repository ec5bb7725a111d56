"""every nightly run has a fairness report, and says whether its assignment had group floors

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-12 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("match_run") as table:
        table.add_column(sa.Column("fairness", sa.String(length=16), nullable=False, server_default="off"))
    op.create_table(
        "fairness_report",
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("match_run.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("survivors", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("fairness_report")
    with op.batch_alter_table("match_run") as table:
        table.drop_column("fairness")
