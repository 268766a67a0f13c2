"""recurring series: a rule and a template, and its occurrences as ordinary gatherings

- `series`: the rule (frequency, local start time, duration, zone, first local date, until)
  and the template of the occurrences made later (organiser, title, description, city,
  venue, capacity, tags, pack); `stopped_at` once cancelled from one occurrence on.
- `gatherings.series_id` / `series_day`: the series and local date of an occurrence, unique
  together (NULLs for gatherings of their own), so that `tick` run twice makes each once;
  `gatherings.detached`: edited alone, later edits of the series pass it by. The unique
  constraint and the foreign key rebuild the table on SQLite (batch mode).

Revision ID: 0b975379c3de
Revises: e773268142cd
Create Date: 2026-12-07 22:00:57.153853

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0b975379c3de'
down_revision = 'e773268142cd'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('frequency', sa.String(length=16), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('zone', sa.String(length=64), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=140), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('venue_id', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('pack_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("frequency IN ('weekly', 'biweekly', 'monthly', 'monthly_last')", name=op.f('ck_series_frequency_known')),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_series_duration_positive')),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_series_city_id_cities')),
    sa.ForeignKeyConstraint(['organiser_id'], ['users.id'], name=op.f('fk_series_organiser_id_users')),
    sa.ForeignKeyConstraint(['pack_id'], ['packs.id'], name=op.f('fk_series_pack_id_packs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['venue_id'], ['venues.id'], name=op.f('fk_series_venue_id_venues')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_series'))
    )
    with op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_series_organiser_id'), ['organiser_id'], unique=False)

    with op.batch_alter_table('gatherings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('series_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('series_day', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('detached', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_unique_constraint(batch_op.f('uq_gatherings_series_id_series_day'), ['series_id', 'series_day'])
        batch_op.create_foreign_key(batch_op.f('fk_gatherings_series_id_series'), 'series', ['series_id'], ['id'])



def downgrade():
    with op.batch_alter_table('gatherings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_gatherings_series_id_series'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_gatherings_series_id_series_day'), type_='unique')
        batch_op.drop_column('detached')
        batch_op.drop_column('series_day')
        batch_op.drop_column('series_id')

    with op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_series_organiser_id'))

    op.drop_table('series')
