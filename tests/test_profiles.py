"""Profiles: who may open /people/<id>, what /me/profile accepts, and names linking to profiles."""

import re

import pytest
from werkzeug.datastructures import MultiDict

from meetups.accounts.models import User
from meetups.extensions import db
from meetups.gatherings.models import Gathering
from meetups.gatherings.services import cancel
from tests.conftest import PASSWORD, text_of

NEW_PASSWORD = "a quite new passphrase"


def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def signed_in(app, create_user):
    """signed_in(user=None, **create_user args) -> (a client signed in as them, the user)."""

    def sign_in(user=None, **fields):
        user = user or create_user(**fields)
        client = english(app.test_client())
        reply = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
        assert reply.status_code == 302, reply.text
        return client, user

    return sign_in


def profile(**fields) -> dict:
    """A valid /me/profile form, as a browser posts it (links left out unless given)."""
    return {"display_name": "Camille D.", "trade": "web writer", "visibility": "members", **fields}


def save(client, data, expect=303):
    reply = client.post("/me/profile", data=data)
    assert reply.status_code == expect, reply.text
    return reply


def stored(app, user_id) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def error_of(html: str, field: str) -> str:
    """The text of the error shown beside a field ('' when none)."""
    marker = f'id="{field}-error">'
    if marker not in html:
        return ""
    return text_of(html.split(marker, 1)[1].split("</p>", 1)[0])


# Who may open a profile ---------------------------------------------------------------------------


def test_a_hidden_profile_is_404_for_everyone_but_its_owner(app, signed_in):
    owner, user = signed_in()
    save(owner, profile(visibility="hidden"))
    other, _ = signed_in()
    assert app.test_client().get(f"/people/{user.id}").status_code == 404
    assert other.get(f"/people/{user.id}").status_code == 404
    page = owner.get(f"/people/{user.id}")
    assert page.status_code == 200
    assert 'id="hidden-notice"' in page.text


def test_a_members_profile_is_404_for_visitors_and_private_for_members(app, signed_in):
    owner, user = signed_in()
    other, _ = signed_in()
    assert app.test_client().get(f"/people/{user.id}").status_code == 404
    page = other.get(f"/people/{user.id}")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private"
    assert "Edit my profile" not in page.text
    assert "Edit my profile" in owner.get(f"/people/{user.id}").text


def test_a_public_profile_opens_for_visitors_and_may_be_cached(app, signed_in):
    owner, user = signed_in()
    save(owner, profile(visibility="public"))
    page = english(app.test_client()).get(f"/people/{user.id}")
    assert page.status_code == 200
    assert "Camille D." in page.text
    assert "private" not in page.headers.get("Cache-Control", "")
    assert app.test_client().get("/people/999999").status_code == 404


def test_no_email_address_on_a_profile_page(app, signed_in):
    owner, user = signed_in(email="camille.secret@example.org")
    save(owner, profile(visibility="public", offers="Relecture", links="https://example.net"))
    for client in (owner, app.test_client(), signed_in()[0]):
        page = client.get(f"/people/{user.id}").text
        assert "camille.secret" not in page
        assert "example.org" not in page


# Links ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JavaScript://example.org/%0Aalert(1)",
        "data:text/html,<b>x</b>",
        "ftp://example.org/file",
        "www.malt.fr/profile/camille",
        "https://",
        "http://[::1",
        "https://example.org/" + "x" * 500,
    ],
)
def test_a_link_that_is_not_a_web_address_is_refused(app, signed_in, link):
    client, user = signed_in()
    save(client, profile(links="https://example.net/me"))
    reply = save(client, profile(links=link, offers="changed"), expect=200)
    assert error_of(reply.text, "links")
    assert reply.text.count('name="links"') == 3
    assert stored(app, user.id).links == ["https://example.net/me"]
    assert stored(app, user.id).offers == ""  # nothing of the form saved


def test_more_than_three_links_are_refused_and_kept_as_typed(app, signed_in):
    client, user = signed_in()
    typed = [f"https://example.org/{n}" for n in range(4)]
    reply = save(client, MultiDict([*profile().items(), *(("links", u) for u in typed)]), 200)
    assert "At most 3 links" in error_of(reply.text, "links")
    assert all(f'value="{u}"' in reply.text for u in typed)
    assert stored(app, user.id).links == []


def test_links_posted_repeated_by_a_script_are_saved_blanks_ignored(app, signed_in):
    client, user = signed_in()
    links = ["https://www.malt.fr/profile/camille", " ", "https://fr.linkedin.com/in/camille"]
    save(client, MultiDict([*profile().items(), *(("links", u) for u in links)]))
    assert stored(app, user.id).links == [links[0], links[2]]
    page = client.get("/me/profile").text
    assert page.count('name="links"') == 3
    assert f'value="{links[0]}"' in page


def test_links_not_posted_at_all_stay_as_saved(app, signed_in):
    client, user = signed_in()
    save(client, profile(links="https://example.net/me"))
    save(client, profile(offers="Relecture"))  # a script that knows nothing of links
    assert stored(app, user.id).links == ["https://example.net/me"]
    save(client, MultiDict([*profile().items(), ("links", ""), ("links", "")]))
    assert stored(app, user.id).links == []


def test_links_show_a_readable_label_with_rel_nofollow_ugc_and_markup_escaped(app, signed_in):
    client, user = signed_in()
    links = ["https://www.malt.fr/p/c", "https://linkedin.com/in/c", 'https://ex.org/"><b>x</b>']
    offers = '<b id="injected">beaucoup</b>'
    save(client, MultiDict([*profile(offers=offers).items(), *(("links", u) for u in links)]))
    page = client.get(f"/people/{user.id}").text
    assert page.count('rel="nofollow ugc"') == 3
    assert ">Malt</a>" in page and ">LinkedIn</a>" in page and ">ex.org</a>" in page
    assert "<b>" not in page and 'id="injected"' not in page
    assert "&lt;b id=&#34;injected&#34;&gt;beaucoup" in page


# Suggestions, language --------------------------------------------------------------------------


def suggestions_box(client) -> str:
    return re.search(r'<input[^>]*id="suggestions"[^>]*>', client.get("/me/profile").text)[0]


def test_suggestions_need_a_profile_others_can_see(app, signed_in):
    client, user = signed_in()
    assert "checked" not in suggestions_box(client)  # off by default
    reply = save(client, profile(visibility="hidden", suggestions="y"), expect=200)
    assert "hidden profile" in error_of(reply.text, "suggestions")
    assert not stored(app, user.id).wants_suggestions
    save(client, profile(suggestions="y"))
    assert stored(app, user.id).wants_suggestions
    assert "checked" in suggestions_box(client)


def test_the_profile_language_applies_at_once_and_in_new_sessions(app, signed_in):
    client, user = signed_in()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    assert "Mon profil" in client.get("/me/profile").text
    save(client, profile(language="en"))
    assert stored(app, user.id).language == "en"
    assert "My profile" in client.get("/me/profile").text
    fresh, _ = signed_in(user)  # another browser, which asks for French
    fresh.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    assert "My profile" in fresh.get("/me/profile").text
    save(client, profile(language=""))  # the browser decides again
    assert stored(app, user.id).language is None
    assert "Mon profil" in client.get("/me/profile").text


def test_saving_a_profile_without_a_language_keeps_the_language_switched_to(signed_in):
    client, _ = signed_in()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    client.post("/lang/en")
    save(client, profile())
    assert "My profile" in client.get("/me/profile").text


def test_an_unknown_language_is_refused(app, signed_in):
    client, user = signed_in()
    reply = save(client, profile(language="de"), expect=200)
    assert error_of(reply.text, "language")
    assert stored(app, user.id).language is None


# Password ----------------------------------------------------------------------------------


def test_changing_the_password_signs_out_other_sessions_but_not_this_one(app, signed_in):
    client, user = signed_in()
    other, _ = signed_in(user)
    save(client, profile(current_password=PASSWORD, new_password=NEW_PASSWORD))
    assert client.get("/me/profile").status_code == 200
    assert other.get("/me/profile").status_code == 302
    again = app.test_client()
    assert (
        again.post("/auth/login", data={"email": user.email, "password": PASSWORD}).status_code
        == 200
    )
    assert (
        again.post("/auth/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code
        == 302
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"current_password": "not my password", "new_password": NEW_PASSWORD}, "current_password"),
        ({"current_password": "", "new_password": NEW_PASSWORD}, "current_password"),
        ({"current_password": PASSWORD, "new_password": ""}, "new_password"),
        ({"current_password": PASSWORD, "new_password": "short"}, "new_password"),
    ],
)
def test_a_password_change_that_does_not_check_out_changes_nothing(app, signed_in, fields, field):
    client, user = signed_in()
    other, _ = signed_in(user)
    reply = save(client, profile(**fields), expect=200)
    assert error_of(reply.text, field)
    assert stored(app, user.id).check_password(PASSWORD)
    assert other.get("/me/profile").status_code == 200


# Names link to profiles, and profiles list gatherings ----------------------------------------------


def test_names_link_to_profiles_for_those_who_may_open_them(app, signed_in, create_gathering):
    client, organiser = signed_in()
    gathering = create_gathering(organiser)
    href = f'href="/people/{organiser.id}"'
    viewer, _ = signed_in()
    assert href in viewer.get(f"/events/{gathering.id}").text
    assert href not in app.test_client().get(f"/events/{gathering.id}").text  # members only
    save(client, profile(visibility="public"))
    assert href in app.test_client().get(f"/events/{gathering.id}").text
    assert f'href="/people/{organiser.id}"' in client.get("/me").text


def test_a_profile_lists_the_upcoming_gatherings_its_person_holds_a_seat_at(
    app, signed_in, create_gathering
):
    client, person = signed_in()
    assert "No upcoming gathering" in client.get(f"/people/{person.id}").text
    going = create_gathering(title="Apéro des rédacteurs")
    called_off = create_gathering(title="Atelier annulé")
    full = create_gathering(title="Petit déjeuner complet", capacity="1")
    for gathering in (going, called_off, full):
        assert (
            client.post(f"/events/{gathering.id}/rsvp", data={"response": "going"}).status_code
            == 303
        )
    with app.app_context():
        cancel(db.session.get(Gathering, called_off.id))
        db.session.commit()
    page = text_of(client.get(f"/people/{person.id}").text)
    assert "Apéro des rédacteurs" in page
    assert "Atelier annulé" not in page
    assert "Petit déjeuner complet" not in page  # the organiser holds the only seat: waitlisted


def test_a_profile_page_reads_its_gatherings_in_one_query(
    app, signed_in, create_gathering, count_queries
):
    owner, person = signed_in()
    save(owner, profile(visibility="public", city="Lyon"))

    def going_to(title, city):
        gathering = create_gathering(title=title, city=city)
        reply = owner.post(f"/events/{gathering.id}/rsvp", data={"response": "going"})
        assert reply.status_code == 303

    going_to("Apéro à Lyon", "Lyon")
    few, _ = count_queries(f"/people/{person.id}")
    for n, city in enumerate(("Paris", "Nantes", "Lille")):
        going_to(f"Apéro {n}", city)
    many, page = count_queries(f"/people/{person.id}")
    assert many == few
    assert text_of(page.text).count("Apéro") == 4
    assert 'href="/cities/lyon"' in page.text
