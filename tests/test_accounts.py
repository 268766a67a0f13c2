"""Signing up, in and out, as a browser does it."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from meetups.extensions import db
from tests.conftest import PASSWORD, text_of

NEW_PASSWORD = "a long enough password"


@pytest.fixture
def client(app):
    """A test client that asks for English pages, so text assertions do not depend on catalogues."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def registration(**overrides) -> dict:
    data = {
        "email": "camille@example.org",
        "display_name": "Camille D.",
        "password": NEW_PASSWORD,
        "trade": "web writer",
        "city": "Lyon",
    }
    data.update(overrides)
    return data


def field_error(html: str, field: str) -> str | None:
    """The error text shown beside a form field, or None."""
    match = re.search(rf'id="{field}-error"[^>]*>(.*?)</p>', html, re.S)
    return text_of(match.group(1)) if match else None


def input_value(html: str, field: str) -> str | None:
    """The value an <input name=field> is rendered with, or None."""
    tag = re.search(rf'<input[^>]*\bname="{field}"[^>]*>', html)
    value = tag and re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


def users(app):
    from meetups.accounts.models import User

    with app.app_context():
        rows = db.session.scalars(sa.select(User).order_by(User.id)).all()
        for user in rows:
            _ = user.home_city
        db.session.expunge_all()
        return rows


def is_signed_in(client) -> bool:
    response = client.get("/me")
    assert response.status_code in (200, 302)
    return response.status_code == 200


# --- registration --------------------------------------------------------------------------


def test_register_signs_in_at_once(app, client):
    response = client.post(
        "/auth/register",
        data=registration(email="Camille@Example.org", city="saint étienne"),
    )
    assert response.status_code == 302
    assert is_signed_in(client)

    [user] = users(app)
    assert user.email == "camille@example.org"
    assert user.display_name == "Camille D."
    assert user.trade == "web writer"
    assert user.password_hash.startswith("scrypt:")
    assert NEW_PASSWORD not in user.password_hash
    assert user.home_city.name == "Saint-Étienne"
    assert user.home_city.country == "FR"


def test_register_without_optional_fields(app, client):
    response = client.post("/auth/register", data=registration(trade="", city=""))
    assert response.status_code == 302
    [user] = users(app)
    assert user.trade == ""
    assert user.home_city is None


def test_email_is_unique_whatever_its_case(app, client, create_user):
    create_user(email="camille@example.org")
    response = client.post("/auth/register", data=registration(email="Camille@Example.org"))
    assert response.status_code == 200
    assert "already uses this e-mail" in field_error(response.text, "email")
    assert input_value(response.text, "email") == "Camille@Example.org"
    assert len(users(app)) == 1
    assert not is_signed_in(client)


def test_every_registration_error_shows_at_once(app, client, create_user):
    create_user(email="camille@example.org")
    data = registration(
        email="Camille@example.org", display_name="C", password="short", city="Xyzzyville"
    )
    response = client.post("/auth/register", data=data)

    assert response.status_code == 200
    assert "already uses this e-mail" in field_error(response.text, "email")
    assert field_error(response.text, "display_name") == "Between 2 and 80 characters."
    assert field_error(response.text, "password") == "At least 10 characters."
    assert "We don't know a city called “Xyzzyville”" in field_error(response.text, "city")
    assert len(users(app)) == 1


def test_two_sign_ups_at_once_with_one_address_make_one_account(app, client, monkeypatch):
    """The form's check passed for both: the database's unique index refuses the second."""
    from meetups.accounts import services

    monkeypatch.setattr(services, "email_in_use", lambda email: False)
    assert client.post("/auth/register", data=registration()).status_code == 302
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = other.post("/auth/register", data=registration(email="CAMILLE@example.org"))
    assert response.status_code == 200
    assert "already uses this e-mail" in field_error(response.text, "email")
    assert len(users(app)) == 1


def test_database_refuses_an_email_that_is_not_lower_case(app, create_user):
    from meetups.accounts.models import User

    create_user(email="camille@example.org")
    with app.app_context():
        with pytest.raises(IntegrityError):
            db.session.execute(
                sa.insert(User).values(
                    email="Camille@example.org", password_hash="x", display_name="Twin"
                )
            )
        db.session.rollback()
    assert len(users(app)) == 1


def test_database_refuses_a_duplicate_email(app, create_user):
    from meetups.accounts.models import User

    create_user(email="camille@example.org")
    with app.app_context():
        db.session.add(User(email="camille@example.org", password_hash="x", display_name="Twin"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
    assert len(users(app)) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "camille-at-example.org"}, "email", "valid e-mail"),
        ({"password": "short"}, "password", "At least 10 characters"),
        ({"password": "x" * 201}, "password", "At most 200 characters"),
        # The most common passwords, whatever their case (zxcvbn's list).
        ({"password": "motdepasse"}, "password", "one of the most common"),
        ({"password": "1234567890"}, "password", "one of the most common"),
        ({"password": "MotDePasse"}, "password", "one of the most common"),
        ({"password": "AZERTYUIOP"}, "password", "one of the most common"),
        ({"display_name": ""}, "display_name", "Enter the name"),
        ({"city": "Atlantide"}, "city", "Atlantide"),
    ],
)
def test_registration_errors_show_beside_the_field(app, client, overrides, field, message):
    """The error sits beside its field, what was typed is kept, and no account is made."""
    data = registration(**overrides)
    response = client.post("/auth/register", data=data)
    assert response.status_code == 200
    assert message in field_error(response.text, field)
    for other in ("email", "display_name", "trade", "city"):
        assert input_value(response.text, other) == data[other], other
    assert not input_value(response.text, "password")  # never echoed back
    assert users(app) == []
    assert not is_signed_in(client)


@pytest.mark.parametrize(
    "password",
    ["rivière lente sous la pluie", ("rivière lente sous la pluie, " * 3)[:64], "é" * 200],
    ids=["words", "64 characters", "200 characters"],
)
def test_a_long_uncommon_password_is_welcome(app, client, password):
    response = client.post("/auth/register", data=registration(password=password))
    assert response.status_code == 302, field_error(response.text, "password")
    assert len(users(app)) == 1


@pytest.mark.parametrize(
    ("lang", "rule", "refusal"),
    [
        ("en", "not one of the most common passwords", "Pick another: a few words together"),
        ("fr", "pas l’un des mots de passe les plus courants", "quelques mots mis bout à bout"),
    ],
)
def test_the_password_rule_is_told_in_the_persons_language(client, lang, rule, refusal):
    headers = {"Accept-Language": lang}
    assert rule in text_of(client.get("/auth/register", headers=headers).text)
    response = client.post(
        "/auth/register", data=registration(password="motdepasse"), headers=headers
    )
    assert refusal in field_error(response.text, "password").replace("\xa0", " ")


def test_only_the_faulty_field_gets_an_error(client):
    response = client.post("/auth/register", data=registration(city="Atlantide"))
    assert field_error(response.text, "city")
    for other in ("email", "display_name", "password", "trade"):
        assert field_error(response.text, other) is None, other


# --- signing in ----------------------------------------------------------------------------


def test_login_with_the_right_password(client, create_user):
    user = create_user()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert is_signed_in(client)


def test_login_with_a_wrong_password(client, create_user):
    user = create_user()
    response = client.post("/auth/login", data={"email": user.email, "password": "wrong password"})
    assert response.status_code == 200
    assert "do not match" in text_of(response.text)
    assert input_value(response.text, "email") == user.email
    assert not is_signed_in(client)


def test_login_with_an_unknown_email_says_the_same(client, create_user):
    """An unknown address gets the very same answer as a wrong password."""
    create_user()
    response = client.post(
        "/auth/login", data={"email": "nobody@example.org", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "do not match" in text_of(response.text)
    assert not is_signed_in(client)


def test_login_email_is_case_insensitive(client, create_user):
    create_user(email="camille@example.org")
    response = client.post(
        "/auth/login", data={"email": "  CAMILLE@Example.Org ", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert is_signed_in(client)


def test_login_follows_a_local_next(client, create_user):
    user = create_user()
    response = client.post(
        "/auth/login",
        query_string={"next": "/events/new"},
        data={"email": user.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/events/new"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/x",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:evil.example",
    ],
)
@pytest.mark.parametrize("form", ["login", "register"])
def test_next_never_leaves_the_site(client, create_user, target, form):
    if form == "login":
        data = {"email": create_user().email, "password": PASSWORD}
    else:
        data = registration()
    response = client.post(f"/auth/{form}", query_string={"next": target}, data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("path", ["/events/new", "/me"])
def test_anonymous_visitors_are_sent_to_login_and_back(client, create_user, path):
    response = client.get(path)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/auth/login"
    assert parse_qs(location.query)["next"] == [path]

    # Signing in through that very address lands where the visitor was going.
    signed_in = client.post(
        response.headers["Location"], data={"email": create_user().email, "password": PASSWORD}
    )
    assert signed_in.headers["Location"] == path
    assert client.get(path).status_code == 200


# --- signing out ---------------------------------------------------------------------------


def test_logout_needs_a_post(client, create_user, login):
    login(create_user())
    assert client.get("/auth/logout").status_code == 405
    assert is_signed_in(client)


def test_logout_ends_the_session(client, create_user, login):
    login(create_user())
    response = client.post("/auth/logout")
    assert response.status_code == 302
    assert not is_signed_in(client)


def test_a_copied_session_cookie_dies_at_logout(app, client, create_user, login):
    """Someone who copied the session cookie cannot use it once its owner signs out."""
    login(create_user())
    stolen = client.get_cookie("session").value

    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/me").status_code == 200  # the copy works while the session lives

    client.post("/auth/logout")

    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/me")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/auth/login"


def test_signing_in_again_after_logout(client, create_user, login):
    user = create_user()
    login(user)
    client.post("/auth/logout")
    login(user)
    assert is_signed_in(client)


def test_account_pages_are_not_cached(client, create_user, login):
    """Pages with personal data (the secret feed URL on /me) must not be stored by caches."""
    assert "no-store" in client.get("/auth/login").headers.get("Cache-Control", "")
    login(create_user())
    assert "no-store" in client.get("/me").headers.get("Cache-Control", "")
