"""P4, in-process: the busiest city's page and the home page, on a big database ÷ a small one."""

import statistics
import time
from dataclasses import dataclass

from bench.ratios.data import app_on, dispose
from bench.ratios.report import Goal, Row, progress
from meetups.extensions import db
from meetups.gatherings import queries

GOAL = Goal("<=", 1.2)
WARM_UP = 2  # requests before the timed ones: templates compiled, caches filled


@dataclass(frozen=True)
class Pages:
    """The two pages' paths on one database and their median milliseconds."""

    gatherings: int
    paths: dict[str, str]  # "city" and "home"
    ms: dict[str, float]


def rows(small_url: str, big_url: str, repeat: int) -> list[Row]:
    """P4: each page's median on the big database ÷ on the small one."""
    small, big = measure(small_url, repeat), measure(big_url, repeat)
    return [_row("P4 city page", "city", big, small), _row("P4 home page", "home", big, small)]


def _row(name: str, page: str, big: Pages, small: Pages) -> Row:
    measured = (
        f"{big.paths[page]} {big.ms[page]:,.1f} ms at {big.gatherings:,}"
        f" vs {small.paths[page]} {small.ms[page]:,.1f} ms at {small.gatherings:,}"
    )
    return Row(name, measured, GOAL, big.ms[page] / small.ms[page])


def measure(database_url: str, repeat: int) -> Pages:
    """Medians of the busiest city's page and of the home page, each after a warm-up."""
    app = app_on(database_url)
    with app.app_context():
        total = db.session.scalar(db.text("SELECT count(*) FROM gatherings"))
        progress(f"P4: {total:,} gatherings: the busiest city's page and the home page …")
        slug = queries.cities_with_counts()[0][0].slug
    client = app.test_client()
    paths = {"city": f"/cities/{slug}", "home": "/"}
    ms = {page: _median(client, path, repeat) for page, path in paths.items()}
    dispose(app)
    return Pages(total, paths, ms)


def _median(client, path: str, repeat: int) -> float:
    """Median milliseconds of `repeat` requests after the warm-up ones."""
    times = []
    for n in range(WARM_UP + repeat):
        started = time.perf_counter()
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        if n >= WARM_UP:
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)
