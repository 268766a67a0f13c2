"""initial schema

Revision ID: ef3bf04deed6
Revises:
Create Date: 2026-11-26 11:22:57.768609

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ef3bf04deed6'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('geonameid', sa.Integer(), nullable=True),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cities')),
    sa.UniqueConstraint('geonameid', name=op.f('uq_cities_geonameid')),
    sa.UniqueConstraint('slug', name=op.f('uq_cities_slug'))
    )
    op.create_table('tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tags')),
    sa.UniqueConstraint('name', name=op.f('uq_tags_name'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('display_name', sa.String(length=80), nullable=False),
    sa.Column('trade', sa.String(length=80), server_default='', nullable=False),
    sa.Column('home_city_id', sa.Integer(), nullable=True),
    sa.Column('is_admin', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('session_token', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_users_email_lower')),
    sa.ForeignKeyConstraint(['home_city_id'], ['cities.id'], name=op.f('fk_users_home_city_id_cities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_home_city_id'), ['home_city_id'], unique=False)

    op.create_table('venues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('geocode_status', sa.String(length=16), server_default='pending', nullable=False),
    sa.Column('geocoded_by', sa.String(length=32), nullable=True),
    sa.Column('geocode_precision', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_venues_city_id_cities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_venues')),
    sa.UniqueConstraint('city_id', 'name', 'address', name=op.f('uq_venues_city_id_name_address'))
    )
    with op.batch_alter_table('venues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_venues_city_id'), ['city_id'], unique=False)
        batch_op.create_index('ix_venues_latitude_longitude', ['latitude', 'longitude'], unique=False)

    op.create_table('gatherings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=80), nullable=False),
    sa.Column('sequence', sa.Integer(), server_default='0', nullable=False),
    sa.Column('title', sa.String(length=140), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('venue_id', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), server_default='scheduled', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('scheduled', 'cancelled')", name=op.f('ck_gatherings_status_known')),
    sa.CheckConstraint('capacity IS NULL OR capacity >= 1', name=op.f('ck_gatherings_capacity_positive')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_gatherings_ends_after_start')),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_gatherings_city_id_cities')),
    sa.ForeignKeyConstraint(['organiser_id'], ['users.id'], name=op.f('fk_gatherings_organiser_id_users')),
    sa.ForeignKeyConstraint(['venue_id'], ['venues.id'], name=op.f('fk_gatherings_venue_id_venues')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gatherings')),
    sa.UniqueConstraint('uid', name=op.f('uq_gatherings_uid'))
    )
    with op.batch_alter_table('gatherings', schema=None) as batch_op:
        batch_op.create_index('ix_gatherings_city_id_starts_at', ['city_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_gatherings_organiser_id'), ['organiser_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gatherings_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_gatherings_venue_id'), ['venue_id'], unique=False)

    op.create_table('gathering_tags',
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], name=op.f('fk_gathering_tags_gathering_id_gatherings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_gathering_tags_tag_id_tags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('gathering_id', 'tag_id', name=op.f('pk_gathering_tags'))
    )
    with op.batch_alter_table('gathering_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gathering_tags_tag_id'), ['tag_id'], unique=False)

    op.create_table('rsvps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('response', sa.String(length=8), nullable=False),
    sa.Column('is_waitlisted', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("response IN ('going', 'maybe', 'no')", name=op.f('ck_rsvps_response_known')),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], name=op.f('fk_rsvps_gathering_id_gatherings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rsvps_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rsvps')),
    sa.UniqueConstraint('gathering_id', 'user_id', name=op.f('uq_rsvps_gathering_id_user_id'))
    )
    with op.batch_alter_table('rsvps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rsvps_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('rsvps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rsvps_user_id'))

    op.drop_table('rsvps')
    with op.batch_alter_table('gathering_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gathering_tags_tag_id'))

    op.drop_table('gathering_tags')
    with op.batch_alter_table('gatherings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gatherings_venue_id'))
        batch_op.drop_index(batch_op.f('ix_gatherings_starts_at'))
        batch_op.drop_index(batch_op.f('ix_gatherings_organiser_id'))
        batch_op.drop_index('ix_gatherings_city_id_starts_at')

    op.drop_table('gatherings')
    with op.batch_alter_table('venues', schema=None) as batch_op:
        batch_op.drop_index('ix_venues_latitude_longitude')
        batch_op.drop_index(batch_op.f('ix_venues_city_id'))

    op.drop_table('venues')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_home_city_id'))

    op.drop_table('users')
    op.drop_table('tags')
    op.drop_table('cities')
