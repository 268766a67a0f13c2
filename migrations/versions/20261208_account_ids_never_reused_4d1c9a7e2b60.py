"""account ids are never given again: a deleted account's signed links lead nowhere

SQLite gives a new row the highest id plus one, so the id of the newest account, once deleted,
went to the next one to sign up, and the links signed with it (unsubscribe, "still coming?")
would have acted on the newcomer. AUTOINCREMENT keeps every id ever used; SQLite needs the table
rebuilt for it (batch mode). PostgreSQL's sequence never goes back: nothing to do there.

Revision ID: 4d1c9a7e2b60
Revises: 76fc9f641915
Create Date: 2026-12-08 01:35:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '4d1c9a7e2b60'
down_revision = '76fc9f641915'
branch_labels = None
depends_on = None


def _rebuild_users(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "users", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass


def upgrade():
    _rebuild_users(True)


def downgrade():
    _rebuild_users(False)
