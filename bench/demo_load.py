"""How long `flask demo --gatherings N` takes, and its peak memory, on SQLite or PostgreSQL.

    python -m bench.demo_load                       # 100,000 gatherings into a fresh SQLite file
    python -m bench.demo_load --gatherings 20000
    python -m bench.demo_load --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

With --postgres, a scratch database is created on that server and dropped afterwards.
"""

import argparse
import sys
from pathlib import Path

import sqlalchemy as sa

if __package__ in (None, ""):  # run as a file: python bench/demo_load.py
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import common


def main() -> None:
    """Fill a scratch database once and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gatherings", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=None, help="default: the command's own")
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server to use")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    with common.scratch_database(args.postgres, args.keep) as url:
        run = common.fill(url, args.gatherings, args.seed)
        report(url, args.gatherings, run)


def report(url: str, gatherings: int, run: common.Run) -> None:
    """Print the figures of one fill."""
    print(run.output.strip())
    print()
    print(f"engine              {common.engine_name(url)}")
    for table, count in counts(url).items():
        print(f"{table:<20}{count:>12,}")
    print(f"seconds             {run.seconds:>12.1f}")
    print(f"gatherings / second {gatherings / run.seconds:>12,.0f}")
    print(f"peak RSS (MB)       {run.max_rss_mb:>12.0f}")
    print(f"database size (MB)  {common.database_size_mb(url):>12.0f}")


def counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    tables = ("users", "cities", "venues", "gatherings", "rsvps", "gathering_tags")
    with engine.connect() as conn:
        found = {t: conn.scalar(sa.text(f"SELECT count(*) FROM {t}")) for t in tables}  # noqa: S608
    engine.dispose()
    return found


if __name__ == "__main__":
    main()
