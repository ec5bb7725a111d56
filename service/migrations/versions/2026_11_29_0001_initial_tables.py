"""initial tables

Revision ID: 0001
Revises: 
Create Date: 2026-11-29 15:17:55.630447
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_key',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('employer_external_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('partner_org', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prefix', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('key_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_key_key_hash'), ['key_hash'], unique=True)
        batch_op.create_index(batch_op.f('ix_api_key_prefix'), ['prefix'], unique=False)

    op.create_table('employer',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('sector', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('district', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('vetted', sa.Boolean(), nullable=False),
    sa.Column('vetted_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('employer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employer_district'), ['district'], unique=False)
        batch_op.create_index(batch_op.f('ix_employer_external_id'), ['external_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_employer_sector'), ['sector'], unique=False)
        batch_op.create_index(batch_op.f('ix_employer_updated_at'), ['updated_at'], unique=False)

    op.create_table('market_signal',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('postings', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('occupation', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('occupation_code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('district', 'occupation', 'period', 'source', name='uq_market_signal_key')
    )
    with op.batch_alter_table('market_signal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_market_signal_district'), ['district'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_signal_occupation'), ['occupation'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_signal_occupation_code'), ['occupation_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_signal_period'), ['period'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_signal_updated_at'), ['updated_at'], unique=False)

    op.create_table('trainee',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('partner_org', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('cohort', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('district', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('education', sa.String(length=20), nullable=True),
    sa.Column('preferred_sectors', sa.JSON(), nullable=False),
    sa.Column('max_commute_minutes', sa.Integer(), nullable=False),
    sa.Column('willing_to_relocate', sa.Boolean(), nullable=False),
    sa.Column('night_shift_ok', sa.Boolean(), nullable=False),
    sa.Column('has_dependents', sa.Boolean(), nullable=False),
    sa.Column('attendance_rate', sa.Float(), nullable=True),
    sa.Column('expected_wage_inr', sa.Integer(), nullable=True),
    sa.Column('excluded_employers', sa.JSON(), nullable=False),
    sa.Column('excluded_districts', sa.JSON(), nullable=False),
    sa.Column('available_from', sa.Date(), nullable=True),
    sa.Column('is_survivor', sa.Boolean(), nullable=False),
    sa.Column('training_track', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('trainee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trainee_district'), ['district'], unique=False)
        batch_op.create_index(batch_op.f('ix_trainee_external_id'), ['external_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_trainee_partner_org'), ['partner_org'], unique=False)
        batch_op.create_index(batch_op.f('ix_trainee_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_trainee_updated_at'), ['updated_at'], unique=False)

    op.create_table('opening',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('employer_external_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('occupation', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('sector', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('required_skills', sa.JSON(), nullable=False),
    sa.Column('district', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('monthly_wage_inr', sa.Integer(), nullable=False),
    sa.Column('positions', sa.Integer(), nullable=False),
    sa.Column('shift', sa.String(length=16), nullable=False),
    sa.Column('accommodation_provided', sa.Boolean(), nullable=False),
    sa.Column('transport_provided', sa.Boolean(), nullable=False),
    sa.Column('languages_required', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('posted_on', sa.Date(), nullable=True),
    sa.Column('closes_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('occupation_code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.ForeignKeyConstraint(['employer_external_id'], ['employer.external_id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('opening', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opening_district'), ['district'], unique=False)
        batch_op.create_index(batch_op.f('ix_opening_employer_external_id'), ['employer_external_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opening_external_id'), ['external_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_opening_occupation_code'), ['occupation_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_opening_sector'), ['sector'], unique=False)
        batch_op.create_index(batch_op.f('ix_opening_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_opening_updated_at'), ['updated_at'], unique=False)

    op.create_table('placement',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('trainee_external_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('opening_external_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['opening_external_id'], ['opening.external_id'], ),
    sa.ForeignKeyConstraint(['trainee_external_id'], ['trainee.external_id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placement_external_id'), ['external_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_placement_opening_external_id'), ['opening_external_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_placement_trainee_external_id'), ['trainee_external_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_placement_updated_at'), ['updated_at'], unique=False)

    op.create_table('followup',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('checked_on', sa.Date(), nullable=True),
    sa.Column('employed', sa.Boolean(), nullable=True),
    sa.Column('monthly_wage_inr', sa.Integer(), nullable=True),
    sa.Column('wellbeing', sa.Integer(), nullable=True),
    sa.Column('risk_flag', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_external_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['placement_external_id'], ['placement.external_id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('placement_external_id', 'month', name='uq_followup_placement_month')
    )
    with op.batch_alter_table('followup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_placement_external_id'), ['placement_external_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_followup_updated_at'), ['updated_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('followup', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followup_updated_at'))
        batch_op.drop_index(batch_op.f('ix_followup_placement_external_id'))

    op.drop_table('followup')
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_placement_updated_at'))
        batch_op.drop_index(batch_op.f('ix_placement_trainee_external_id'))
        batch_op.drop_index(batch_op.f('ix_placement_opening_external_id'))
        batch_op.drop_index(batch_op.f('ix_placement_external_id'))

    op.drop_table('placement')
    with op.batch_alter_table('opening', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opening_updated_at'))
        batch_op.drop_index(batch_op.f('ix_opening_status'))
        batch_op.drop_index(batch_op.f('ix_opening_sector'))
        batch_op.drop_index(batch_op.f('ix_opening_occupation_code'))
        batch_op.drop_index(batch_op.f('ix_opening_external_id'))
        batch_op.drop_index(batch_op.f('ix_opening_employer_external_id'))
        batch_op.drop_index(batch_op.f('ix_opening_district'))

    op.drop_table('opening')
    with op.batch_alter_table('trainee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trainee_updated_at'))
        batch_op.drop_index(batch_op.f('ix_trainee_status'))
        batch_op.drop_index(batch_op.f('ix_trainee_partner_org'))
        batch_op.drop_index(batch_op.f('ix_trainee_external_id'))
        batch_op.drop_index(batch_op.f('ix_trainee_district'))

    op.drop_table('trainee')
    with op.batch_alter_table('market_signal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_market_signal_updated_at'))
        batch_op.drop_index(batch_op.f('ix_market_signal_period'))
        batch_op.drop_index(batch_op.f('ix_market_signal_occupation_code'))
        batch_op.drop_index(batch_op.f('ix_market_signal_occupation'))
        batch_op.drop_index(batch_op.f('ix_market_signal_district'))

    op.drop_table('market_signal')
    with op.batch_alter_table('employer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employer_updated_at'))
        batch_op.drop_index(batch_op.f('ix_employer_sector'))
        batch_op.drop_index(batch_op.f('ix_employer_external_id'))
        batch_op.drop_index(batch_op.f('ix_employer_district'))

    op.drop_table('employer')
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_key_prefix'))
        batch_op.drop_index(batch_op.f('ix_api_key_key_hash'))

    op.drop_table('api_key')
