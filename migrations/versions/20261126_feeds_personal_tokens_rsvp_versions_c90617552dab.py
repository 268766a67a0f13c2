"""feeds: personal tokens, rsvp versions, content version

Revision ID: c90617552dab
Revises: aaee7f193556
Create Date: 2026-11-26 12:14:29.385209

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c90617552dab"
down_revision = "aaee7f193556"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "content_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_versions")),
    )
    versions = sa.table("content_versions", sa.column("id", sa.Integer), sa.column("version"))
    op.bulk_insert(versions, [{"id": 1, "version": 0}])
    with op.batch_alter_table("rsvps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sequence", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))

    # Existing accounts each get their own random token before the column becomes required.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("feed_token", sa.String(length=64), nullable=True))
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("feed_token", sa.String))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(
            users.update().where(users.c.id == user_id).values(feed_token=secrets.token_urlsafe(32))
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("feed_token", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_users_feed_token"), ["feed_token"])


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_feed_token"), type_="unique")
        batch_op.drop_column("feed_token")

    with op.batch_alter_table("rsvps", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("sequence")

    op.drop_table("content_versions")
