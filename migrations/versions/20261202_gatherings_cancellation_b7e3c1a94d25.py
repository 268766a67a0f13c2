"""gatherings: when a gathering was cancelled, and the organiser's message

Revision ID: b7e3c1a94d25
Revises: fe827c5d562f
Create Date: 2026-12-02 05:00:00

Cancelling now says when and, optionally, why: the gathering's page and its calendar entry
show the organiser's message to the people coming. Both are cleared when a gathering
cancelled by mistake is reinstated. Existing cancelled gatherings keep NULL (no message, time
unknown: their page says "Cancelled" without a date).

Nullable columns: SQLite adds them without rebuilding the table.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7e3c1a94d25"
down_revision = "fe827c5d562f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("gatherings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("cancel_message", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("gatherings", schema=None) as batch_op:
        batch_op.drop_column("cancel_message")
        batch_op.drop_column("cancelled_at")
