"""What people choose to receive: /me/notifications, one-click unsubscribe (RFC 8058), mails
of new gatherings, weekly digests and join requests, delivered by a real SMTP server."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeSerializer

from meetups import create_app
from meetups.accounts.models import User
from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings.models import Gathering
from meetups.notifications import digest, tokens
from meetups.notifications.models import Kind, Mail, Settings
from meetups.places import gazetteer
from meetups.places.services import city_for
from tests.conftest import form_data, text_of
from tests.smtp import html_of
from tests.smtp import text_of as mail_text

EN = {"Accept-Language": "en"}


@pytest.fixture
def app_config(mail_config):
    return mail_config


@pytest.fixture
def as_(client, login):
    """as_(user): the test client signed in as this person (and no one else)."""

    def switch(user):
        client.post("/auth/logout")
        login(user)

    return switch


@pytest.fixture
def pack(client, as_, create_user):
    """An open pack in Lyon organised by Olivia, with Maud and Wes as members: (slug, people)."""
    olivia = create_user(email="olivia@example.org", display_name="Olivia O.")
    maud = create_user(email="maud@example.org", display_name="Maud M.")
    wes = create_user(email="wes@example.org", display_name="Wes W.")
    as_(olivia)
    data = {"name": "Rédacteurs de Lyon", "city": "Lyon", "description": "", "join_policy": "open"}
    assert client.post("/packs/new", data=data).status_code == 303
    for member in (maud, wes):
        as_(member)
        assert client.post("/packs/redacteurs-de-lyon/join").status_code == 303
    return "redacteurs-de-lyon", {"olivia": olivia, "maud": maud, "wes": wes}


def propose(client, **fields) -> int:
    """Propose a gathering as the signed-in person; its id."""
    response = client.post("/events/new", data=form_data(**fields))
    assert response.status_code in (302, 303), response.text
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def choose(client, **choices):
    """Save these choices on /me/notifications as the signed-in person."""
    data = {"reminders": "y", "pack_news": "instant", "city_news": "off", "join_requests": "y"}
    data.update(choices)
    data = {name: value for name, value in data.items() if value is not None}
    response = client.post("/me/notifications", data=data)
    assert response.status_code == 303, response.text
    return response


def settings_of(app, user) -> tuple | None:
    with app.app_context():
        row = db.session.get(Settings, user.id)
        if row is None:
            return None
        return row.reminders, row.pack_news, row.city_news, row.join_requests


def queued(app, kind) -> list[tuple[int, dict]]:
    with app.app_context():
        rows = db.session.scalars(sa.select(Mail).where(Mail.kind == kind).order_by(Mail.id))
        return [(row.user_id, row.data) for row in rows]


def send(runner) -> str:
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    return result.output


def set_user(app, user, **values):
    with app.app_context():
        person = db.session.get(User, user.id)
        for name, value in values.items():
            setattr(person, name, value)
        db.session.commit()


def lyon_id(app) -> int:
    with app.app_context():
        city = city_for(gazetteer.lookup("Lyon"))
        db.session.commit()
        return city.id


def checked(page: str, name: str) -> list[str]:
    """The values of the checked inputs of this name on a page."""
    found = []
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag and " checked" in tag:
            value = re.search(r'value="([^"]*)"', tag)
            found.append(value.group(1) if value else "on")
    return found


# The settings page ------------------------------------------------------------------------


def test_the_settings_page_shows_the_defaults_then_what_was_saved(app, client, login, create_user):
    maud = create_user()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(maud)
    page = client.get("/me/notifications", headers=EN)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private"
    assert checked(page.text, "reminders") == ["y"] and checked(page.text, "join_requests") == ["y"]
    assert checked(page.text, "pack_news") == ["instant"]
    assert checked(page.text, "city_news") == ["off"]
    words = text_of(page.text)
    assert "Never" in words and "Each one at once" in words and "A weekly digest" in words
    assert "seat confirmations" in words and "password resets" in words  # what always goes out

    saved = choose(client, reminders=None, pack_news="weekly", city_news="instant")
    assert urlsplit(saved.headers["Location"]).path == "/me/notifications"
    assert settings_of(app, maud) == (False, "weekly", "instant", True)
    again = client.get("/me/notifications", headers=EN)
    assert "Your e-mail choices are saved." in text_of(again.text)
    assert checked(again.text, "reminders") == [] and checked(again.text, "pack_news") == ["weekly"]
    assert checked(again.text, "city_news") == ["instant"]
    choose(client, join_requests=None)  # saved twice: one row, updated
    assert settings_of(app, maud) == (True, "instant", "off", False)


def test_an_unknown_choice_is_refused_beside_its_field_and_nothing_is_saved(
    app, client, login, create_user
):
    maud = create_user()
    login(maud)
    data = {"reminders": "y", "pack_news": "hourly", "city_news": "off", "join_requests": "y"}
    page = client.post("/me/notifications", data=data, headers=EN)
    assert page.status_code == 200
    assert 'id="pack_news-error"' in page.text and 'id="city_news-error"' not in page.text
    assert settings_of(app, maud) is None


def test_the_pages_that_lead_there(client, login, create_user):
    login(create_user())
    for path in ("/me", "/me/profile"):
        assert 'href="/me/notifications"' in client.get(path).text, path


def test_anonymous_visitors_are_asked_to_sign_in(client):
    for reply in (client.get("/me/notifications"), client.post("/me/notifications", data={})):
        assert reply.status_code == 302
        location = urlsplit(reply.headers["Location"])
        assert location.path == "/auth/login"
        assert parse_qs(location.query)["next"] == ["/me/notifications"]


# One-click unsubscribe ----------------------------------------------------------------------


@pytest.fixture
def csrf_app(app_config, tmp_path, monkeypatch, app):
    """A second app on the same database, with CSRF protection on as in production."""
    monkeypatch.setenv("MEETUPS_INSTANCE_PATH", str(tmp_path / "instance"))
    protected = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    yield protected
    with protected.app_context():
        db.session.remove()
        db.engine.dispose()


def unsubscribe_url(app, user, topic) -> str:
    with app.test_request_context():
        return urlsplit(f"/unsubscribe/{tokens.unsubscribe_token(user.id, topic)}").path


def test_one_click_needs_no_session_nor_csrf_token_and_stops_news(
    app, csrf_app, client, as_, pack, runner
):
    slug, people = pack
    url = unsubscribe_url(app, people["maud"], "news")
    anonymous = csrf_app.test_client()
    assert anonymous.post("/me/notifications", data={}).status_code == 400  # CSRF is on here
    reply = anonymous.post(url, data={"List-Unsubscribe": "One-Click"}, headers=EN)
    assert reply.status_code == 200
    assert "Done: you will no longer receive" in text_of(reply.text)
    assert anonymous.post(url, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert settings_of(app, people["maud"]) == (True, "off", "off", True)

    as_(people["olivia"])
    propose(client, pack=slug, title="Atelier SEO")
    assert [user for user, _ in queued(app, Kind.NEW_GATHERING)] == [people["wes"].id]


def test_one_click_stops_join_requests_and_reminders(app, csrf_app, client, create_user, as_):
    olivia, ana = create_user(), create_user(display_name="Ana A.")
    anonymous = csrf_app.test_client()
    for topic in ("join_requests", "reminders"):
        assert anonymous.post(unsubscribe_url(app, olivia, topic)).status_code == 200
    assert settings_of(app, olivia) == (False, "instant", "off", False)
    as_(olivia)
    data = {"name": "Pack fermé", "city": "Lyon", "description": "", "join_policy": "approval"}
    client.post("/packs/new", data=data)
    as_(ana)
    assert client.post("/packs/pack-ferme/join", data={"answer": "Moi"}).status_code == 303
    assert queued(app, Kind.JOIN_REQUEST) == []


def test_opening_the_link_changes_nothing_and_offers_one_button(app, client, create_user):
    maud = create_user()
    url = unsubscribe_url(app, maud, "reminders")
    page = client.get(url, headers=EN)
    assert page.status_code == 200
    main = page.text.split("<main", 1)[1].split("</main>", 1)[0]
    assert len(re.findall(r'<form method="post"', main)) == 1 and main.count("<button") == 1
    assert 'href="/me/notifications"' in page.text
    assert settings_of(app, maud) is None


def test_a_forged_token_is_404_and_changes_nothing(app, client, create_user):
    maud = create_user()
    genuine = unsubscribe_url(app, maud, "news").rsplit("/", 1)[-1]
    # Signed with another key, as someone without the site's secret would make it.
    forged = URLSafeSerializer("another-key", salt="meetups.unsubscribe").dumps([maud.id, "news"])
    for token in (forged, genuine[:-2] + "xx", "nonsense"):
        assert client.post(f"/unsubscribe/{token}").status_code == 404
        assert client.get(f"/unsubscribe/{token}").status_code == 404
    assert settings_of(app, maud) is None


# New gatherings -----------------------------------------------------------------------------


def test_a_new_gathering_reaches_members_who_want_it_at_once(
    app, client, as_, pack, runner, smtp_inbox
):
    slug, people = pack
    as_(people["wes"])
    choose(client, pack_news="weekly")
    as_(people["olivia"])
    gathering_id = propose(client, pack=slug, title="Atelier SEO")
    send(runner)

    assert smtp_inbox.to("olivia@example.org") == [] and smtp_inbox.to("wes@example.org") == []
    [mail] = smtp_inbox.to("maud@example.org")
    text = mail_text(mail)
    assert "Atelier SEO" in mail["Subject"] and "Atelier SEO" in text
    assert "Rédacteurs de Lyon" in text and "Café des Freelances" in text
    assert f"https://meute.test/events/{gathering_id}" in text
    assert f'href="https://meute.test/events/{gathering_id}"' in html_of(mail)
    assert mail["List-Unsubscribe"].strip().startswith("<https://meute.test/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_new_gathering_reaches_residents_who_asked(
    app, client, as_, create_user, smtp_inbox, runner
):
    city, organiser = lyon_id(app), create_user()
    rhea, rob = create_user(email="rhea@example.org"), create_user(email="rob@example.org")
    for person in (rhea, rob):
        set_user(app, person, home_city_id=city)
    as_(rhea)
    choose(client, city_news="instant")
    as_(organiser)
    propose(client, title="Apéro du jeudi")
    send(runner)
    assert len(smtp_inbox.to("rhea@example.org")) == 1 and smtp_inbox.to("rob@example.org") == []


def test_mails_are_in_the_person_s_language_french_by_default(
    app, client, as_, pack, runner, smtp_inbox
):
    slug, people = pack
    set_user(app, people["wes"], language="en")
    as_(people["olivia"])
    propose(client, pack=slug, title="Atelier SEO")
    send(runner)
    [english] = smtp_inbox.to("wes@example.org")
    [french] = smtp_inbox.to("maud@example.org")
    assert english["Subject"] == "New gathering: Atelier SEO"
    assert "A new gathering is proposed in your pack" in mail_text(english)
    assert french["Subject"] == "Nouvelle rencontre\u00a0: Atelier SEO"
    assert "Une nouvelle rencontre est proposée dans votre meute" in mail_text(french)


# The weekly digest --------------------------------------------------------------------------


def test_the_weekly_digest_is_queued_once_a_week_with_the_right_gatherings(
    app, client, as_, pack, create_user, runner, smtp_inbox
):
    slug, people = pack
    city = lyon_id(app)
    set_user(app, people["wes"], home_city_id=city)
    as_(people["wes"])
    choose(client, pack_news="weekly", city_news="weekly")
    propose(client, pack=slug, title="Mine, not news")  # organised by Wes himself
    as_(people["olivia"])
    in_pack = propose(client, pack=slug, title="Atelier SEO")
    called_off = propose(client, pack=slug, title="Annulé")
    old = propose(client, pack=slug, title="Ancien")
    client.post(f"/events/{called_off}/cancel", data={"message": ""})
    as_(create_user())
    in_city = propose(client, title="Apéro du jeudi", start=None)
    propose(client, title="Ailleurs", city="Lille", venue_address="1 rue Nationale, 59000 Lille")
    with app.app_context():
        db.session.get(Gathering, old).created_at = utcnow() - timedelta(days=8)
        db.session.commit()

    assert "Queued 1 weekly digest(s).\n" in runner.invoke(args=["tick"]).output
    assert "Queued 0 weekly digest(s).\n" in runner.invoke(args=["tick"]).output
    [(user_id, data)] = queued(app, Kind.DIGEST)
    assert user_id == people["wes"].id and sorted(data["gatherings"]) == sorted([in_pack, in_city])

    send(runner)
    [mail] = smtp_inbox.to("wes@example.org")
    text = mail_text(mail)
    assert "Atelier SEO" in text and "Apéro du jeudi" in text and "(Europe/Paris)" in text
    assert "Annulé" not in text and "Ancien" not in text and "Ailleurs" not in text
    assert "Mine, not news" not in text
    assert f"https://meute.test/events/{in_city}" in text
    assert mail["List-Unsubscribe"].strip().startswith("<https://meute.test/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert smtp_inbox.to("maud@example.org") != []  # instant: her own mails, no digest
    assert all("Atelier SEO" not in m["Subject"] for m in smtp_inbox.to("wes@example.org"))


def test_a_digest_is_per_iso_week_and_drops_what_was_called_off(
    app, client, as_, pack, runner, smtp_inbox
):
    slug, people = pack
    as_(people["maud"])
    choose(client, pack_news="weekly")
    as_(people["olivia"])
    gathering_id = propose(client, pack=slug, title="Atelier SEO")
    now = utcnow()
    monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=5)

    def created(at):
        db.session.get(Gathering, gathering_id).created_at = at
        db.session.commit()

    with app.app_context():
        created(monday - timedelta(minutes=30))  # news for every tick of this week
        assert digest.queue_digests(monday) == 1
        assert digest.queue_digests(monday + timedelta(days=3)) == 0
        assert digest.queue_digests(monday + timedelta(days=6, hours=23)) == 0  # Sunday night
        created(monday + timedelta(days=6))
        assert digest.queue_digests(monday + timedelta(days=7, hours=1)) == 1  # a new week
        db.session.commit()
        keys = db.session.scalars(sa.select(Mail.key).where(Mail.kind == Kind.DIGEST)).all()
    weeks = [(monday + timedelta(days=days)).isocalendar() for days in (0, 7)]
    assert sorted(keys) == sorted(f"digest:{people['maud'].id}:{y}-W{w:02d}" for y, w, _ in weeks)

    client.post(f"/events/{gathering_id}/cancel", data={"message": ""})
    smtp_inbox.clear()
    send(runner)
    assert smtp_inbox.to("maud@example.org") == []  # nothing left to tell her
    with app.app_context():
        rows = db.session.scalars(sa.select(Mail).where(Mail.kind == Kind.DIGEST)).all()
        assert [(row.sent_at, row.failed_at is not None) for row in rows] == [(None, True)] * 2


# Join requests ------------------------------------------------------------------------------


def test_the_organiser_hears_of_a_join_request_without_the_asker_s_address(
    app, client, as_, create_user, runner, smtp_inbox
):
    olivia = create_user(email="olivia@example.org", display_name="Olivia O.")
    ana = create_user(email="ana.secret@example.org", display_name="Ana Asker")
    as_(olivia)
    data = {"name": "Pack fermé", "city": "Lyon", "description": "", "join_policy": "approval"}
    client.post("/packs/new", data=data)
    as_(ana)
    client.post("/packs/pack-ferme/join", data={"answer": "Rédactrice"})
    send(runner)

    [mail] = smtp_inbox.to("olivia@example.org")
    assert smtp_inbox.to("ana.secret@example.org") == []
    assert "Ana Asker" in mail["Subject"] and "Pack fermé" in mail["Subject"]
    for body in (mail_text(mail), html_of(mail)):
        assert "Ana Asker" in body and "https://meute.test/packs/pack-ferme/members" in body
    assert "ana.secret" not in mail.as_string()
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
