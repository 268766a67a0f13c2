"""outbox and notification settings: every e-mail queued with the change it reports, and
what each person chose to receive

Revision ID: e773268142cd
Revises: 1562f5eb6802
Create Date: 2026-12-07 21:41:29.045484

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e773268142cd'
down_revision = '1562f5eb6802'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reminders', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('pack_news', sa.String(length=8), server_default='instant', nullable=False),
    sa.Column('city_news', sa.String(length=8), server_default='off', nullable=False),
    sa.Column('join_requests', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_settings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_settings'))
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], name=op.f('fk_outbox_gathering_id_gatherings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_outbox_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('key', name=op.f('uq_outbox_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due_at_waiting', ['due_at'], unique=False, postgresql_where=sa.text('sent_at IS NULL AND failed_at IS NULL'), sqlite_where=sa.text('sent_at IS NULL AND failed_at IS NULL'))
        batch_op.create_index(batch_op.f('ix_outbox_gathering_id'), ['gathering_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_user_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_gathering_id'))
        batch_op.drop_index('ix_outbox_due_at_waiting', postgresql_where=sa.text('sent_at IS NULL AND failed_at IS NULL'), sqlite_where=sa.text('sent_at IS NULL AND failed_at IS NULL'))

    op.drop_table('outbox')
    op.drop_table('notification_settings')
