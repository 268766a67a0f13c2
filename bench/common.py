"""Shared by the benchmarks: a scratch database, the flask CLI on it, an app bound to it."""

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.scratch import postgres_database

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Run:
    """One finished command: its wall time, its peak memory and what it printed."""

    seconds: float
    max_rss_mb: float
    output: str


@contextlib.contextmanager
def scratch_database(postgres: str | None = None, keep: bool = False) -> Iterator[str]:
    """An empty database's URL: a SQLite file in a temporary folder, or a new database on the
    PostgreSQL server that `postgres` points at. Removed afterwards unless keep."""
    folder = Path(tempfile.mkdtemp(prefix="meute-bench-"))
    if postgres is None:
        try:
            yield f"sqlite:///{folder / 'bench.sqlite'}"
        finally:
            _remove(folder, keep)
        return
    try:
        with postgres_database(postgres, "meute_bench", keep=keep) as url:
            yield url
    finally:
        _remove(folder, keep=False)


def _remove(folder: Path, keep: bool) -> None:
    if keep:
        print(f"Kept {folder}.", file=sys.stderr)
    else:
        shutil.rmtree(folder, ignore_errors=True)


def flask(database_url: str, *args: str, echo: bool = True, env: dict | None = None) -> Run:
    """Run `flask --app wsgi ARGS` on this database; stderr (progress) passes through."""
    instance = Path(tempfile.mkdtemp(prefix="meute-bench-instance-"))
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MEETUPS_")},
        "DATABASE_URL": database_url,
        "MEETUPS_INSTANCE_PATH": str(instance),
        "MEETUPS_SECRET_KEY": "bench-secret-key",
        "MEETUPS_GEOCODERS": "offline",
        **(env or {}),
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", *args]
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - this interpreter, our own arguments
        command,
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=None if echo else subprocess.DEVNULL,
        text=True,
    )
    output = process.stdout.read()
    process.stdout.close()
    # wait4, not wait(): the peak memory of this very child, not of every child so far.
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    shutil.rmtree(instance, ignore_errors=True)
    if process.returncode:
        raise SystemExit(f"{' '.join(args)} failed ({process.returncode}):\n{output}")
    return Run(seconds, usage.ru_maxrss / 1024, output)


def fill(database_url: str, gatherings: int, seed: int | None = None) -> Run:
    """Create the schema (migrations), then `flask demo --gatherings N`, timed."""
    flask(database_url, "db", "upgrade", echo=False)
    seed_args = ("--seed", str(seed)) if seed is not None else ()
    return flask(database_url, "demo", "--gatherings", str(gatherings), *seed_args)


def database_size_mb(database_url: str) -> float:
    """The database's size on disk (SQLite: the file and its WAL)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database)
        files = [path, path.with_name(path.name + "-wal")]
        return sum(f.stat().st_size for f in files if f.exists()) / 1e6
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        size = conn.scalar(sa.text("SELECT pg_database_size(current_database())"))
    engine.dispose()
    return size / 1e6


def engine_name(database_url: str) -> str:
    return "PostgreSQL" if make_url(database_url).get_backend_name() == "postgresql" else "SQLite"
