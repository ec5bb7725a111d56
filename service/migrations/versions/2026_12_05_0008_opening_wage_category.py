"""an opening's own minimum-wage category (empty: its occupation's)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 10:00:00

Required skills may carry "essential": true inside the existing JSON column; no schema change is needed for it.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('opening', sa.Column('wage_category', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('opening', schema=None) as batch_op:
        batch_op.drop_column('wage_category')
