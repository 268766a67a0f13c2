"""gatherings: an index for counting each city's upcoming gatherings

Revision ID: 5b1e2f7c9d40
Revises: c90617552dab
Create Date: 2026-11-26 15:50:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "5b1e2f7c9d40"
down_revision = "c90617552dab"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("gatherings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_gatherings_city_id_status_ends_at", ["city_id", "status", "ends_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("gatherings", schema=None) as batch_op:
        batch_op.drop_index("ix_gatherings_city_id_status_ends_at")
