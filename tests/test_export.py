"""/me/export.json: everything stored about me, as a download, and nothing secret or anyone
else's address. One world built once per module: these tests only read."""

import json
import re
from datetime import UTC, datetime

import pytest

from meetups.accounts.models import User
from meetups.extensions import db
from tests import privacy_world
from tests.conftest import dispose_app, module_app
from tests.privacy_world import EMAIL, LINK, NAME, TRADE
from tests.test_rsvp import browser


@pytest.fixture(scope="module")
def world(tmp_path_factory, postgres_url):
    app = module_app(tmp_path_factory.mktemp("export"), postgres_url)
    try:
        yield privacy_world.build(app)
    finally:
        dispose_app(app)


@pytest.fixture(scope="module")
def reply(world):
    return world.zoe.client.get("/me/export.json")


@pytest.fixture(scope="module")
def data(reply):
    return json.loads(reply.data)


def test_a_download_of_json_never_cached(reply):
    assert reply.status_code == 200
    assert reply.mimetype == "application/json"
    today = datetime.now(UTC).date().isoformat()
    assert reply.headers["Content-Disposition"] == f'attachment; filename="meute-{today}.json"'
    assert reply.headers["Cache-Control"] == "no-store"


def test_anonymous_visitors_are_sent_to_sign_in(world):
    reply = browser(world.app).get("/me/export.json")
    assert reply.status_code == 302
    assert "/auth/login?next=" in reply.headers["Location"]


def test_linked_from_my_pages(world):
    for path in ("/me", "/me/profile", "/privacy"):
        assert 'href="/me/export.json"' in world.zoe.client.get(path).text, path


def test_the_account_and_profile(world, data):
    assert data["account"] == {
        "id": world.zoe.id,
        "email": EMAIL,
        "display_name": NAME,
        "language": "fr",
        "created_at": data["account"]["created_at"],
        "is_admin": False,
        "suspended_at": None,
    }
    assert datetime.fromisoformat(data["account"]["created_at"]).tzinfo is not None
    profile = data["profile"]
    assert profile["trade"] == TRADE and profile["links"] == [LINK]
    assert profile["visibility"] == "public" and profile["suggestions"] is True
    assert profile["offers"] == "Des textes filés main"


def test_my_answers_with_where_i_stand(world, data):
    by_title = {r["gathering"]["title"]: r for r in data["rsvps"]}
    assert by_title["Relecture croisée"]["response"] == "going"
    assert by_title["Relecture croisée"]["is_waitlisted"] is False
    waiting = by_title["SEO du soir"]
    assert waiting["is_waitlisted"] is True and waiting["place_in_line"] == 1
    assert by_title["Code et café"]["response"] == "maybe"
    assert "Apéro passé" in by_title
    for rsvp in data["rsvps"]:
        assert datetime.fromisoformat(rsvp["responded_at"])
        assert rsvp["changes"] >= 0
    gathering = by_title["Relecture croisée"]["gathering"]
    assert gathering["url"].endswith(f"/events/{world.gatherings['alices']}")
    assert gathering["timezone"] == "Europe/Paris" and gathering["city"] == "Lyon"
    # Local time with its offset, as the API gives it.
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT19:00:00\+0[12]:00", gathering["starts_at"])


def test_what_i_organise_and_my_series(world, data):
    titles = [g["title"] for g in data["organising"]]
    assert {"Atelier fil rouge", "Plumes du jeudi", "Café hebdo", "Souvenir d’atelier"} <= set(
        titles
    )
    pack = next(g for g in data["organising"] if g["title"] == "Plumes du jeudi")
    assert pack["pack"] == "plumes-de-lyon"
    (series,) = data["series"]
    assert series["title"] == "Café hebdo" and series["frequency"] == "weekly"
    assert series["stopped_at"] is None


def test_my_packs(data):
    packs = {p["slug"]: p for p in data["packs"]}
    assert packs["plumes-de-lyon"]["role"] == "organiser"
    assert packs["correcteurs-de-lyon"]["role"] == "member"
    pending = packs["club-ferme"]
    assert pending["status"] == "pending" and pending["joined_at"] is None
    assert pending["join_answer"] == "Pour filer des textes"


def test_settings_contacts_and_marks(world, data):
    assert data["notification_settings"] == {
        "reminders": True,
        "pack_news": "instant",
        "city_news": "off",
        "join_requests": True,
    }
    (contact,) = data["contacts"]
    assert contact["display_name"] == "Alice Admin"
    assert contact["met_at"] == [{"id": world.gatherings["past_alices"], "title": "Apéro passé"}]
    assert sorted(m["person"] for m in data["met_marks"]) == ["Alice Admin", "Bob Brun"]


def test_reports_i_filed_only(world, data):
    reasons = sorted(r["reason"] for r in data["reports"])
    assert reasons == ["Du spam", "Un faux profil"]  # not the report about me
    on_gathering = next(r for r in data["reports"] if r["reason"] == "Du spam")
    assert on_gathering["target"] == {
        "gathering": world.gatherings["bobs"],
        "title": "SEO du soir",
    }
    assert on_gathering["outcome"] is None


def test_my_mails(data):
    kinds = [m["kind"] for m in data["mails"]]
    assert "reset" in kinds and "waitlisted" in kinds and "seat" in kinds
    assert all(m["sent_at"] is None for m in data["mails"])


def test_never_a_secret_nor_anyone_elses_address(world, reply):
    text = reply.data.decode()
    with world.app.app_context():
        me = db.session.get(User, world.zoe.id)
        secrets = [me.password_hash, me.session_token, me.feed_token]
        others = list(db.session.scalars(db.select(User.email).where(User.id != me.id)))
    for secret in secrets:
        assert secret not in text
    assert "/feeds/" not in text
    for address in others:
        assert address not in text
    assert not re.search(r"password|token", text, re.IGNORECASE)


def test_everyone_exports_their_own_only(world):
    bob = world.others["bob"]
    data = json.loads(bob.client.get("/me/export.json").data)
    assert data["account"]["email"] == "bob@example.org"
    assert EMAIL not in json.dumps(data)
