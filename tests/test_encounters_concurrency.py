"""Two people, several tabs each, pressing "I met them" at once: one mark each, no error.

A real server (gunicorn, 4 processes x 4 threads) on the test database, real HTTP requests
with sessions and CSRF tokens, fired together. Runs on SQLite and, in the PostgreSQL pass,
on PostgreSQL.
"""

import threading

from meetups.extensions import db
from meetups.gatherings.models import Encounter
from tests.conftest import PASSWORD
from tests.live_server import Visitor, serve
from tests.test_rsvp import START, move_to_past, new_person

TABS = 6  # per person


def test_simultaneous_clicks_make_one_mark_each(
    app, database_url, tmp_path, create_user, create_gathering
):
    organiser = create_user(email="organiser@example.org")
    gid = create_gathering(organiser=organiser, start=START, capacity="4").id
    ana = new_person(app, create_user, email="ana@example.org", display_name="Ana")
    ben = new_person(app, create_user, email="ben@example.org", display_name="Ben")
    for someone in (ana, ben):
        assert someone.answer(gid, "going").status_code == 303
    move_to_past(app, gid)

    with serve(database_url, tmp_path / "server") as base:
        tabs = []
        for someone, other in ((ana, ben), (ben, ana)):
            for _ in range(TABS):
                visitor = Visitor(base)
                visitor.sign_in(someone.user.email, PASSWORD)
                token = visitor.csrf_token(f"/events/{gid}")
                tabs.append((visitor, f"/events/{gid}/met/{other.id}", token))
        start = threading.Barrier(len(tabs))
        statuses: list[int | None] = [None] * len(tabs)

        def press(i: int) -> None:
            visitor, path, token = tabs[i]
            start.wait()
            statuses[i] = visitor.request(path, {"met": "yes", "csrf_token": token})[0]

        threads = [threading.Thread(target=press, args=(i,)) for i in range(len(tabs))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert set(statuses) == {200}, statuses  # each redirected to the gathering page
    with app.app_context():
        rows = db.session.execute(db.select(Encounter.user_id, Encounter.met_id)).all()
    assert sorted(rows) == sorted([(ana.id, ben.id), (ben.id, ana.id)])
