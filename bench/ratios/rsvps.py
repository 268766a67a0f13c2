"""P5 on PostgreSQL: CPU per RSVP (gunicorn and PostgreSQL), and 60 at once on 10 seats."""

import os
import re
import statistics
import threading
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask

from bench import common
from bench.ratios import cpu, members, servers
from bench.ratios.data import app_on, dispose
from bench.ratios.report import Goal, Row, progress, skipped
from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings import queries, services
from meetups.gatherings.models import Gathering, Response
from tests.scratch import postgres_database

NAMES = ["P5 CPU per RSVP", "P5 60 at once"]
CPU_GOAL, RUSH_GOAL = Goal("<=", 4, " ms"), Goal("<=", 1.3)
PEOPLE, SEATS = 60, 10
WARM_UP = 20  # RSVPs before the measured ones: every worker and pool connection in use


@dataclass(frozen=True)
class Cost:
    """CPU milliseconds an RSVP costs the app's processes and PostgreSQL's."""

    app_ms: float
    postgres_ms: float

    @property
    def total_ms(self) -> float:
        return self.app_ms + self.postgres_ms


def rows(server: str, shape: servers.Shape, gatherings: int, sequence: int) -> list[Row]:
    """P5's two rows, on a throwaway database on that PostgreSQL server."""
    why = _unreachable(server)
    if why:
        return skipped(NAMES, [CPU_GOAL, RUSH_GOAL], why)
    with postgres_database(server, "meute_bench") as url:
        progress(f"P5: demo --gatherings {gatherings:,} on PostgreSQL …")
        common.fill(url, gatherings)
        app = app_on(url)
        chosen = members.targets(app, PEOPLE + 1)  # the last one proposes the 10-seat gathering
        env = lambda folder: servers.meute_env(url, folder)  # noqa: E731
        with servers.serve(servers.MEUTE, shape, env) as meute:
            progress(f"P5: {PEOPLE} members signing in …")
            poster = members.toggler(meute.base, chosen[:PEOPLE])
            cost = _cost(meute, url, poster, sequence)
            rush_id = _propose(app, meute.base, chosen[PEOPLE])
            latencies = _rush(meute.base, [m for m, _g in poster.pairs], rush_id)
        seated = _seated(app, rush_id)
        dispose(app)
    return [_cpu_row(cost, sequence), _rush_row(cost, latencies, seated)]


def _unreachable(server: str) -> str | None:
    """Why that PostgreSQL server cannot be used, or None."""
    engine = sa.create_engine(server, connect_args={"connect_timeout": 5})
    try:
        with engine.connect():
            return None
    except sa.exc.SQLAlchemyError as error:
        return f"PostgreSQL at {server} did not answer ({type(getattr(error, 'orig', None) or error).__name__})"
    finally:
        engine.dispose()


def _cost(meute: servers.Server, url: str, poster: members.Toggler, sequence: int) -> Cost:
    """Post `sequence` RSVPs one after another; the CPU they took, per RSVP."""
    for _ in range(WARM_UP):
        poster.post()
    progress(f"P5: {sequence} RSVPs one after another, CPU read from /proc …")
    app_before = cpu.snapshot(cpu.gunicorn_pids(meute.process.pid))
    postgres_before = cpu.snapshot(cpu.backend_pids(url))
    for _ in range(sequence):
        poster.post()
    app_after = cpu.snapshot(cpu.gunicorn_pids(meute.process.pid))
    postgres_after = cpu.snapshot(cpu.backend_pids(url))
    app_s, postgres_s = cpu.spent(app_before, app_after), cpu.spent(postgres_before, postgres_after)
    return Cost(app_s * 1000 / sequence, postgres_s * 1000 / sequence)


def _propose(app: Flask, base: str, organiser: members.Target) -> int:
    """A new 10-seat gathering, proposed through the form by a member; its id."""
    with app.app_context():
        like = db.session.get(Gathering, organiser.gathering_id)  # its city and venue
        zone = ZoneInfo(like.city.timezone)
        starts = (utcnow() + timedelta(days=10)).astimezone(zone).replace(hour=19, minute=0)
        form = {
            "title": "Apéro : 60 à la porte",
            "description": "P5 of bench/ratios.",
            "city": like.city.name,
            "venue_name": like.venue.name,
            "venue_address": like.venue.address,
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "capacity": str(SEATS),
        }
    member = members.sign_in(base, organiser.email)
    answer = servers.request(f"{base}/events/new", {"Cookie": member.cookie}, urlencode(form))
    found = re.search(r"/events/(\d+)$", answer.header("Location") or "")
    if answer.status != 303 or found is None:
        raise RuntimeError(f"proposing the 10-seat gathering answered {answer.status}")
    return int(found[1])


def _rush(base: str, people: list[members.Member], gathering_id: int) -> list[float]:
    """Every member presses "going" at once (threads released together); their latencies."""
    progress(f"P5: {len(people)} simultaneous RSVPs to a {SEATS}-seat gathering …")
    start, latencies = threading.Barrier(len(people)), [0.0] * len(people)

    def press(i: int) -> None:
        start.wait()
        latencies[i] = members.rsvp(base, people[i], gathering_id, Response.GOING)

    threads = [threading.Thread(target=press, args=(i,)) for i in range(len(people))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return latencies


def _seated(app: Flask, gathering_id: int) -> tuple[int, int]:
    """Seats held (counted as the app counts them) and people waiting, after the rush."""
    with app.app_context():
        gathering = db.session.get(Gathering, gathering_id)
        return services.seats_taken(gathering), queries.waitlist_counts([gathering_id]).get(
            gathering_id, 0
        )


def _cpu_row(cost: Cost, sequence: int) -> Row:
    measured = (
        f"app {cost.app_ms:.1f} + PostgreSQL {cost.postgres_ms:.1f} = {cost.total_ms:.1f} ms"
        f" ({sequence} RSVPs, one at a time)"
    )
    return Row("P5 CPU per RSVP", measured, CPU_GOAL, cost.total_ms)


def _rush_row(cost: Cost, latencies: list[float], seated: tuple[int, int]) -> Row:
    p95 = statistics.quantiles(latencies, n=20, method="inclusive")[18] * 1000
    floor = PEOPLE * cost.total_ms / os.cpu_count()
    seats, waiting = seated
    check = "ok" if seats == SEATS else f"WRONG, expected {SEATS}"
    measured = (
        f"p95 {p95:,.0f} ms vs floor {PEOPLE} × {cost.total_ms:.1f} ms ÷ {os.cpu_count()} cores"
        f" = {floor:,.0f} ms; seats held {seats} ({check}), {waiting} waiting"
    )
    return Row("P5 60 at once", measured, RUSH_GOAL, p95 / floor)
