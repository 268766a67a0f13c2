"""Sign-in attempts, proposals and RSVPs are rate limited per address, unless turned off."""

import pytest

from meetups.extensions import db
from meetups.gatherings.models import Gathering, Rsvp
from tests.conftest import PASSWORD, form_data


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RATELIMIT_ENABLED": True}


def test_too_many_sign_in_attempts_get_429(client, create_user):
    user = create_user()
    attempts = [
        client.post(
            "/auth/login",
            data={"email": user.email, "password": "wrong password"},
            headers={"Accept-Language": "en"},
        )
        for _ in range(11)
    ]
    assert [r.status_code for r in attempts[:10]] == [200] * 10
    assert attempts[10].status_code == 429
    assert "Too many requests" in attempts[10].text


def test_reading_the_sign_in_page_is_not_limited(client):
    assert {client.get("/auth/login").status_code for _ in range(15)} == {200}


def test_too_many_rsvps_from_one_address_get_429_and_change_nothing(
    app, client, login, create_user, create_gathering
):
    gathering = create_gathering(capacity="3")
    person = create_user()
    login(person)
    url = f"/events/{gathering.id}/rsvp"

    answers = [client.post(url, data={"response": ("going", "no")[n % 2]}) for n in range(61)]

    assert [r.status_code for r in answers[:60]] == [303] * 60
    assert answers[60].status_code == 429
    assert answers[60].headers["Retry-After"]
    with app.app_context():
        rsvp = db.session.scalar(db.select(Rsvp).filter_by(user_id=person.id))
        assert rsvp.response == "no"  # the 60th answer; the 61st, "going", was refused
    # Someone at another address is not held back.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    other.post("/auth/login", data={"email": create_user().email, "password": PASSWORD})
    assert other.post(url, data={"response": "going"}).status_code == 303


def test_too_many_proposals_from_one_address_get_429_and_make_nothing(
    app, client, login, create_user
):
    login(create_user())
    # Ten tries a minute, refused or not: the eleventh is held back whatever it holds.
    tries = [client.post("/events/new", data=form_data(title="")) for _ in range(10)]
    assert {r.status_code for r in tries} == {200}
    held = client.post("/events/new", data=form_data(title="The eleventh"))
    assert held.status_code == 429
    assert held.headers["Retry-After"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Gathering.id))) == 0
    assert client.get("/events/new").status_code == 200  # the form itself stays readable


def test_too_many_place_lookups_from_one_address_get_a_json_429(client):
    answers = [client.get("/api/v1/places", query_string={"q": "Lyonn"}) for _ in range(121)]
    assert {r.status_code for r in answers[:120]} == {200}
    assert answers[120].status_code == 429
    assert set(answers[120].json) == {"error"}


def test_too_many_packs_from_one_address_get_429_and_make_nothing(app, client, login, create_user):
    from meetups.packs.models import Pack

    login(create_user())
    # Five tries a minute, refused or not: the sixth is held back whatever it holds.
    tries = [client.post("/packs/new", data={"name": "", "city": "Lyon"}) for _ in range(5)]
    assert {r.status_code for r in tries} == {200}
    held = client.post("/packs/new", data={"name": "Plumes", "city": "Lyon"})
    assert held.status_code == 429
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Pack.id))) == 0
    assert client.get("/packs/new").status_code == 200


def test_too_many_password_guesses_at_deletion_get_429_and_delete_nothing(
    app, client, login, create_user
):
    from meetups.accounts.models import User

    person = create_user()
    login(person)
    guesses = [client.post("/me/delete", data={"password": f"guess {n}"}) for n in range(11)]
    assert [r.status_code for r in guesses[:10]] == [200] * 10
    assert guesses[10].status_code == 429
    assert client.post("/me/delete", data={"password": PASSWORD}).status_code == 429
    with app.app_context():
        assert db.session.get(User, person.id) is not None


def test_too_many_reports_from_one_address_get_429(
    app, client, login, create_user, create_gathering
):
    from meetups.moderation.models import Report

    gathering = create_gathering()
    login(create_user())
    url = f"/events/{gathering.id}/report"
    tries = [client.post(url, data={"reason": f"Spam, try {n}"}) for n in range(6)]
    assert [r.status_code for r in tries[:5]] == [303] * 5
    assert tries[5].status_code == 429
    assert client.get(url).status_code == 200  # the form itself stays readable
    with app.app_context():
        assert db.session.scalar(db.select(Report.reason)) == "Spam, try 4"
