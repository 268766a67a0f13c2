"""Engine settings the ORM cannot express (SQLite pragmas), and inserting a row once."""

from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError

from meetups.extensions import db


def configure(app: Flask) -> None:
    """Turn on foreign keys, WAL and a busy timeout on every SQLite connection."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    # WAL lets readers go on while one process writes; the busy timeout makes a second
    # writer wait for the lock instead of failing at once with "database is locked".
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.close()


def render_item(type_, obj, autogen_context):
    """Write our UTCDateTime as a plain timezone-aware DateTime in migrations."""
    from meetups.dates import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def inserted_or_found(row, query):
    """Insert a new row, or, when another request just inserted its twin (a unique
    constraint says so), return that twin as the query finds it."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return db.session.scalar(query)
    return row
