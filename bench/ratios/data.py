"""The databases the rows read: SQLite files kept in the data directory, an app bound to one."""

import contextlib
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from flask import Flask

from bench import common
from bench.ratios.report import progress
from meetups import create_app

SQLITE_FILES = ("", "-wal", "-shm")  # a database and the files SQLite may keep beside it


def kept_sqlite(data_dir: Path, gatherings: int) -> str:
    """The URL of a SQLite file of N demo gatherings, made once and kept for the next runs."""
    path = data_dir / f"sqlite-{gatherings}.sqlite"
    if path.exists():
        made = time.strftime("%Y-%m-%d %H:%M", time.localtime(path.stat().st_mtime))
        progress(f"Reusing {path} (kept from a run on {made}; delete it to make it anew).")
        common.flask(f"sqlite:///{path}", "db", "upgrade", echo=False)  # to this code's schema
        return f"sqlite:///{path}"
    data_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.stem}.partial.sqlite")
    _remove_sqlite(partial)
    progress(f"Making {path} with demo --gatherings {gatherings:,} (kept for the next runs) …")
    run = common.fill(f"sqlite:///{partial}", gatherings)
    for suffix in SQLITE_FILES:  # only a finished database gets the name that is reused
        if Path(f"{partial}{suffix}").exists():
            Path(f"{partial}{suffix}").rename(f"{path}{suffix}")
    progress(f"Made {path} in {run.seconds:.0f} s.")
    return f"sqlite:///{path}"


def _remove_sqlite(path: Path) -> None:
    for suffix in SQLITE_FILES:
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextlib.contextmanager
def scratch_copy(database_url: str) -> Iterator[str]:
    """A copy of a kept SQLite database for a run that writes, removed afterwards."""
    source = Path(database_url.removeprefix("sqlite:///"))
    folder = Path(tempfile.mkdtemp(prefix="meute-bench-copy-"))
    try:
        for suffix in SQLITE_FILES:
            if Path(f"{source}{suffix}").exists():
                shutil.copyfile(f"{source}{suffix}", folder / f"bench.sqlite{suffix}")
        yield f"sqlite:///{folder / 'bench.sqlite'}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def app_on(database_url: str) -> Flask:
    """The app in this process on that database, as bench/latency.py builds it."""
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "bench-secret-key",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "GEOCODERS": "offline",
        }
    )


def dispose(app: Flask) -> None:
    """Close the app's database connections (a scratch database is dropped next)."""
    from meetups.extensions import db

    with app.app_context():
        db.engine.dispose()
