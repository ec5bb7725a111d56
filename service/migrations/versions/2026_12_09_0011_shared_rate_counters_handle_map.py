"""per-key rate counters shared by every worker; the per-employer candidate handle map

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Counters are not records: on PostgreSQL the table skips the write-ahead log (no disk flush per request; a
    # crash empties it). On SQLite the service keeps its counters in a file beside the database instead.
    unlogged = ["UNLOGGED"] if op.get_bind().dialect.name == "postgresql" else []
    op.create_table('rate_bucket',
    sa.Column('bucket', sa.String(length=80), nullable=False),
    sa.Column('tat_us', sa.BigInteger(), nullable=False),
    sa.Column('allowed', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('bucket'),
    prefixes=unlogged
    )
    op.create_table('candidate_handle',
    sa.Column('employer_external_id', sa.String(length=64), nullable=False),
    sa.Column('handle', sa.String(length=24), nullable=False),
    sa.Column('trainee_external_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['employer_external_id'], ['employer.external_id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['trainee_external_id'], ['trainee.external_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('employer_external_id', 'handle')
    )
    op.create_index('ix_candidate_handle_trainee_external_id', 'candidate_handle', ['trainee_external_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_candidate_handle_trainee_external_id', table_name='candidate_handle')
    op.drop_table('candidate_handle')
    op.drop_table('rate_bucket')
