"""P4, in-process: the busiest city's page and the home page, on a big database ÷ a small one."""

import statistics
import time
from dataclasses import dataclass, field

from flask import Flask

from bench.ratios.data import app_on, dispose
from bench.ratios.report import Goal, Row, progress
from meetups.extensions import db
from meetups.gatherings import queries

GOAL = Goal("<=", 1.2)
WARM_UP = 2  # requests before the timed ones: templates compiled, caches filled
PAGES = {"city": "P4 city page", "home": "P4 home page"}


@dataclass
class Side:
    """One database: its app, the two pages' paths and their timings so far (ms)."""

    app: Flask
    gatherings: int
    paths: dict[str, str]
    times: dict[str, list[float]] = field(default_factory=lambda: {page: [] for page in PAGES})

    @classmethod
    def on(cls, database_url: str) -> "Side":
        app = app_on(database_url)
        with app.app_context():
            total = db.session.scalar(db.text("SELECT count(*) FROM gatherings"))
            progress(f"P4: {total:,} gatherings: finding the busiest city …")
            slug = queries.cities_with_counts()[0][0].slug
        return cls(app, total, {"city": f"/cities/{slug}", "home": "/"})

    def median(self, page: str) -> float:
        return statistics.median(self.times[page])


def rows(small_url: str, big_url: str, repeat: int) -> list[Row]:
    """P4: each page's median on the big database ÷ on the small one, timed in turn."""
    small, big = Side.on(small_url), Side.on(big_url)
    clients = [(side, side.app.test_client()) for side in (small, big)]
    progress(f"P4: each page on each database, {repeat} times in turn …")
    for page in PAGES:
        for n in range(WARM_UP + repeat):
            for side, client in clients:
                elapsed = _timed_get(client, side.paths[page])
                if n >= WARM_UP:
                    side.times[page].append(elapsed)
    dispose(small.app)
    dispose(big.app)
    return [_row(page, big, small) for page in PAGES]


def _row(page: str, big: Side, small: Side) -> Row:
    measured = (
        f"{big.paths[page]} {big.median(page):,.1f} ms at {big.gatherings:,}"
        f" vs {small.paths[page]} {small.median(page):,.1f} ms at {small.gatherings:,}"
    )
    return Row(PAGES[page], measured, GOAL, big.median(page) / small.median(page))


def _timed_get(client, path: str) -> float:
    """Milliseconds of one request, which must succeed."""
    started = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return elapsed
