"""The command line: which rows, on which databases, then the table."""

import argparse
import tempfile
from pathlib import Path

from bench.ratios import data, feeds, pages, rsvps, throughput, wrk
from bench.ratios.report import Row, load_average, table
from bench.ratios.servers import Shape

ROWS = ("P1", "P2", "P3", "P4", "P5", "W1")
DATA_DIR = Path(tempfile.gettempdir()) / "meute-bench"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def main() -> None:
    """Measure the rows asked for and print them as one table."""
    args = parse()
    wanted = set(args.only)
    print(f"Load average at the start: {load_average()} (other jobs may share this machine).")
    print(
        f"gunicorn {args.workers} workers × {args.threads} threads (gthread) for both sides;",
        end=" ",
    )
    print(
        f"wrk {args.wrk_threads} threads, {args.connections} connections, {args.duration} s a run."
    )
    found: list[Row] = []
    if wanted & {"P1", "P2", "P3", "W1"}:
        found += feed_rows(args, wanted)
    if "P4" in wanted:
        small = data.kept_sqlite(args.data_dir, args.small)
        found += pages.rows(small, data.kept_sqlite(args.data_dir, args.big), args.repeat)
    if "P5" in wanted:
        found += rsvps.rows(args.postgres, shape(args), args.rsvp_gatherings, args.rsvps)
    found.sort(key=lambda row: ROWS.index(row.name[:2]))
    print(f"\n{table(found)}\n")
    print(f"Load average at the end: {load_average()}.")
    print(f"Kept databases (reused next time; delete to remake): {args.data_dir}")


def feed_rows(args: argparse.Namespace, wanted: set[str]) -> list[Row]:
    """P1, P2, W1 (gunicorn) and P3 (in-process) on a copy of the kept feed database."""
    kept = data.kept_sqlite(args.data_dir, args.feed_gatherings)
    with data.scratch_copy(kept) as url:
        app = data.app_on(url)
        slug, events = feeds.feed_city(app, args.feed_events)
        print(
            f"Feed: /cities/{slug}/calendar.ics, {events:,} events, of {args.feed_gatherings:,} gatherings."
        )
        found = []
        if wanted & {"P1", "P2", "W1"}:
            settings = throughput.Settings(
                shape(args), load(args), args.rounds, args.writes_per_second
            )
            found += throughput.rows(app, url, slug, settings, wanted)
        if "P3" in wanted:
            found += feeds.rows(app, slug, args.repeat)
        data.dispose(app)
    return found


def shape(args: argparse.Namespace) -> Shape:
    return Shape(args.workers, args.threads)


def load(args: argparse.Namespace) -> wrk.Load:
    return wrk.Load(args.wrk_threads, args.connections, args.duration)


def parse() -> argparse.Namespace:
    """The options; every one has a default, so `python -m bench.ratios` runs everything."""
    parser = argparse.ArgumentParser(prog="python -m bench.ratios", description=__doc__)
    add = parser.add_argument
    add("--only", type=_rows, default=list(ROWS), help="rows to run, e.g. P1,P2 (default: all)")
    add("--data-dir", type=Path, default=DATA_DIR, help="kept SQLite databases")
    add("--feed-gatherings", type=int, default=30_000, help="database for P1, P2, P3, W1")
    add("--feed-events", type=int, default=1_000, help="pick the city whose feed is nearest this")
    add("--small", type=int, default=1_000, help="P4's small database (gatherings)")
    add("--big", type=int, default=1_000_000, help="P4's big database (gatherings)")
    add("--postgres", default=POSTGRES, metavar="URL", help="PostgreSQL server for P5")
    add("--rsvp-gatherings", type=int, default=2_000, help="P5's database (gatherings)")
    add("--rsvps", type=int, default=300, help="RSVPs whose CPU P5 reads")
    add("--workers", type=int, default=2, help="gunicorn workers, both sides")
    add("--threads", type=int, default=4, help="gunicorn threads a worker, both sides")
    add("--wrk-threads", type=int, default=2)
    add("--connections", type=int, default=8, help="wrk's open connections")
    add("--duration", type=int, default=10, help="seconds of each wrk run")
    add("--rounds", type=int, default=2, help="P1, P2: runs a side, alternating")
    add("--repeat", type=int, default=7, help="P3, P4: timed requests for each median")
    add("--writes-per-second", type=float, default=5, help="W1's RSVPs in other cities")
    return parser.parse_args()


def _rows(text: str) -> list[str]:
    names = [name.strip().upper() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in ROWS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown rows {', '.join(unknown)}; known: {', '.join(ROWS)}"
        )
    return names
