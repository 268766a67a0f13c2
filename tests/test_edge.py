"""What the edge refuses: control characters, tags no tag can match, dates beyond five years.

Each case here answered 500 on PostgreSQL (or was stored on SQLite and then sent as raw NUL
bytes in pages) before meetups/edge.py; tests/test_edge_properties.py tries arbitrary text.
"""

import importlib
import pkgutil
import re
from datetime import timedelta

import pytest
from flask_wtf import FlaskForm

from meetups.extensions import db
from meetups.forms import SiteForm
from meetups.gatherings.models import Gathering
from tests.conftest import form_data, future_local

REFUSED = "This contains invisible control characters"


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def member(create_user, login):
    user = create_user(display_name="Camille")
    login(user)
    return user


def gatherings_count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Gathering.id)))


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/cities/ly%00on", 404),
        ("/cities/lyon?tag=a%00", 400),
        ("/cities/lyon/calendar.ics?tag=%00", 400),
        ("/api/v1/events?city=ly%00on", 400),
        ("/api/v1/events?tag=%00", 400),
        ("/feeds/abc%00def.ics", 404),
        ("/events/1%00", 404),
        ("/cities?q=%1Fparis", 400),
        ("/auth/login?next=/me%7F", 400),
    ],
)
def test_a_control_character_in_a_url_names_nothing(client, create_gathering, url, status):
    create_gathering()
    response = client.get(url)
    assert response.status_code == status
    assert b"\x00" not in response.data
    if url.startswith("/api/"):
        assert response.json == {"error": "The address contains a control character."}


def test_tab_and_line_breaks_in_a_query_are_text_not_controls(client, create_gathering):
    create_gathering(tags="seo")
    assert client.get("/cities/lyon?tag=seo%09").status_code == 200
    assert client.get("/api/v1/events?tag=%0Aseo").json["events"]


@pytest.mark.parametrize("field", ["title", "description", "venue_name", "venue_address", "tags"])
def test_a_proposal_with_a_control_character_is_refused_beside_its_field(
    app, client, member, field
):
    data = form_data()
    data[field] = data[field][:3] + "\x00\x1b" + data[field][3:]
    response = client.post("/events/new", data=data)
    assert response.status_code == 200
    assert REFUSED in response.text
    # Shown again as typed, less what cannot be shown: nothing to retype, no raw NUL sent.
    assert b"\x00" not in response.data and b"\x1b" not in response.data
    assert form_data()[field][:12] in response.text
    assert gatherings_count(app) == 0


@pytest.mark.parametrize("field", ["display_name", "trade", "password", "email", "city"])
def test_signing_up_with_a_control_character_makes_no_account(client, field):
    data = {
        "email": "sam@example.org",
        "display_name": "Sam",
        "password": "correct horse battery",
        "trade": "proofreader",
        "city": "Lyon",
    }
    data[field] = data[field][:2] + "\x00" + data[field][2:]
    response = client.post("/auth/register", data=data)
    assert response.status_code == 200
    assert REFUSED in response.text
    assert client.get("/me").status_code == 302  # not signed in: no account was made


def test_signing_in_and_the_profile_refuse_control_characters(client, create_user, login):
    user = create_user(display_name="Camille")
    response = client.post("/auth/login", data={"email": user.email + "\x00", "password": "x"})
    assert response.status_code == 200 and REFUSED in response.text
    login(user)
    response = client.post("/me/profile", data={"display_name": "Cam\x00ille", "trade": ""})
    assert response.status_code == 200 and REFUSED in response.text
    assert 'value="Camille"' in client.get("/me/profile").text


def test_a_feed_token_with_a_control_character_is_404(client, member):
    token_url = re.search(r"/feeds/[\w-]+\.ics", client.get("/me").text).group()
    assert client.get(token_url).status_code == 200
    assert client.get(token_url.replace(".ics", "%00.ics")).status_code == 404


@pytest.mark.parametrize("where", ["/cities/lyon", "/cities/lyon/calendar.ics", "/api/v1/events"])
def test_a_tag_longer_than_any_tag_is_400(client, create_gathering, where):
    create_gathering(tags="seo")
    response = client.get(where, query_string={"tag": "a" * 3900})
    assert response.status_code == 400
    assert client.get(where, query_string={"tag": "a" * 40}).status_code == 200


def test_a_start_in_year_9999_is_a_field_error(app, client, member):
    data = form_data(city="Montréal", starts_at="9999-12-31T23:00", ends_at="9999-12-31T23:30")
    response = client.post("/events/new", data=data)
    assert response.status_code == 200
    assert "Pick a date within the next 5 years." in response.text
    assert gatherings_count(app) == 0


def test_a_gathering_starts_within_five_years(app, client, member):
    too_far = future_local(days=5 * 365 + 3)
    response = client.post("/events/new", data=form_data(start=too_far))
    assert "Pick a date within the next 5 years." in response.text
    near_the_limit = future_local(days=5 * 365 - 3)
    response = client.post("/events/new", data=form_data(start=near_the_limit))
    assert response.status_code == 303
    ends = near_the_limit + timedelta(days=6)  # the end may pass the limit, the start may not
    later = {"ends_at": ends.strftime("%Y-%m-%dT%H:%M"), "title": "Later"}
    response = client.post("/events/new", data=form_data(start=near_the_limit, **later))
    assert response.status_code == 303


def test_a_start_before_the_calendar_begins_is_a_field_error(app, client, member):
    data = form_data(city="Tokyo", starts_at="0001-01-01T00:00", ends_at="0001-01-01T01:00")
    response = client.post("/events/new", data=data)
    assert response.status_code == 200
    assert gatherings_count(app) == 0


def test_every_posted_form_takes_the_edge_rule(app):
    import meetups

    for module in pkgutil.walk_packages(meetups.__path__, "meetups."):
        if module.name.endswith(".forms"):  # so that every form class exists
            importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    forms = {cls for cls in subclasses(FlaskForm) if cls.__module__.startswith("meetups.")}
    assert forms and all(issubclass(cls, SiteForm) for cls in forms)


@pytest.mark.parametrize(
    "query",
    [
        "from=0001-01-01",
        "to=0001-01-01T00:00:00%2B14:00",
        "from=9999-12-31T23:59:59-12:00",
        "to=9999-12-31",
        "from=1899-12-31T23:59:59Z",
    ],
)
def test_the_api_reads_dates_from_1900_to_9000(client, create_gathering, query):
    create_gathering()
    response = client.get(f"/api/v1/events?{query}")
    assert response.status_code == 400
    assert "from 1900 to 9000" in response.json["error"]
    assert client.get("/api/v1/events?from=1900-01-01&to=8999-12-31").json["events"]


MARKUP = '<b id="injected">x</b>'


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/events/new", form_data()),
        ("/auth/register", {"email": "sam@example.org", "display_name": "Sam", "city": "Lyon"}),
        ("/me/profile", {"display_name": "Sam", "trade": "", "city": "Lyon"}),
        ("/auth/login", {"email": "sam@example.org", "password": "x"}),
    ],
)
def test_markup_typed_into_any_field_comes_back_escaped(client, member, path, fields):
    """Typed text is shown again, and named in errors ("We don't know a city called …"), as
    text: a message that carries it must not be a lazy string, which Jinja trusts as HTML."""
    if path.startswith("/auth/"):
        client.post("/auth/logout")
    for name in fields:
        response = client.post(path, data={**fields, name: MARKUP})
        assert response.status_code in (200, 303), (name, response.status_code)
        assert 'id="injected"' not in response.text, name
