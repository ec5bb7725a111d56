"""match runs proposals model registry followup schedule risk flag

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 16:01:47.252950
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('match_run',
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('engine', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('model_versions', sa.JSON(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('objective', sa.Float(), nullable=True),
    sa.Column('greedy_objective', sa.Float(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('match_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_run_as_of'), ['as_of'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_run_status'), ['status'], unique=False)

    op.create_table('model_version',
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('version', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('trained_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('data_fingerprint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('artefact_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('artefact', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('model_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_model_version_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_model_version_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_model_version_version'), ['version'], unique=True)

    op.create_table('proposal',
    sa.Column('trainee_external_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('opening_external_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('rank_in_her_list', sa.Integer(), nullable=False),
    sa.Column('alternative_rank', sa.Integer(), nullable=True),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decline_reason', sa.String(length=32), nullable=True),
    sa.Column('decline_note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('placement_external_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('partner_org', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['match_run.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_opening_external_id'), ['opening_external_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_partner_org'), ['partner_org'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_trainee_external_id'), ['trainee_external_id'], unique=False)

    with op.batch_alter_table('followup', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_followup_due_on'), ['due_on'], unique=False)

    with op.batch_alter_table('trainee', schema=None) as batch_op:
        batch_op.add_column(sa.Column('risk_flag', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('risk_flagged_on', sa.Date(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('trainee', schema=None) as batch_op:
        batch_op.drop_column('risk_flagged_on')
        batch_op.drop_column('risk_flag')

    with op.batch_alter_table('followup', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followup_due_on'))
        batch_op.drop_column('due_on')

    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_trainee_external_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_run_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_partner_org'))
        batch_op.drop_index(batch_op.f('ix_proposal_opening_external_id'))

    op.drop_table('proposal')
    with op.batch_alter_table('model_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_model_version_version'))
        batch_op.drop_index(batch_op.f('ix_model_version_kind'))
        batch_op.drop_index(batch_op.f('ix_model_version_active'))

    op.drop_table('model_version')
    with op.batch_alter_table('match_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_run_status'))
        batch_op.drop_index(batch_op.f('ix_match_run_as_of'))

    op.drop_table('match_run')
