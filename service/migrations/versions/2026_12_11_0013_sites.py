"""several sites in one deployment: trainees, employers, openings, market signals and match runs name their site

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-11 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

TABLES = ("trainee", "employer", "opening", "market_signal", "match_run")
# Rows written before sites existed belong to the one site the deployment served; it was west_bengal unless
# JOBMATCH_SITE said otherwise, which the `jobmatch` commands pass on (`alembic -x site=CODE upgrade head` too).
DEFAULT_SITE = "west_bengal"


def _site() -> str:
    from alembic import context

    given = context.config.attributes.get("default_site") or context.get_x_argument(as_dictionary=True).get("site")
    return str(given or DEFAULT_SITE)


def upgrade() -> None:
    site = _site()
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("site", sa.String(length=64), nullable=False, server_default=site))
            batch.create_index(f"ix_{table}_site", ["site"])
        # The default only backfilled the existing rows: every new row names its site itself.
        with op.batch_alter_table(table) as batch:
            batch.alter_column("site", server_default=None, existing_type=sa.String(length=64),
                               existing_nullable=False)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_site")
            batch.drop_column("site")
