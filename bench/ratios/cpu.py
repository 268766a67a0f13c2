"""CPU time of processes from /proc: gunicorn's master and workers, PostgreSQL's backends."""

import os
from pathlib import Path

import sqlalchemy as sa

TICKS = os.sysconf("SC_CLK_TCK")

Snapshot = dict[int, float]  # process id -> CPU seconds so far


def seconds(pid: int) -> float | None:
    """User and system CPU of a process and of its children that it waited for; None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # the name, in parentheses, may hold spaces
    utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
    return (utime + stime + cutime + cstime) / TICKS


def children(pid: int) -> list[int]:
    """The processes whose parent is pid."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid:
            found.append(int(stat.parent.name))
    return found


def snapshot(pids: list[int]) -> Snapshot:
    """CPU seconds of each of these processes that still runs."""
    taken = {pid: seconds(pid) for pid in pids}
    return {pid: value for pid, value in taken.items() if value is not None}


def spent(before: Snapshot, after: Snapshot) -> float:
    """CPU seconds spent between two snapshots; a process new since `before` counts whole."""
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


def gunicorn_pids(master: int) -> list[int]:
    """gunicorn's master and its workers."""
    return [master, *children(master)]


def backend_pids(database_url: str) -> list[int]:
    """The PostgreSQL server processes serving that database, other than this query's own."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT pid FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            return [pid for (pid,) in rows]
    finally:
        engine.dispose()
