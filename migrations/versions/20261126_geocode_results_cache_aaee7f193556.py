"""geocode results cache

One row per normalised address in a city, so that no geocoding service is asked twice.

Revision ID: aaee7f193556
Revises: e48402d1dc90
Create Date: 2026-11-26 11:55:00.991754

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'aaee7f193556'
down_revision = 'e48402d1dc90'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('geocode_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('query_key', sa.String(length=500), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('precision', sa.String(length=32), nullable=False),
    sa.Column('label', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_geocode_results')),
    sa.UniqueConstraint('query_key', name=op.f('uq_geocode_results_query_key'))
    )


def downgrade():
    op.drop_table('geocode_results')
