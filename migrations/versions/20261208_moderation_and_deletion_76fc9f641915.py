"""moderation and deletion: reports, the moderators' audit log, suspended accounts, hidden
gatherings; what stays of a deleted account points at nobody

- `reports`: one person's report of a gathering or of a profile (exactly one), open until an
  admin acts (`outcome`: hide, suspend, dismiss); one open report per reporter and target.
- `moderation_log`: one line per admin action (who, what, when); ids only, no names.
- `users.suspended_at`; `gatherings.status` admits 'hidden' (removed by moderators).
- `gatherings.organiser_id`, `series.organiser_id` and `rsvps.user_id` become nullable with
  ON DELETE SET NULL: a deleted account's past gatherings and answers stay, nobody's.
  On SQLite these tables are rebuilt (batch mode), on PostgreSQL altered in place.

Downgrading refuses a database where an account was deleted (rows with no organiser or no
person): the old schema cannot hold them. Hidden gatherings become cancelled ones.

Revision ID: 76fc9f641915
Revises: 7c708ce30980
Create Date: 2026-12-08 00:41:51.314782

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '76fc9f641915'
down_revision = '7c708ce30980'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('moderation_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('reports_closed', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("action IN ('hide', 'suspend', 'dismiss')", name=op.f('ck_moderation_log_action_known')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_moderation_log_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], name=op.f('fk_moderation_log_gathering_id_gatherings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['users.id'], name=op.f('fk_moderation_log_person_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_log'))
    )
    with op.batch_alter_table('moderation_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_log_created_at'), ['created_at'], unique=False)

    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('gathering_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.CheckConstraint("outcome IN ('hide', 'suspend', 'dismiss')", name=op.f('ck_reports_outcome_known')),
    sa.CheckConstraint('(gathering_id IS NULL) <> (person_id IS NULL)', name=op.f('ck_reports_one_target')),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], name=op.f('fk_reports_gathering_id_gatherings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['users.id'], name=op.f('fk_reports_person_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_reports_reporter_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reports_gathering_id'), ['gathering_id'], unique=False)
        batch_op.create_index('ix_reports_open', ['created_at'], unique=False, sqlite_where=sa.text('resolved_at IS NULL'), postgresql_where=sa.text('resolved_at IS NULL'))
        batch_op.create_index(batch_op.f('ix_reports_person_id'), ['person_id'], unique=False)
        batch_op.create_index('uq_reports_reporter_id_gathering_id_open', ['reporter_id', 'gathering_id'], unique=True, sqlite_where=sa.text('resolved_at IS NULL'), postgresql_where=sa.text('resolved_at IS NULL'))
        batch_op.create_index('uq_reports_reporter_id_person_id_open', ['reporter_id', 'person_id'], unique=True, sqlite_where=sa.text('resolved_at IS NULL'), postgresql_where=sa.text('resolved_at IS NULL'))

    with op.batch_alter_table('gatherings', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_gatherings_status_known'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_gatherings_status_known'),
            "status IN ('scheduled', 'tentative', 'cancelled', 'hidden')",
        )
        batch_op.alter_column('organiser_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.drop_constraint(batch_op.f('fk_gatherings_organiser_id_users'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_gatherings_organiser_id_users'), 'users', ['organiser_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('rsvps', schema=None) as batch_op:
        batch_op.alter_column('user_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.drop_constraint(batch_op.f('fk_rsvps_user_id_users'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_rsvps_user_id_users'), 'users', ['user_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.alter_column('organiser_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.drop_constraint(batch_op.f('fk_series_organiser_id_users'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_series_organiser_id_users'), 'users', ['organiser_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspended_at', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('suspended_at')

    with op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_series_organiser_id_users'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_series_organiser_id_users'), 'users', ['organiser_id'], ['id'])
        batch_op.alter_column('organiser_id',
               existing_type=sa.INTEGER(),
               nullable=False)

    with op.batch_alter_table('rsvps', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_rsvps_user_id_users'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_rsvps_user_id_users'), 'users', ['user_id'], ['id'], ondelete='CASCADE')
        batch_op.alter_column('user_id',
               existing_type=sa.INTEGER(),
               nullable=False)

    op.execute("UPDATE gatherings SET status = 'cancelled' WHERE status = 'hidden'")
    with op.batch_alter_table('gatherings', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_gatherings_status_known'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_gatherings_status_known'), "status IN ('scheduled', 'tentative', 'cancelled')"
        )
        batch_op.drop_constraint(batch_op.f('fk_gatherings_organiser_id_users'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_gatherings_organiser_id_users'), 'users', ['organiser_id'], ['id'])
        batch_op.alter_column('organiser_id',
               existing_type=sa.INTEGER(),
               nullable=False)

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('uq_reports_reporter_id_person_id_open', sqlite_where=sa.text('resolved_at IS NULL'), postgresql_where=sa.text('resolved_at IS NULL'))
        batch_op.drop_index('uq_reports_reporter_id_gathering_id_open', sqlite_where=sa.text('resolved_at IS NULL'), postgresql_where=sa.text('resolved_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_reports_person_id'))
        batch_op.drop_index('ix_reports_open', sqlite_where=sa.text('resolved_at IS NULL'), postgresql_where=sa.text('resolved_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_reports_gathering_id'))

    op.drop_table('reports')
    with op.batch_alter_table('moderation_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_log_created_at'))

    op.drop_table('moderation_log')
