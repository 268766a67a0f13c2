"""rsvp promotion and unlisted people

Revision ID: e48402d1dc90
Revises: ef3bf04deed6
Create Date: 2026-11-26 11:38:59.082226

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e48402d1dc90'
down_revision = 'ef3bf04deed6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rsvps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('promoted_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_unlisted', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('is_unlisted')

    with op.batch_alter_table('rsvps', schema=None) as batch_op:
        batch_op.drop_column('promoted_at')

