"""gatherings: the key of the proposal form, unique per organiser

Revision ID: fe827c5d562f
Revises: 1c07d58c1896
Create Date: 2026-12-02 04:10:00

The proposal form carries a random key; a gathering keeps the key of the form it came from,
and the same form sent twice (a double click, a retried request) finds the first gathering
instead of making a second. Unique per organiser, enforced by the database: two requests at
the same moment cannot both insert. Gatherings proposed without a key (scripts, older rows)
keep NULL, which never collides.

A nullable column and an index: SQLite adds both without rebuilding the table.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "fe827c5d562f"
down_revision = "1c07d58c1896"
branch_labels = None
depends_on = None

INDEX = "uq_gatherings_organiser_id_idempotency_key"


def upgrade():
    with op.batch_alter_table("gatherings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=64), nullable=True))
        batch_op.create_index(INDEX, ["organiser_id", "idempotency_key"], unique=True)


def downgrade():
    with op.batch_alter_table("gatherings", schema=None) as batch_op:
        batch_op.drop_index(INDEX)
        batch_op.drop_column("idempotency_key")
