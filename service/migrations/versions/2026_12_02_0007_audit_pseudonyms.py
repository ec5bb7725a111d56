"""audit events name trainees by pseudonym: seed the audit_subjects secret, convert the events already stored

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 19:00:00

No schema change. The secret is created here, not on first use, so that writing an audit event never has to
commit a secret in the middle of the caller's transaction.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# The same formula as service.audit.subjects.token (kept here: a migration must not change with the code).
SECRET = "audit_subjects"


def _token(key: bytes, external_id: str) -> str:
    return "AS-" + base64.b32encode(hmac.new(key, external_id.encode(), hashlib.sha256).digest()[:20]).decode()


def _without_update_guard(bind, statement_runner) -> None:  # noqa: ANN001
    """Run changes to audit_event with its append-only trigger lifted for this migration only."""
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update")
        statement_runner()
        op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update")
    else:
        op.execute("DROP TRIGGER audit_event_no_update")
        statement_runner()
        op.execute("CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
                   "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END")


def upgrade() -> None:
    bind = op.get_bind()
    row = bind.execute(sa.text("SELECT value FROM service_secret WHERE name = :name"), {"name": SECRET}).first()
    if row is None:
        value = secrets.token_hex(32)
        bind.execute(sa.text("INSERT INTO service_secret (name, value) VALUES (:name, :value)"),
                     {"name": SECRET, "value": value})
    else:
        value = row[0]
    key = bytes.fromhex(value)
    named = [r[0] for r in bind.execute(sa.text(
        "SELECT DISTINCT external_id FROM audit_event WHERE entity = 'trainee' AND external_id NOT LIKE 'AS-%'"))]
    if not named:
        return
    living = {r[0] for r in bind.execute(sa.text("SELECT external_id FROM trainee WHERE erased_at IS NULL"))}
    tokens = {external_id: _token(key, external_id) for external_id in named}

    def convert() -> None:
        for external_id, token in tokens.items():
            bind.execute(sa.text("UPDATE audit_event SET external_id = :token "
                                 "WHERE entity = 'trainee' AND external_id = :external_id"),
                         {"token": token, "external_id": external_id})

    _without_update_guard(bind, convert)
    links = [{"token": token, "external_id": external_id} for external_id, token in tokens.items()
             if external_id in living]  # an erased trainee's events stay unlinked
    if links:
        bind.execute(sa.text("INSERT INTO audit_subject (token, external_id) VALUES (:token, :external_id)"), links)


def downgrade() -> None:
    bind = op.get_bind()
    links = [dict(r._mapping) for r in bind.execute(sa.text("SELECT token, external_id FROM audit_subject"))]

    def restore() -> None:
        for link in links:
            bind.execute(sa.text("UPDATE audit_event SET external_id = :external_id "
                                 "WHERE entity = 'trainee' AND external_id = :token"), link)

    _without_update_guard(bind, restore)
    bind.execute(sa.text("DELETE FROM audit_subject"))
