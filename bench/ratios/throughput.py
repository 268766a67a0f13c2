"""P1, P2 and W1 over HTTP: Meute's city feed against the trivial app under the same gunicorn."""

import time
from dataclasses import dataclass

from flask import Flask

from bench.ratios import members, servers, wrk
from bench.ratios.feeds import feed_path
from bench.ratios.report import Goal, Row, progress, skipped
from bench.ratios.servers import Answer, Server, Shape
from meetups.extensions import db
from meetups.places.models import City

P1, P2, W1 = Goal(">=", 0.8), Goal(">=", 0.9), Goal(">=", 0.8)
GOALS = {"P1 cached feed": P1, "P2 304": P2, "W1 feed with writes": W1}
WARM_UP_S = 3  # every worker builds and caches the feed once before the timed runs
WRITERS = 20  # signed-in members who answer in other cities during W1
SETTLE_S = 2  # writes land this long before W1's timed run starts


@dataclass(frozen=True)
class Settings:
    """How to serve and load: gunicorn's shape, wrk's load, rounds, W1's writes a second."""

    shape: Shape
    load: wrk.Load
    rounds: int
    writes_per_second: float


def rows(
    app: Flask, database_url: str, slug: str, settings: Settings, wanted: set[str]
) -> list[Row]:
    """The rows among P1, P2 and W1 that are wanted, or why they were skipped."""
    why = wrk.missing()
    if why:
        names = [name for name in GOALS if name[:2] in wanted]
        return skipped(names, [GOALS[name] for name in names], why)
    city_id = _city_id(app, slug)
    writers = members.targets(app, WRITERS, avoid_city_id=city_id) if "W1" in wanted else []
    env = lambda folder: servers.meute_env(database_url, folder)  # noqa: E731
    with servers.serve(servers.MEUTE, settings.shape, env) as meute:
        found = []
        if wanted & {"P1", "P2"}:
            found += _against_trivial(meute, feed_path(slug), settings, wanted)
        if "W1" in wanted:
            found.append(_with_writes(meute, feed_path(slug), settings, writers))
    return found


def _city_id(app: Flask, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(City.id).filter_by(slug=slug))


def _against_trivial(meute: Server, path: str, settings: Settings, wanted: set[str]) -> list[Row]:
    """P1 and P2: the trivial app replays the feed's 200 and 304 exactly as Meute sent them."""
    full = servers.request(meute.base + path)
    tag = {"If-None-Match": full.header("ETag")}
    fresh = servers.request(meute.base + path, tag)
    if (full.status, fresh.status) != (200, 304):
        raise RuntimeError(f"{path} answered {full.status}, then {fresh.status} to its ETag")
    replay = {"200": full, "304": fresh}
    with servers.serve(
        servers.TRIVIAL, settings.shape, lambda f: servers.trivial_env(replay, f)
    ) as trivial:
        _same(trivial.base + path, full, tag)
        sides = {"Meute": meute.base + path, "trivial app": trivial.base + path}
        progress(f"P1/P2: warming both servers up ({WARM_UP_S} s each) …")
        for url in sides.values():
            wrk.run(url, settings.load, seconds=WARM_UP_S)
        found = []
        if "P1" in wanted:
            found.append(_row("P1 cached feed", P1, sides, settings, None, full))
        if "P2" in wanted:
            found.append(_row("P2 304", P2, sides, settings, tag, fresh))
    return found


def _same(url: str, full: Answer, tag: dict) -> None:
    """The trivial app sends the very bytes Meute sent, and the 304 to the ETag."""
    if servers.request(url).body != full.body or servers.request(url, tag).status != 304:
        raise RuntimeError("the trivial app does not replay the feed faithfully")


def _row(name: str, goal: Goal, sides: dict, settings: Settings, headers, answer: Answer) -> Row:
    progress(f"{name}: {settings.rounds} rounds of {settings.load.seconds} s a side …")
    got = wrk.alternate(sides, settings.load, settings.rounds, headers)
    app, trivial = got["Meute"], got["trivial app"]
    errors = app.errors + trivial.errors
    measured = (
        f"Meute {app.rate:,.0f} vs trivial {trivial.rate:,.0f} req/s"
        f" ({answer.status}, {len(answer.body) / 1024:,.0f} KB)"
        + (f", {errors} errors" if errors else "")
    )
    return Row(name, measured, goal, app.rate / trivial.rate)


def _with_writes(
    meute: Server, path: str, settings: Settings, writers: list[members.Target]
) -> Row:
    """W1: the feed's req/s while RSVPs land in other cities ÷ without them."""
    poster = members.toggler(meute.base, writers)
    url, load = meute.base + path, settings.load
    progress(f"W1: the feed for {load.seconds} s without writes …")
    wrk.run(url, load, seconds=WARM_UP_S)
    calm = wrk.run(url, load)
    progress(
        f"W1: the feed for {load.seconds} s with {settings.writes_per_second:g} RSVPs a second …"
    )
    with members.writing(poster, settings.writes_per_second, SETTLE_S + load.seconds + 30) as tally:
        time.sleep(SETTLE_S)
        before = len(tally.latencies)
        busy = wrk.run(url, load)
        landed = (len(tally.latencies) - before) / busy.seconds
    cities = len({t.city_id for t in writers})
    measured = (
        f"{calm.rate:,.0f} req/s without writes, {busy.rate:,.1f} with {landed:.1f} RSVPs/s"
        f" landing in {cities} other cities"
        + (f", {len(tally.failures)} RSVPs failed" if tally.failures else "")
        + (f", {calm.errors + busy.errors} wrk errors" if calm.errors + busy.errors else "")
    )
    return Row("W1 feed with writes", measured, W1, busy.rate / calm.rate)
