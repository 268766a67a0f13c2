"""GET /events/<id>/duplicate: the proposal form filled from a gathering, dates empty."""

import pytest

from meetups.dates import local_to_utc
from meetups.packs.models import MemberStatus
from tests import test_pack_proposals
from tests.conftest import PASSWORD, form_data, future_local
from tests.test_gatherings import FormPage, event_id
from tests.test_pack_proposals import Select

create_pack = test_pack_proposals.create_pack  # the fixture, here too


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def me(create_user, login):
    user = create_user(display_name="Dominique")
    login(user)
    return user


FILLED = ("title", "description", "city", "venue_name", "venue_address", "starts_at", "ends_at")
FILLED += ("capacity", "tags")


def signed_in(app, user):
    """Another browser, signed in as user."""
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = browser.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.text
    return browser


def test_the_form_is_filled_and_its_dates_are_empty(client, me, create_gathering):
    original = create_gathering(description="On parle tarifs.\nhttps://example.org")
    response = client.get(f"/events/{original.id}/duplicate")
    assert response.status_code == 200
    page = FormPage(response.text)
    shown = {name: field.value for name, field in page.fields.items()}
    assert {name: shown[name] for name in FILLED} == {
        "title": "Apéro freelance",
        "description": "On parle tarifs.\nhttps://example.org",
        "city": "Lyon",
        "venue_name": "Café des Freelances",
        "venue_address": "12 rue de la République, 69002 Lyon",
        "starts_at": "",
        "ends_at": "",
        "capacity": "12",
        "tags": "rédaction, seo",
    }
    assert shown["idempotency_key"]  # a new key: posting it proposes once
    assert [form.get("action") for form in page.forms if "data-city-lookup" in form] == [
        "/events/new"
    ]
    assert "A copy of “Apéro freelance”: pick its new dates." in response.text


def test_posting_the_copy_proposes_a_new_gathering(
    app, client, me, create_gathering, get_gathering
):
    original = create_gathering()
    fields = FormPage(client.get(f"/events/{original.id}/duplicate").text).fields
    start = future_local(days=45, hour=18, minute=30)
    data = {name: field.value for name, field in fields.items()}
    data |= {"starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": f"{start:%Y-%m-%d}T21:00"}
    copy_id = event_id(client.post("/events/new", data=data))
    assert copy_id != original.id
    copy = get_gathering(copy_id)
    assert copy.starts_at == local_to_utc(start, "Europe/Paris")
    assert copy.ends_at == local_to_utc(start.replace(hour=21, minute=0), "Europe/Paris")
    assert (copy.title, copy.capacity, copy.venue.name) == (
        "Apéro freelance",
        12,
        "Café des Freelances",
    )
    assert sorted(tag.name for tag in copy.tags) == ["rédaction", "seo"]
    assert copy.organiser_id == me.id
    assert get_gathering(original.id).starts_at == original.starts_at  # untouched


def test_anonymous_visitors_are_sent_to_sign_in(client, create_gathering):
    gathering = create_gathering()
    response = client.get(f"/events/{gathering.id}/duplicate")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_unknown_ids_are_not_found(client, me):
    assert client.get("/events/999999/duplicate").status_code == 404


def test_html_in_a_title_is_escaped(client, me, create_gathering):
    gathering = create_gathering(title="<script>alert(1)</script> Apéro")
    response = client.get(f"/events/{gathering.id}/duplicate")
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Apéro" in response.text
    assert FormPage(response.text).fields["title"].value == "<script>alert(1)</script> Apéro"


def test_a_cancelled_gathering_may_be_duplicated_by_anyone_signed_in(
    app, client, create_user, login, create_gathering
):
    organiser = create_user()
    gathering = create_gathering(organiser=organiser)
    login(organiser)
    assert client.post(f"/events/{gathering.id}/cancel", data={"message": ""}).status_code == 303
    someone = signed_in(app, create_user())
    response = someone.get(f"/events/{gathering.id}/duplicate")
    assert response.status_code == 200
    assert FormPage(response.text).fields["title"].value == "Apéro freelance"


def test_the_pack_is_kept_only_for_its_active_members(app, client, me, create_user, create_pack):
    member, outsider = create_user(), create_user()
    create_pack("Atelier", [(me, MemberStatus.ACTIVE), (member, MemberStatus.ACTIVE)])
    create_pack("Tech Lyon", [(outsider, MemberStatus.ACTIVE)])
    gathering_id = event_id(client.post("/events/new", data=form_data(pack="atelier")))
    path = f"/events/{gathering_id}/duplicate"
    assert Select(signed_in(app, member).get(path).text).selected == "atelier"
    assert Select(signed_in(app, outsider).get(path).text).selected in (None, "")


def test_the_gathering_page_links_to_it_when_signed_in(app, client, create_user, create_gathering):
    gathering = create_gathering()
    link = f'href="/events/{gathering.id}/duplicate"'
    assert link not in client.get(f"/events/{gathering.id}").text
    page = signed_in(app, create_user()).get(f"/events/{gathering.id}").text
    assert f"{link}>Duplicate</a>" in page
    french = signed_in(app, create_user())
    french.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    assert f"{link}>Dupliquer</a>" in french.get(f"/events/{gathering.id}").text
