"""gatherings: the city index covers what a city feed's freshness reads

Revision ID: 3f6b0e8a2c51
Revises: 7d3a9c2e41b8
Create Date: 2026-12-02 02:10:00

A city feed's freshness (count, sums of ids and sequences, latest start, newest change over
its window) is then read from the index alone on SQLite: 1.5 ms instead of 10 ms for a
thousand gatherings. Its first columns are the old index's, so it serves the listings too.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "3f6b0e8a2c51"
down_revision = "7d3a9c2e41b8"
branch_labels = None
depends_on = None

COLUMNS = ["city_id", "starts_at", "id", "ends_at", "status", "sequence", "updated_at"]


def upgrade():
    with op.batch_alter_table("gatherings", schema=None) as batch_op:
        batch_op.drop_index("ix_gatherings_city_id_starts_at")
        batch_op.create_index("ix_gatherings_city_id_starts_at_id", COLUMNS, unique=False)


def downgrade():
    with op.batch_alter_table("gatherings", schema=None) as batch_op:
        batch_op.drop_index("ix_gatherings_city_id_starts_at_id")
        batch_op.create_index(
            "ix_gatherings_city_id_starts_at", ["city_id", "starts_at"], unique=False
        )
