"""Password reset: one answer for every address, a mail to known ones with a link that works
once, for one hour, on the site's public address, in the language it was asked in."""

import re
import time
from urllib.parse import urlsplit

import itsdangerous.timed
import pytest

from meetups.accounts import services
from meetups.accounts.models import User
from meetups.extensions import db
from tests.conftest import PASSWORD
from tests.smtp import html_of, text_of

NEW_PASSWORD = "seven purple otters swim"
LINK = re.compile(r"https://meute\.test/auth/reset/[\w.-]+")
EN = {"Accept-Language": "en"}


@pytest.fixture
def app_config(mail_config):
    return mail_config


def ask(client, email, headers=None):
    return client.post("/auth/reset", data={"email": email}, headers=headers or {})


def send(runner) -> None:
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output


def link_for(client, runner, smtp_inbox, user, headers=None) -> str:
    """Ask a reset for user, send the mail, return the path of the link it carries."""
    assert ask(client, user.email, headers).status_code == 303
    send(runner)
    (mail,) = smtp_inbox.to(user.email)
    return urlsplit(LINK.search(text_of(mail)).group(0)).path


def password_of(app, user) -> str:
    with app.app_context():
        return db.session.get(User, user.id).password_hash


def signs_in(app, email, password) -> bool:
    response = app.test_client().post("/auth/login", data={"email": email, "password": password})
    return response.status_code == 302


def test_known_and_unknown_addresses_get_the_same_answer(client, runner, smtp_inbox, create_user):
    user = create_user(email="camille@example.org")
    answers = []
    for email in ("  Camille@Example.org ", "nobody@example.org"):
        answer = ask(client, email)
        answers.append((answer.status_code, answer.location, client.get(answer.location).text))

    assert answers[0] == answers[1]  # status, where it leads, and that page with its flash
    pages = [page for _status, _location, page in answers]
    assert answers[0][0] == 303
    assert "Si un compte utilise cette adresse, un e-mail avec un lien est en route" in pages[0]
    send(runner)
    assert [m["To"] for m in smtp_inbox.messages] == [f"{user.display_name} <{user.email}>"]


def test_the_mail_is_in_french_and_always_goes_out(client, runner, smtp_inbox, create_user):
    user = create_user()
    link_for(client, runner, smtp_inbox, user)
    (mail,) = smtp_inbox.to(user.email)

    assert mail["Subject"] == "Choisissez un nouveau mot de passe Meute"
    assert "Il fonctionne une fois, pendant une heure" in text_of(mail)
    assert LINK.search(html_of(mail))
    assert mail["List-Unsubscribe"] is None


@pytest.mark.parametrize(
    ("language", "headers"), [("en", {}), (None, EN)], ids=["their-language", "english-page"]
)
def test_the_mail_is_in_english_for_an_english_speaker(
    app, client, runner, smtp_inbox, create_user, language, headers
):
    user = create_user()
    with app.app_context():
        db.session.get(User, user.id).language = language
        db.session.commit()
    link_for(client, runner, smtp_inbox, user, headers)
    (mail,) = smtp_inbox.to(user.email)

    assert mail["Subject"] == "Choose a new Meute password"
    assert "It works once, for one hour." in text_of(mail)


def test_the_link_sets_a_new_password_and_signs_in(app, client, runner, smtp_inbox, create_user):
    user = create_user()
    path = link_for(client, runner, smtp_inbox, user)
    form = client.get(path, headers=EN)
    assert form.status_code == 200 and "Choose a new password" in form.text

    done = client.post(path, data={"password": NEW_PASSWORD})

    assert (done.status_code, done.location) == (303, "/")
    assert client.get("/me/profile").status_code == 200  # signed in
    assert not signs_in(app, user.email, PASSWORD)
    assert signs_in(app, user.email, NEW_PASSWORD)


def test_the_link_works_once(app, client, runner, smtp_inbox, create_user):
    user = create_user()
    path = link_for(client, runner, smtp_inbox, user)
    assert client.post(path, data={"password": NEW_PASSWORD}).status_code == 303

    again = app.test_client().post(path, data={"password": "another long passphrase"})
    shown = app.test_client().get(path, headers=EN)

    assert again.status_code == 404 and "Ce lien ne fonctionne plus" in again.text
    assert shown.status_code == 404 and "This link no longer works" in shown.text
    assert "/auth/reset" in shown.text  # a way to ask for a new one
    assert signs_in(app, user.email, NEW_PASSWORD)


def test_a_weak_password_is_refused_and_the_link_still_works(
    app, client, runner, smtp_inbox, create_user
):
    user = create_user()
    path = link_for(client, runner, smtp_inbox, user)
    before = password_of(app, user)

    refused = client.post(path, data={"password": "password123"}, headers=EN)

    assert refused.status_code == 200 and "most common" in refused.text
    assert password_of(app, user) == before
    assert client.post(path, data={"password": NEW_PASSWORD}).status_code == 303


def _token_made(app, user, seconds_ago, monkeypatch) -> str:
    made_at = time.time() - seconds_ago
    with monkeypatch.context() as patched, app.app_context():
        patched.setattr(itsdangerous.timed.time, "time", lambda: made_at)
        return services.reset_token(db.session.get(User, user.id))


def test_a_link_older_than_an_hour_no_longer_works(app, client, create_user, monkeypatch):
    user = create_user()
    old = _token_made(app, user, 2 * 3600, monkeypatch)
    recent = _token_made(app, user, 59 * 60, monkeypatch)

    assert client.get(f"/auth/reset/{old}").status_code == 404
    assert client.post(f"/auth/reset/{old}", data={"password": NEW_PASSWORD}).status_code == 404
    assert signs_in(app, user.email, PASSWORD)
    assert client.get(f"/auth/reset/{recent}").status_code == 200


def test_an_altered_or_made_up_token_does_not_work(app, client, create_user):
    user = create_user()
    with app.app_context():
        token = services.reset_token(db.session.get(User, user.id))
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    for bad in (altered, "nonsense", "a.b.c"):
        assert client.get(f"/auth/reset/{bad}").status_code == 404
    assert client.get(f"/auth/reset/{token}").status_code == 200


def test_a_reset_signs_out_every_other_session(app, client, runner, smtp_inbox, create_user):
    user = create_user()
    elsewhere = app.test_client()
    elsewhere.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert elsewhere.get("/me/profile").status_code == 200
    path = link_for(client, runner, smtp_inbox, user)

    client.post(path, data={"password": NEW_PASSWORD})

    assert elsewhere.get("/me/profile").status_code == 302  # sent to sign in
    assert client.get("/me/profile").status_code == 200


def test_the_link_is_on_the_base_url_whatever_host_the_request_named(
    client, runner, smtp_inbox, create_user
):
    user = create_user()
    forged = client.post(
        "/auth/reset",
        data={"email": user.email},
        headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
    )
    assert forged.status_code == 303
    send(runner)
    (mail,) = smtp_inbox.to(user.email)

    for body in (text_of(mail), html_of(mail)):
        assert LINK.search(body)
        assert "evil.example" not in body


def test_the_sign_in_page_offers_a_reset(client):
    page = client.get("/auth/login", headers=EN)
    assert 'href="/auth/reset"' in page.text and "Forgot your password?" in page.text


class TestRateLimits:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True}

    def test_one_address_is_not_flooded_from_many_places(self, app, create_user):
        user = create_user()
        answers = []
        for n in range(4):
            visitor = app.test_client()
            visitor.environ_base["REMOTE_ADDR"] = f"192.0.2.{n + 1}"
            answers.append(ask(visitor, user.email).status_code)
        assert answers == [303, 303, 303, 429]
        assert ask(app.test_client(), "someone.else@example.org").status_code == 303

    def test_one_place_cannot_ask_for_many_addresses(self, client):
        answers = [ask(client, f"person{n}@example.org").status_code for n in range(6)]
        assert answers == [303] * 5 + [429]
