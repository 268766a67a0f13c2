"""A pack keeps an organiser and gets distinct slugs when people act at the same moment.

A real server (gunicorn, several processes and threads) on the test database, real HTTP
requests with sessions and CSRF tokens, fired together. Runs on SQLite and, in the
PostgreSQL pass, on PostgreSQL.
"""

import re
import threading

import pytest

from meetups.extensions import db
from meetups.packs.models import Membership, MemberStatus, Pack, Role
from tests.conftest import PASSWORD
from tests.live_server import Visitor, serve

PEOPLE = 8


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def at_once(visitors, path_and_data) -> list[int]:
    """Each visitor posts its (path, data) at the same moment; their statuses."""
    start = threading.Barrier(len(visitors))
    statuses = [0] * len(visitors)

    def post(i: int) -> None:
        start.wait()
        statuses[i] = visitors[i].request(*path_and_data(i))[0]

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(visitors))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def signed_in_visitors(base, people) -> list[Visitor]:
    visitors = [Visitor(base) for _ in people]
    for visitor, person in zip(visitors, people, strict=True):
        visitor.sign_in(person.email, PASSWORD)
    return visitors


def test_organisers_leaving_at_once_leave_one(app, database_url, tmp_path, create_user):
    people = [create_user() for _ in range(PEOPLE)]
    with app.app_context():
        pack = Pack(slug="plumes", name="Plumes", city_id=_lyon_id(), join_policy="open")
        db.session.add(pack)
        db.session.add_all(
            Membership(pack=pack, user_id=p.id, role=Role.ORGANISER, status=MemberStatus.ACTIVE)
            for p in people
        )
        db.session.commit()
    with serve(database_url, tmp_path / "server") as base:
        visitors = signed_in_visitors(base, people)
        tokens = [visitor.csrf_token("/packs/plumes") for visitor in visitors]
        statuses = at_once(visitors, lambda i: ("/packs/plumes/leave", {"csrf_token": tokens[i]}))
    assert set(statuses) == {200}  # each redirected to the pack's page
    with app.app_context():
        left = db.session.scalars(db.select(Membership)).all()
    assert [(m.role, m.status) for m in left] == [(Role.ORGANISER, MemberStatus.ACTIVE)]


def test_same_name_at_once_gets_distinct_slugs(app, database_url, tmp_path, create_user):
    people = [create_user() for _ in range(PEOPLE)]
    form = {"name": "Plumes de Lyon", "city": "Lyon", "description": "", "join_policy": "open"}
    with serve(database_url, tmp_path / "server") as base:
        visitors = signed_in_visitors(base, people)
        tokens = [visitor.csrf_token("/packs/new") for visitor in visitors]
        statuses = at_once(visitors, lambda i: ("/packs/new", {**form, "csrf_token": tokens[i]}))
    assert set(statuses) == {200}
    with app.app_context():
        slugs = set(db.session.scalars(db.select(Pack.slug)))
        organisers = db.session.scalar(db.select(db.func.count()).select_from(Membership))
    # One pack each, each its own slug from the name: numbered, or past a few collisions in a
    # row, with a random ending.
    assert len(slugs) == PEOPLE and organisers == PEOPLE
    assert "plumes-de-lyon" in slugs
    assert all(re.fullmatch(r"plumes-de-lyon(-\d+|-[0-9a-f]{6})?", slug) for slug in slugs)


def _lyon_id() -> int:
    from meetups.places import gazetteer
    from meetups.places.services import city_for

    return city_for(gazetteer.lookup("Lyon")).id
