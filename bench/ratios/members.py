"""Demo members signed in over HTTP, the gatherings they answer, RSVPs at a steady rate."""

import contextlib
import itertools
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from flask import Flask

from bench.ratios import servers
from meetups.accounts.models import User
from meetups.dates import utcnow
from meetups.demo import PASSWORD
from meetups.extensions import db
from meetups.gatherings import queries
from meetups.gatherings.models import Response, Rsvp

# Threads posting in the background: enough that slow answers do not lower the rate offered.
POSTERS = 32
SIGNING_IN = 8  # sign-ins at once: each checks a scrypt hash, slow on purpose


@dataclass(frozen=True)
class Member:
    """A demo person signed in: the cookie their browser would send."""

    email: str
    cookie: str


@dataclass(frozen=True)
class Target:
    """A person and a gathering with a free seat that they neither organise nor answered yet."""

    email: str
    gathering_id: int
    city_id: int


def sign_in(base: str, email: str) -> Member:
    """Sign in with the demo password; the session cookie it sets."""
    answer = servers.request(
        f"{base}/auth/login", form=urlencode({"email": email, "password": PASSWORD})
    )
    if answer.status not in (302, 303):
        raise RuntimeError(f"{email} could not sign in ({answer.status})")
    cookies = [v.split(";", 1)[0] for k, v in answer.headers if k.lower() == "set-cookie"]
    return Member(email, "; ".join(cookies))


def rsvp(base: str, member: Member, gathering_id: int, response: str) -> float:
    """Post one answer as the site's buttons do; its latency in seconds."""
    started = time.perf_counter()
    answer = servers.request(
        f"{base}/events/{gathering_id}/rsvp",
        {"Cookie": member.cookie},
        urlencode({"response": response}),
    )
    if answer.status != 303:
        raise RuntimeError(f"RSVP to {gathering_id} answered {answer.status}")
    return time.perf_counter() - started


def targets(app: Flask, count: int, avoid_city_id: int | None = None) -> list[Target]:
    """`count` people (the first by id), each with a gathering of their own to answer."""
    with app.app_context():
        people = db.session.execute(db.select(User.id, User.email).order_by(User.id).limit(count))
        people = people.all()
        pool = _with_room(count * 10, avoid_city_id)
        answered = _answered([g.id for g in pool], [p.id for p in people])
        found = []
        for person in people:
            gathering = next(
                g for g in pool if g.organiser_id != person.id and (g.id, person.id) not in answered
            )
            pool.remove(gathering)
            found.append(Target(person.email, gathering.id, gathering.city_id))
        return found


def _with_room(wanted: int, avoid_city_id: int | None) -> list:
    """Scheduled gatherings two days ahead or more, with a seat limit and two seats free."""
    soon = queries.upcoming(
        now=utcnow() + timedelta(days=2), include_cancelled=False, limit=wanted * 4
    )
    limited = [g for g in soon if g.capacity and g.city_id != avoid_city_id]
    going = queries.going_counts([g.id for g in limited])
    return [g for g in limited if g.capacity - going.get(g.id, 0) >= 2][:wanted]


def _answered(gathering_ids: list[int], user_ids: list[int]) -> set[tuple[int, int]]:
    query = db.select(Rsvp.gathering_id, Rsvp.user_id).where(
        Rsvp.gathering_id.in_(gathering_ids), Rsvp.user_id.in_(user_ids)
    )
    return {(g, u) for g, u in db.session.execute(query)}


@dataclass
class Toggler:
    """Signed-in members answering "going", then "no", then "going"… each to their own gathering."""

    base: str
    pairs: list[tuple[Member, int]]
    _turns: Iterator[int] = field(default_factory=itertools.count)

    def post(self) -> float:
        """The next answer in turn; its latency in seconds."""
        turn = next(self._turns)
        member, gathering_id = self.pairs[turn % len(self.pairs)]
        answer = Response.GOING if (turn // len(self.pairs)) % 2 == 0 else Response.NO
        return rsvp(self.base, member, gathering_id, answer)


def toggler(base: str, chosen: list[Target]) -> Toggler:
    """Sign each chosen person in; they will answer their own gathering in turn."""
    with ThreadPoolExecutor(max_workers=SIGNING_IN) as pool:
        signed = list(pool.map(lambda t: sign_in(base, t.email), chosen))
    return Toggler(base, [(m, t.gathering_id) for m, t in zip(signed, chosen, strict=True)])


@dataclass
class Tally:
    """The RSVPs posted in the background so far: latencies of those that landed, failures."""

    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


@contextlib.contextmanager
def writing(poster: Toggler, per_second: float, at_most_s: float) -> Iterator[Tally]:
    """Post RSVPs at a steady rate in the background until the block ends (or at_most_s)."""
    tally, stop = Tally(), threading.Event()

    def post() -> None:
        try:
            tally.latencies.append(poster.post())
        except (OSError, RuntimeError) as error:
            tally.failures.append(str(error))

    def beat() -> None:
        with ThreadPoolExecutor(max_workers=POSTERS) as pool:
            started = time.monotonic()
            for n in range(int(at_most_s * per_second)):
                if stop.wait(max(0.0, started + n / per_second - time.monotonic())):
                    return
                pool.submit(post)

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield tally
    finally:
        stop.set()
        thread.join()
