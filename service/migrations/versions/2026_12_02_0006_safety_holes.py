"""one open placement, one accepted proposal per run, audit events never deleted outside retention,
audit subjects as pseudonyms

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 18:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_table('audit_subject',
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('token')
    )
    with op.batch_alter_table('audit_subject', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_subject_external_id'), ['external_id'], unique=True)

    op.create_table('audit_purge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )

    op.create_index('ux_placement_one_open_per_trainee', 'placement', ['trainee_external_id'], unique=True,
                    sqlite_where=sa.text('ended_on IS NULL'), postgresql_where=sa.text('ended_on IS NULL'))
    op.create_index('ux_proposal_one_accepted_per_trainee_run', 'proposal', ['run_id', 'trainee_external_id'],
                    unique=True, sqlite_where=sa.text("status = 'accepted'"),
                    postgresql_where=sa.text("status = 'accepted'"))

    # Audit events are deleted only while a purge permit exists (the retention command's transaction).
    if postgresql:
        op.execute("CREATE FUNCTION audit_event_no_delete() RETURNS trigger AS $$ BEGIN "
                   "IF NOT EXISTS (SELECT 1 FROM audit_purge) THEN "
                   "RAISE EXCEPTION 'audit_event is append-only'; END IF; RETURN OLD; END; $$ LANGUAGE plpgsql")
        op.execute("CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
                   "FOR EACH ROW EXECUTE FUNCTION audit_event_no_delete()")
    else:
        op.execute("CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
                   "WHEN NOT EXISTS (SELECT 1 FROM audit_purge) "
                   "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete" + (" ON audit_event" if postgresql else ""))
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS audit_event_no_delete()")
    op.drop_index('ux_proposal_one_accepted_per_trainee_run', table_name='proposal')
    op.drop_index('ux_placement_one_open_per_trainee', table_name='placement')
    op.drop_table('audit_purge')
    with op.batch_alter_table('audit_subject', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_subject_external_id'))
    op.drop_table('audit_subject')
