"""Deletions amid a rush: while three people delete their accounts (two holding seats, one
waiting), others press "going" on the same small gathering, all at once, on a real server
(gunicorn, several processes) with sessions and CSRF tokens. No error, no deadlock, never
over capacity, and no seat left free while someone waits. SQLite and PostgreSQL."""

import threading

import pytest

from meetups.extensions import db
from meetups.gatherings.models import Response, Rsvp
from tests.conftest import PASSWORD
from tests.live_server import Visitor, serve

CAPACITY = 4  # the organiser holds one


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def test_deletions_and_answers_at_once_keep_the_seats_right(
    app, database_url, tmp_path, create_user, create_gathering
):
    organiser = create_user(email="organiser@example.org")
    gathering = create_gathering(organiser=organiser, capacity=str(CAPACITY))
    page = f"/events/{gathering.id}"
    seated = [create_user(email=f"seated{n}@example.org") for n in range(3)]
    waiting = [create_user(email=f"waiting{n}@example.org") for n in range(3)]
    rushing = [create_user(email=f"rush{n}@example.org") for n in range(6)]
    leaving = [seated[0], seated[1], waiting[1]]

    with serve(database_url, tmp_path / "server") as base:
        visitors = {}
        for person in seated + waiting + rushing:
            visitors[person.id] = Visitor(base)
            visitors[person.id].sign_in(person.email, PASSWORD)
        for person in seated + waiting:  # in this order: three seats, then the line
            token = visitors[person.id].csrf_token(page)
            status, _ = visitors[person.id].request(
                f"{page}/rsvp", {"response": "going", "csrf_token": token}
            )
            assert status == 200
        actions = [(p, "/me/delete", {"password": PASSWORD}) for p in leaving]
        actions += [(p, f"{page}/rsvp", {"response": "going"}) for p in rushing]
        tokens = [visitors[p.id].csrf_token(page) for p, _path, _data in actions]
        start = threading.Barrier(len(actions))
        results: list = [None] * len(actions)

        def act(i: int) -> None:
            person, path, data = actions[i]
            start.wait()
            results[i] = visitors[person.id].request(path, {**data, "csrf_token": tokens[i]})

        threads = [threading.Thread(target=act, args=(i,)) for i in range(len(actions))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert [status for status, _text in results] == [200] * len(actions)
    with app.app_context():
        rows = db.session.scalars(
            db.select(Rsvp)
            .where(Rsvp.gathering_id == gathering.id)
            .order_by(Rsvp.responded_at, Rsvp.id)
        ).all()
        holders = [r.user_id for r in rows if r.response == Response.GOING and not r.is_waitlisted]
        line = [r.user_id for r in rows if r.is_waitlisted]
    gone = {p.id for p in leaving}
    assert not gone & {r.user_id for r in rows}
    # Whatever order things ran in, the seats freed went to those already in line, in order
    # (the one who left the line left it), and every newcomer waits behind them.
    assert holders == [organiser.id, seated[2].id, waiting[0].id, waiting[2].id]
    assert sorted(line) == sorted(p.id for p in rushing)
