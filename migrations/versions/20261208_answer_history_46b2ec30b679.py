"""answer history: each change of an answer (response, in line or seated, when), for people
to read their own story in their export

Existing answers start their story from where they stand, at the time they were last given.

Revision ID: 46b2ec30b679
Revises: 4d1c9a7e2b60
Create Date: 2026-12-08 01:43:16.576035

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '46b2ec30b679'
down_revision = '4d1c9a7e2b60'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('answer_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rsvp_id', sa.Integer(), nullable=False),
    sa.Column('response', sa.String(length=8), nullable=False),
    sa.Column('is_waitlisted', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['rsvp_id'], ['rsvps.id'], name=op.f('fk_answer_changes_rsvp_id_rsvps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_changes'))
    )
    with op.batch_alter_table('answer_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_changes_rsvp_id'), ['rsvp_id'], unique=False)
    op.execute(
        "INSERT INTO answer_changes (rsvp_id, response, is_waitlisted, at)"
        " SELECT id, response, is_waitlisted, responded_at FROM rsvps"
    )



def downgrade():
    with op.batch_alter_table('answer_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_changes_rsvp_id'))

    op.drop_table('answer_changes')
