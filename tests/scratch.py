"""Throwaway PostgreSQL databases, for the tests and the benchmarks (bench/common.py)."""

import contextlib
import sys
import uuid
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import make_url


@contextlib.contextmanager
def postgres_database(server: str, prefix: str, keep: bool = False) -> Iterator[str]:
    """A new, empty database on the server that `server` (any database URL) points at.

    Yields its URL (psycopg 3 driver); drops it afterwards, even after a failure, unless keep.
    """
    url = make_url(server).set(drivername="postgresql+psycopg")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        if keep:
            print(f"Kept the PostgreSQL database {name}.", file=sys.stderr)
        else:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
