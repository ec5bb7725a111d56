"""every import attempt is kept (refused ones too); console sessions are kept so that signing out ends them

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_attempt",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("key_prefix", sa.String(length=16), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("partner_org", sa.String(length=64), nullable=True),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("problem_count", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
    )
    op.create_index("ix_import_attempt_at", "import_attempt", ["at"])
    op.create_index("ix_import_attempt_outcome", "import_attempt", ["outcome"])
    op.create_index("ix_import_attempt_partner_org", "import_attempt", ["partner_org"])
    op.create_table(
        "signed_in_session",
        sa.Column("id", sa.String(length=43), primary_key=True),
        sa.Column("key_id", sa.Integer(), sa.ForeignKey("api_key.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_signed_in_session_key_id", "signed_in_session", ["key_id"])
    op.create_index("ix_signed_in_session_expires_at", "signed_in_session", ["expires_at"])


def downgrade() -> None:
    op.drop_table("signed_in_session")
    op.drop_table("import_attempt")
