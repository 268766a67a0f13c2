"""Latency and SQL queries per request on a database of N gatherings, through the Flask test client.

    python -m bench.latency --database-url sqlite:////tmp/meute.sqlite   # a database already filled
    python -m bench.latency                         # fills a scratch SQLite file with 100,000 first
    python -m bench.latency --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

In-process: no network, no WSGI server; what one request costs the app and its database.
"""

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import cycle
from pathlib import Path

import sqlalchemy as sa

if __package__ in (None, ""):  # run as a file: python bench/latency.py
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import common
from meetups import cache, create_app
from meetups.demo import PASSWORD
from meetups.extensions import db

SLOW_MS = 1000  # a probe this slow is timed 3 times, not --repeat times


@dataclass
class Probe:
    """One kind of request: a path (or a function giving the next one) and how to send it."""

    label: str
    path: str | Callable[[], str]
    headers: dict = field(default_factory=dict)
    cold: bool = False  # empty the feed cache before each request
    member: bool = False  # signed in as the demo login
    status: int = 200


def main() -> None:
    """Fill a database if needed, then time each probe and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a database already filled by demo --gatherings")
    parser.add_argument("--postgres", metavar="URL", help="fill a scratch database on this server")
    parser.add_argument("--gatherings", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20, help="requests per probe")
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE before measuring")
    parser.add_argument("--skip", action="append", default=[], help="skip probes naming this")
    args = parser.parse_args()
    if args.database_url:
        bench(args.database_url, args.repeat, args.analyze, args.skip)
        return
    with common.scratch_database(args.postgres) as url:
        print(common.fill(url, args.gatherings).output.strip())
        bench(url, args.repeat, args.analyze, args.skip)


def bench(database_url: str, repeat: int, analyze: bool, skip: list[str]) -> None:
    """Print latency percentiles, queries and body size for every probe."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "bench-secret-key",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "GEOCODERS": "offline",
        }
    )
    with app.app_context():
        if analyze:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        facts = Facts.read()
    anonymous, member = app.test_client(), app.test_client()
    login = member.post("/auth/login", data={"email": facts.email, "password": PASSWORD})
    assert login.status_code == 302, "the demo login did not sign in"
    print(f"\n{common.engine_name(database_url)}: {facts.gatherings:,} gatherings; ", end="")
    print(f"/cities/{facts.big} lists {facts.big_upcoming:,} upcoming; repeat {repeat}\n")
    print(f"{'request':<52}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'queries':>9}{'KB':>9}")
    with app.app_context():
        engine = db.engine
    for probe in probes(facts, anonymous):
        if any(word in probe.label for word in skip):
            continue
        client = member if probe.member else anonymous
        row = measure(app, engine, client, probe, repeat)
        print(f"{probe.label:<52}" + "".join(f"{v:>9}" for v in row))


@dataclass(frozen=True)
class Facts:
    """What the probes need to know of the data: the busiest city, ids, the demo login."""

    gatherings: int
    big: str
    big_upcoming: int
    upcoming_ids: list[int]
    email: str
    feed_token: str

    @classmethod
    def read(cls) -> "Facts":
        from meetups.accounts.models import User
        from meetups.gatherings import queries

        (big, count), *_rest = queries.cities_with_counts()
        ids = [g.id for g in queries.upcoming(city=big, limit=200)]
        user = db.session.scalar(sa.select(User).order_by(User.id).limit(1))
        total = db.session.scalar(sa.text("SELECT count(*) FROM gatherings"))
        return cls(total, big.slug, count, ids, user.email, user.feed_token)


def probes(facts: Facts, client) -> list[Probe]:
    """The requests to time, busiest city first."""
    feed = f"/cities/{facts.big}/calendar.ics"
    etag = client.get(feed).headers["ETag"]
    ids = cycle(facts.upcoming_ids)
    return [
        Probe("/", "/"),
        Probe("/cities", "/cities"),
        Probe(f"/cities/{facts.big}", f"/cities/{facts.big}"),
        Probe(f"/cities/{facts.big}?within=50", f"/cities/{facts.big}?within=50"),
        Probe(f"{feed} (cold)", feed, cold=True),
        Probe(f"{feed} (warm)", feed),
        Probe(f"{feed} (304)", feed, {"If-None-Match": etag}, status=304),
        Probe("/events/<id>", lambda: f"/events/{next(ids)}"),
        Probe("/events/<id> (signed in)", lambda: f"/events/{next(ids)}", member=True),
        Probe("/events/<id>/calendar.ics", lambda: f"/events/{next(ids)}/calendar.ics"),
        Probe("/me (signed in)", "/me", member=True),
        Probe("/feeds/<token>.ics (cold)", f"/feeds/{facts.feed_token}.ics", cold=True),
        Probe("/api/v1/cities", "/api/v1/cities"),
        Probe(
            f"/api/v1/events?city={facts.big}&limit=500",
            f"/api/v1/events?city={facts.big}&limit=500",
        ),
        Probe(
            "/api/v1/events?near=45.76,4.83&within=30", "/api/v1/events?near=45.76,4.83&within=30"
        ),
    ]


def measure(app, engine, client, probe: Probe, repeat: int) -> tuple:
    """Time `repeat` requests (3 when one takes over a second) after a warm-up request:
    p50, p95, max (ms), queries, body size (KB)."""
    warm_up, _queries, _size = send(app, engine, client, probe)
    times = repeat if warm_up < SLOW_MS else min(repeat, 3)
    samples = [send(app, engine, client, probe) for _ in range(times)]
    timings = [ms for ms, _queries, _size in samples]
    _ms, queries, size = samples[-1]
    p95 = statistics.quantiles(timings, n=20, method="inclusive")[18] if times > 1 else timings[0]
    shown = (statistics.median(timings), p95, max(timings))
    return (*(f"{ms:.1f}" for ms in shown), queries, f"{size / 1024:.1f}")


def send(app, engine, client, probe: Probe) -> tuple[float, int, int]:
    """One request: its time (ms), the SQL statements it ran, its body size (bytes)."""
    if probe.cold:
        cache.clear(app)
    path = probe.path() if callable(probe.path) else probe.path
    statements = []

    def record(*_args) -> None:
        statements.append(1)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        started = time.perf_counter()
        response = client.get(path, headers=probe.headers)
        elapsed = time.perf_counter() - started
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == probe.status, (path, response.status_code)
    return elapsed * 1000, len(statements), len(response.data)


if __name__ == "__main__":
    main()
