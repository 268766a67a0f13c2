"""No overbooking under load: 40 people press "going" at once on a 5-seat gathering.

A real server (gunicorn, 4 processes x 4 threads) on the test database, real HTTP requests
with sessions and CSRF tokens, fired together from 40 threads. Runs on SQLite and, in the
PostgreSQL pass, on PostgreSQL.
"""

import re
import threading
import time

import pytest

from meetups.extensions import db
from meetups.gatherings.models import Response, Rsvp
from tests.conftest import PASSWORD
from tests.live_server import Visitor, serve

PEOPLE = 40
CAPACITY = 5  # the organiser holds one of them


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def test_forty_simultaneous_going_never_overbook(
    app, database_url, tmp_path, create_user, create_gathering
):
    organiser = create_user(email="organiser@example.org")
    gathering = create_gathering(organiser=organiser, capacity=str(CAPACITY))
    people = [create_user(email=f"rush{n}@example.org") for n in range(PEOPLE)]

    with serve(database_url, tmp_path / "server") as base:
        visitors = [Visitor(base) for _ in people]
        for visitor, person in zip(visitors, people, strict=True):
            visitor.sign_in(person.email, PASSWORD)
        page = f"/events/{gathering.id}"
        tokens = [visitor.csrf_token(page) for visitor in visitors]

        start = threading.Barrier(PEOPLE)
        results: list[tuple[int, str] | None] = [None] * PEOPLE

        def press_going(i: int) -> None:
            start.wait()
            results[i] = visitors[i].request(
                f"{page}/rsvp", {"response": "going", "csrf_token": tokens[i]}
            )

        threads = [threading.Thread(target=press_going, args=(i,)) for i in range(PEOPLE)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        elapsed = time.monotonic() - began

    statuses = [status for status, _page in results]
    told_place = [re.search(r"number (\d+) in line", text) for _status, text in results]
    with app.app_context():
        rows = db.session.scalars(
            db.select(Rsvp)
            .where(Rsvp.gathering_id == gathering.id)
            .order_by(Rsvp.responded_at, Rsvp.id)
        ).all()
        seated = [r for r in rows if r.response == Response.GOING and not r.is_waitlisted]
        waiting = [r for r in rows if r.is_waitlisted]
        engine = db.engine.dialect.name

    errors = sum(status >= 500 for status in statuses)
    print(
        f"\n[{engine}] "
        f"{PEOPLE} simultaneous requests in {elapsed:.2f}s: {len(seated)} going "
        f"(organiser included), {len(waiting)} waitlisted, {errors} errors, "
        f"statuses {sorted(set(statuses))}"
    )
    assert errors == 0
    assert set(statuses) == {200}  # each redirected to the gathering page
    assert len(rows) == PEOPLE + 1  # nobody lost, nobody twice
    assert len({r.user_id for r in rows}) == PEOPLE + 1
    assert len(seated) == CAPACITY
    assert organiser.id in {r.user_id for r in seated}
    assert len(waiting) == PEOPLE - (CAPACITY - 1)
    # The waitlist is in the order the server served the requests: each waiting person was
    # told a different place, 1 to 36, and the line in the database agrees with what they read.
    places = {people[i].id: int(m.group(1)) for i, m in enumerate(told_place) if m}
    assert sorted(places.values()) == list(range(1, len(waiting) + 1))
    assert [places[r.user_id] for r in waiting] == list(range(1, len(waiting) + 1))
    # Whoever got a seat answered before everyone still waiting.
    assert max(r.responded_at for r in seated) <= min(r.responded_at for r in waiting)
