"""With CSRF protection on, as in production: a POST without a valid token gets 400 and changes nothing."""

import re

import pytest
import sqlalchemy as sa

from meetups.extensions import db
from tests.conftest import PASSWORD, form_data, text_of


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def client(app):
    """A test client that asks for English pages, so text assertions do not depend on catalogues."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def csrf_token(client, path: str) -> str:
    """The hidden csrf_token a browser would find on the page at path."""
    response = client.get(path)
    assert response.status_code == 200, path
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.text) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', response.text
    )
    assert match, f"no csrf_token on {path}"
    return match.group(1)


@pytest.fixture
def signed_in(client, create_user):
    """Sign the client in through the real form, token included; return the user."""

    def sign_in(user=None):
        user = user or create_user()
        token = csrf_token(client, "/auth/login")
        response = client.post(
            "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302, response.text
        return user

    return sign_in


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def status_of(app, gathering_id) -> str:
    from meetups.gatherings.models import Gathering

    with app.app_context():
        return db.session.get(Gathering, gathering_id).status


def is_signed_in(client) -> bool:
    return client.get("/me").status_code == 200


def assert_refused(response):
    assert response.status_code == 400
    assert "Your form expired or was sent from elsewhere" in text_of(response.text)


REGISTRATION = {
    "email": "camille@example.org",
    "display_name": "Camille D.",
    "password": "a long enough password",
}


def test_register_without_token_creates_nobody(app, client):
    from meetups.accounts.models import User

    assert_refused(client.post("/auth/register", data=REGISTRATION))
    assert count(app, User) == 0
    assert not is_signed_in(client)


def test_register_with_token(app, client):
    from meetups.accounts.models import User

    token = csrf_token(client, "/auth/register")
    response = client.post("/auth/register", data={**REGISTRATION, "csrf_token": token})
    assert response.status_code == 302
    assert count(app, User) == 1
    assert is_signed_in(client)


def test_login_without_token_signs_nobody_in(client, create_user):
    user = create_user()
    assert_refused(client.post("/auth/login", data={"email": user.email, "password": PASSWORD}))
    assert not is_signed_in(client)


def test_login_with_token(client, signed_in):
    signed_in()
    assert is_signed_in(client)


def test_propose_without_token_creates_nothing(app, client, signed_in):
    from meetups.gatherings.models import Gathering

    signed_in()
    assert_refused(client.post("/events/new", data=form_data()))
    assert count(app, Gathering) == 0


def test_propose_with_token(app, client, signed_in):
    from meetups.gatherings.models import Gathering

    signed_in()
    token = csrf_token(client, "/events/new")
    response = client.post("/events/new", data={**form_data(), "csrf_token": token})
    assert response.status_code in (302, 303), response.text
    assert count(app, Gathering) == 1


def test_cancel_without_token_keeps_the_gathering(app, client, signed_in, create_gathering):
    gathering = create_gathering(organiser=signed_in())
    assert_refused(client.post(f"/events/{gathering.id}/cancel"))
    assert status_of(app, gathering.id) == "scheduled"


def test_cancel_with_token(app, client, signed_in, create_gathering):
    gathering = create_gathering(organiser=signed_in())
    token = csrf_token(client, f"/events/{gathering.id}")
    response = client.post(f"/events/{gathering.id}/cancel", data={"csrf_token": token})
    assert response.status_code in (302, 303)
    assert status_of(app, gathering.id) == "cancelled"


def test_reinstate_needs_a_token_too(app, client, signed_in, create_gathering):
    gathering = create_gathering(organiser=signed_in())
    token = csrf_token(client, f"/events/{gathering.id}/cancel")
    client.post(f"/events/{gathering.id}/cancel", data={"csrf_token": token})
    assert_refused(client.post(f"/events/{gathering.id}/reinstate"))
    assert status_of(app, gathering.id) == "cancelled"
    token = csrf_token(client, f"/events/{gathering.id}")
    response = client.post(f"/events/{gathering.id}/reinstate", data={"csrf_token": token})
    assert response.status_code == 303
    assert status_of(app, gathering.id) == "scheduled"


def test_an_answer_signed_out_without_token_is_not_kept(app, client, create_gathering):
    gathering = create_gathering()
    assert_refused(client.post(f"/events/{gathering.id}/rsvp", data={"response": "going"}))
    with client.session_transaction() as session:
        assert "pending_rsvp" not in session


def test_an_answer_signed_out_with_token_is_saved_on_sign_in(
    app, client, signed_in, create_user, create_gathering
):
    from meetups.gatherings.models import Rsvp

    gathering = create_gathering()
    token = csrf_token(client, f"/events/{gathering.id}")
    response = client.post(
        f"/events/{gathering.id}/rsvp", data={"response": "maybe", "csrf_token": token}
    )
    assert response.status_code == 302
    user = signed_in()
    with app.app_context():
        rsvp = db.session.scalar(db.select(Rsvp).filter_by(user_id=user.id))
        assert (rsvp.gathering_id, rsvp.response) == (gathering.id, "maybe")


def test_logout_without_token_keeps_the_session(client, signed_in):
    signed_in()
    assert_refused(client.post("/auth/logout"))
    assert is_signed_in(client)


def test_logout_with_token(client, signed_in):
    signed_in()
    token = csrf_token(client, "/me")
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    assert not is_signed_in(client)


def test_a_profile_change_without_token_changes_nothing(app, client, signed_in):
    from meetups.accounts.models import User

    user = signed_in()
    fields = {"display_name": "Changed", "trade": "", "visibility": "members"}
    assert_refused(client.post("/me/profile", data=fields))
    with app.app_context():
        assert db.session.get(User, user.id).display_name == user.display_name
    token = csrf_token(client, "/me/profile")
    assert client.post("/me/profile", data={**fields, "csrf_token": token}).status_code == 303


def test_a_token_from_another_session_is_refused(app, client, create_user):
    """A token lifted from someone else's page does not work in my session."""
    user = create_user()
    foreign = csrf_token(app.test_client(), "/auth/login")
    own = csrf_token(client, "/auth/login")  # this client has a session with its own token
    assert foreign != own

    response = client.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": foreign}
    )
    assert_refused(response)
    assert not is_signed_in(client)


def test_a_garbled_token_is_refused(client, signed_in):
    signed_in()
    token = csrf_token(client, "/me")
    assert_refused(client.post("/auth/logout", data={"csrf_token": token[:-4] + "AAAA"}))
    assert is_signed_in(client)


def test_i_met_them_without_token_marks_nothing(
    app, client, signed_in, create_user, create_gathering
):
    from meetups.gatherings.models import Encounter, Rsvp
    from tests.test_rsvp import move_to_past

    organiser = signed_in()
    gathering = create_gathering(organiser=organiser)
    guest = create_user()
    with app.app_context():
        db.session.add(Rsvp(gathering_id=gathering.id, user_id=guest.id, response="going"))
        db.session.commit()
    move_to_past(app, gathering.id)
    path = f"/events/{gathering.id}/met/{guest.id}"

    assert_refused(client.post(path))
    assert_refused(client.post(path, data={"met": "yes"}))
    assert count(app, Encounter) == 0
    token = csrf_token(client, f"/events/{gathering.id}")
    assert client.post(path, data={"csrf_token": token}).status_code == 303
    assert count(app, Encounter) == 1


# Packs ---------------------------------------------------------------------------------------

PACK = {"name": "Plumes de Lyon", "city": "Lyon", "description": "", "join_policy": "open"}


def pack_roles(app) -> dict[int, tuple[str, str]]:
    from meetups.packs.models import Membership

    with app.app_context():
        return {m.user_id: (m.role, m.status) for m in db.session.scalars(sa.select(Membership))}


@pytest.fixture
def pack(app, client, signed_in, create_user):
    """A pack made through its form, token included, by an organiser; its slug and people."""
    from meetups.packs.models import Pack

    organiser = signed_in()
    token = csrf_token(client, "/packs/new")
    response = client.post("/packs/new", data={**PACK, "csrf_token": token})
    assert response.status_code == 303, response.text
    assert count(app, Pack) == 1
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/packs")})
    return {"slug": "plumes-de-lyon", "organiser": organiser}


def test_creating_a_pack_without_token_creates_nothing(app, client, signed_in):
    from meetups.packs.models import Pack

    signed_in()
    assert_refused(client.post("/packs/new", data=PACK))
    assert count(app, Pack) == 0


def test_joining_and_leaving_need_a_token(app, client, signed_in, pack):
    member = signed_in()
    slug = pack["slug"]
    assert_refused(client.post(f"/packs/{slug}/join"))
    assert member.id not in pack_roles(app)
    client.post(f"/packs/{slug}/join", data={"csrf_token": csrf_token(client, f"/packs/{slug}")})
    assert pack_roles(app)[member.id] == ("member", "active")
    assert_refused(client.post(f"/packs/{slug}/leave"))
    assert pack_roles(app)[member.id] == ("member", "active")
    client.post(f"/packs/{slug}/leave", data={"csrf_token": csrf_token(client, f"/packs/{slug}")})
    assert member.id not in pack_roles(app)


def test_organisers_actions_and_edits_need_a_token(app, client, signed_in, pack):
    slug, organiser = pack["slug"], pack["organiser"]
    member = signed_in()
    client.post(f"/packs/{slug}/join", data={"csrf_token": csrf_token(client, f"/packs/{slug}")})
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/packs")})
    signed_in(organiser)
    action = f"/packs/{slug}/members/{member.id}/make-organiser"
    assert_refused(client.post(action))
    assert pack_roles(app)[member.id] == ("member", "active")
    assert_refused(client.post(f"/packs/{slug}/edit", data={**PACK, "name": "Pris"}))
    assert "Pris" not in client.get(f"/packs/{slug}").text
    token = csrf_token(client, f"/packs/{slug}/members")
    assert client.post(action, data={"csrf_token": token}).status_code == 303
    assert pack_roles(app)[member.id] == ("organiser", "active")


def test_an_account_deletion_without_token_deletes_nothing(app, client, signed_in):
    from meetups.accounts.models import User

    user = signed_in()
    assert_refused(client.post("/me/delete", data={"password": PASSWORD}))
    with app.app_context():
        assert db.session.get(User, user.id) is not None
    token = csrf_token(client, "/me/delete")
    reply = client.post("/me/delete", data={"password": PASSWORD, "csrf_token": token})
    assert reply.status_code == 303
    with app.app_context():
        assert db.session.get(User, user.id) is None
