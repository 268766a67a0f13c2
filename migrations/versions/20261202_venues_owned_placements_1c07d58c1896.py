"""venues: a person's own placement of a name and address, beside the shared venue

Revision ID: 1c07d58c1896
Revises: 1db6d6d033c3
Create Date: 2026-12-02 04:05:19

A venue was one row per (city, name, address), so an organiser correcting its pin moved every
other organiser's gatherings there. Now owner_id is NULL for the shared venue (placed by the
geocoders or an admin) and set on a person's own placement: one shared row and at most one
per owner for each name and address, held by two partial unique indexes. Existing venues
stay shared. SQLite rebuilds the table to drop the old unique constraint.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "1c07d58c1896"
down_revision = "1db6d6d033c3"
branch_labels = None
depends_on = None

SHARED, OWNED = sa.text("owner_id IS NULL"), sa.text("owner_id IS NOT NULL")
PLACE = ["city_id", "name", "address"]
# Downgrade: every venue of a name and address gives way to one, the shared one if there is.
KEPT = """(SELECT k.id FROM venues AS v JOIN venues AS k ON k.city_id = v.city_id
           AND k.name = v.name AND k.address = v.address
           WHERE v.id = {venue_id} ORDER BY k.owner_id IS NOT NULL, k.id LIMIT 1)"""


def upgrade():
    with op.batch_alter_table("venues", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_venues_owner_id_users"), "users", ["owner_id"], ["id"]
        )
        batch_op.drop_constraint(batch_op.f("uq_venues_city_id_name_address"), type_="unique")
        batch_op.create_index(
            "uq_venues_city_id_name_address_shared",
            PLACE,
            unique=True,
            sqlite_where=SHARED,
            postgresql_where=SHARED,
        )
        batch_op.create_index(
            "uq_venues_city_id_name_address_owner_id",
            [*PLACE, "owner_id"],
            unique=True,
            sqlite_where=OWNED,
            postgresql_where=OWNED,
        )


def downgrade():
    # People's own placements are lost: their gatherings go back to the shared venue.
    owned = "venue_id IN (SELECT id FROM venues WHERE owner_id IS NOT NULL)"
    op.execute(f"UPDATE gatherings SET venue_id = {KEPT.format(venue_id='venue_id')} WHERE {owned}")
    op.execute(
        "DELETE FROM venues WHERE owner_id IS NOT NULL"
        f" AND id <> {KEPT.format(venue_id='venues.id')}"
    )
    with op.batch_alter_table("venues", schema=None) as batch_op:
        batch_op.drop_index("uq_venues_city_id_name_address_owner_id")
        batch_op.drop_index("uq_venues_city_id_name_address_shared")
        batch_op.create_unique_constraint(batch_op.f("uq_venues_city_id_name_address"), PLACE)
        batch_op.drop_constraint(batch_op.f("fk_venues_owner_id_users"), type_="foreignkey")
        batch_op.drop_column("owner_id")
