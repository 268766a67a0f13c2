"""content_versions: dropped; each feed reads its freshness from the rows it shows

Revision ID: 7d3a9c2e41b8
Revises: 5b1e2f7c9d40
Create Date: 2026-12-02 01:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7d3a9c2e41b8"
down_revision = "5b1e2f7c9d40"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table("content_versions")


def downgrade():
    op.create_table(
        "content_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_versions")),
    )
    versions = sa.table("content_versions", sa.column("id", sa.Integer), sa.column("version"))
    op.bulk_insert(versions, [{"id": 1, "version": 0}])
