"""gatherings: last at most 7 days (checked); an index in start order that skips what is over

Revision ID: 6686a970667e
Revises: 3f6b0e8a2c51
Create Date: 2026-12-02 01:30:00

Listings read gatherings not over in start order. A gathering not over has started less than
7 days ago once the database refuses longer ones (the form always did), so a listing starts
reading there instead of at the oldest gathering; (starts_at, id, ends_at) gives the order the
home page sorts by and lets the few just started but already over be skipped from the index.

SQLite rebuilds the table to add the check (a minute or two for a million gatherings).
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "6686a970667e"
down_revision = "3f6b0e8a2c51"
branch_labels = None
depends_on = None

CHECK = "ck_gatherings_lasts_at_most_7_days"
LASTS_AT_MOST = {  # as meetups.gatherings.models says it, written out: a migration never changes
    "postgresql": "ends_at <= starts_at + interval '7 days'",
    "sqlite": "julianday(ends_at) <= julianday(starts_at, '+7 days')",
}


def upgrade():
    rule = LASTS_AT_MOST[op.get_bind().dialect.name]
    with op.batch_alter_table("gatherings", schema=None) as batch_op:
        batch_op.drop_index("ix_gatherings_starts_at")
        batch_op.create_index("ix_gatherings_starts_at_id", ["starts_at", "id", "ends_at"])
        batch_op.create_check_constraint(op.f(CHECK), rule)


def downgrade():
    with op.batch_alter_table("gatherings", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CHECK), type_="check")
        batch_op.drop_index("ix_gatherings_starts_at_id")
        batch_op.create_index("ix_gatherings_starts_at", ["starts_at"], unique=False)
