"""gatherings: an index on updated_at, for what changed lately

Revision ID: 1db6d6d033c3
Revises: 6686a970667e
Create Date: 2026-12-02 02:00:00

The cities' counts (home page, /cities, the API) are kept under a key read from the data:
the newest ids and the gatherings changed in the last minute or two, found with this index
whatever the size of the table.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "1db6d6d033c3"
down_revision = "6686a970667e"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("gatherings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gatherings_updated_at"), ["updated_at"], unique=False)


def downgrade():
    with op.batch_alter_table("gatherings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gatherings_updated_at"))
