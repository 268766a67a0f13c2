"""quorum gatherings: tentative until enough people are going, decided by tick

- `gatherings.min_going` (NULL: no quorum; else at least 2) and `decide_at` (UTC): until
  `min_going` people are going the gathering is `tentative`; at `decide_at` tick confirms
  or cancels it. A partial index finds the tentative ones whose time has come.
- `status_known` admits 'tentative'. Check constraints are rebuilt with the table on SQLite
  (batch mode), altered in place on PostgreSQL.

Revision ID: 7c708ce30980
Revises: 0b975379c3de
Create Date: 2026-12-07 22:29:26.479868

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c708ce30980'
down_revision = '0b975379c3de'
branch_labels = None
depends_on = None

TENTATIVE = sa.text("status = 'tentative'")


def upgrade():
    with op.batch_alter_table('gatherings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_going', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decide_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_gatherings_min_going_at_least_2'), 'min_going IS NULL OR min_going >= 2'
        )
        batch_op.drop_constraint(op.f('ck_gatherings_status_known'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_gatherings_status_known'), "status IN ('scheduled', 'tentative', 'cancelled')"
        )
        batch_op.create_index(
            'ix_gatherings_decide_at_tentative',
            ['decide_at'],
            unique=False,
            postgresql_where=TENTATIVE,
            sqlite_where=TENTATIVE,
        )


def downgrade():
    # A tentative gathering becomes an ordinary one: the old schema knows no quorum.
    op.execute("UPDATE gatherings SET status = 'scheduled' WHERE status = 'tentative'")
    with op.batch_alter_table('gatherings', schema=None) as batch_op:
        batch_op.drop_index(
            'ix_gatherings_decide_at_tentative', postgresql_where=TENTATIVE, sqlite_where=TENTATIVE
        )
        batch_op.drop_constraint(op.f('ck_gatherings_status_known'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_gatherings_status_known'), "status IN ('scheduled', 'cancelled')"
        )
        batch_op.drop_constraint(op.f('ck_gatherings_min_going_at_least_2'), type_='check')
        batch_op.drop_column('decide_at')
        batch_op.drop_column('min_going')
