"""Arbitrary text at every edge, on SQLite and PostgreSQL (hypothesis).

Every query parameter and path segment of the pages, feeds and API, and every field of every
form, get arbitrary text: all of Unicode but surrogates, control characters included, mixed
with values known to hurt (NUL, "%00", far dates, 1e309, very long strings, markup, RTL marks).
Whatever is sent:

- nothing answers 5xx, and no body (HTML, JSON, iCalendar) carries a raw control character;
- a control character (C0 but tab, CR and LF; and DEL) is 400 in a query string, 404 in a
  path, and refused by a form (no redirect, nothing stored) (meetups.edge);
- a form that redirects stored what its rules make of the text, and pages show exactly that:
  stripped text, tags as Tag.normalise gives them, the city the gazetteer names, the number
  or the wall-clock time typed; a form that does not redirect changed nothing.

One app, database and set of people per module: function-scoped fixtures and @given don't mix,
and building an app per example would cost more than the examples.
"""

import itertools
import operator
import os
import re
from base64 import urlsafe_b64encode
from dataclasses import dataclass
from datetime import datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from werkzeug.test import TestResponse

from meetups.accounts import services as accounts
from meetups.accounts.models import User
from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings.models import Gathering, Rsvp, Tag
from meetups.places import gazetteer
from meetups.places.models import City, Venue
from tests.conftest import PASSWORD, dispose_app, form_data, future_local, module_app

settings.register_profile(
    "edge",
    deadline=None,  # a request on a busy CI machine may take a while
    database=None,  # no .hypothesis folder
    derandomize=bool(os.environ.get("CI")),  # the same examples on every CI run
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
EDGE = settings.get_profile("edge")


def examples(count: int) -> settings:
    return settings(EDGE, max_examples=count)


# What the edge rule refuses, as the contract states it (INTERFACE.md, "Always"; meetups.edge).
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
RAW_CONTROLS = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ACCEPTED = (302, 303)


def has_controls(text: str) -> bool:
    return CONTROLS.search(text) is not None


# Texts ------------------------------------------------------------------------------------

YEAR = utcnow().year + 1


def _last_sunday(month: int) -> datetime:
    day = datetime(YEAR, month, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


# Lyon's clocks: 02:30 does not exist on the last Sunday of March, and happens twice in October.
DST_GAP = (_last_sunday(3) + timedelta(hours=2, minutes=30)).strftime("%Y-%m-%dT%H:%M")
DST_TWICE = (_last_sunday(10) + timedelta(hours=2, minutes=30)).strftime("%Y-%m-%dT%H:%M")
# When the valid base form's gathering starts (form_data's default) and ends, as typed.
START = future_local()
END = START + timedelta(hours=2)

NASTY = (
    "",
    "\x00",
    "a\x00b",
    "Apéro\x00freelance",
    "\x00" * 3,
    "\x7f",
    "\x1b[31m",
    "\x08",
    "\x0c",
    "%00",
    "%",
    "%zz",
    "+",
    "&",
    "=",
    "#",
    "?",
    "/",
    "..",
    "\\",
    "\t",
    "\r\n",
    "\n",
    " ",
    "   ",
    "\u00a0",
    "\u3000",
    "\u2028",
    "\u0085",
    "\u200b",
    "\ufeff",
    "\u202e",
    "\u200f",
    "\u061c",
    "1e309",
    "-1e309",
    "nan",
    "inf",
    "-1",
    "0",
    "1",
    "2147483648",
    "9" * 30,
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "9999-12-31",
    "0001-01-01",
    DST_GAP,
    DST_TWICE,
    "<script>alert(1)</script>",
    '"',
    "'",
    "\"'><img src=x>",
    "&amp;",
    "&#0;",
    "{{ 7*7 }}",
    "null",
    "👩🏽\u200d💻",
    "🇫🇷",
    "مرحبا",
    "שלום",
    "İ",
    "ß",
    "Σ",
    "ǅ",
    "\ufdfa",
    "e\u0301",
)
# Long strings, cheaply: one character repeated up to 5,000 times.
LONG = st.builds(
    operator.mul,
    st.sampled_from(("a", "é", " ", ",", "%", "\x00", "İ", "\ufdfa", "💩")),
    st.integers(0, 5000),
)
CHARACTERS = st.characters(exclude_categories=("Cs",))  # control characters included
texts = st.one_of(
    st.text(CHARACTERS),
    st.sampled_from(NASTY),
    LONG,
    st.lists(
        st.one_of(st.text(CHARACTERS, max_size=8), st.sampled_from(NASTY)), min_size=2, max_size=5
    ).map("".join),
)


def local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def _cursor(raw: str) -> str:
    return urlsafe_b64encode(raw.encode()).decode().rstrip("=")


# Values near each field's rules, so that acceptance is tried too, not only refusals.
PLAUSIBLE = {
    "title": ("  Apéro   freelance ", "ab", "abc", "x" * 140, "x" * 141, "<b>Apéro</b> & “co”"),
    "description": ("Line one\r\nLine two https://example.org", "x" * 10_000, "x" * 10_001),
    "city": ("lyon", "  Saint-Étienne ", "Montréal", "Paris", "st etienne", "Nowhere-sur-Mer"),
    "venue_name": ("  Le Café  ", "x" * 200, "x" * 201),
    "venue_address": ("3 place Bellecour, Lyon", "x" * 300, "x" * 301),
    "starts_at": (
        local(START - timedelta(hours=1)),
        local(START) + ":30",
        f" {local(START)} ",
        local(END),
        local(START)[:-5],
    ),
    "ends_at": (
        local(END + timedelta(hours=1)),
        local(START + timedelta(days=7)),
        local(START + timedelta(days=7, minutes=1)),
        local(START),
    ),
    "capacity": ("1", "100000", "100001", "12.5", "１２", "1_000", " 3 ", "9" * 5000),
    "tags": (
        "SEO,  Rédaction , seo",
        ",,,",
        "a" * 40,
        "a" * 41,
        ",".join(map(str, range(11))),
        "İstanbul, ΣΑΣ, STRASSE",
        "İ" * 20,
        "İ" * 21,
    ),
    "display_name": ("  Camille D.  ", "C", "Ca", "x" * 80, "x" * 81, "Zoë 👩🏽\u200d💻"),
    "trade": ("proofreader", "x" * 80, "x" * 81, "  "),
    "password": ("correct horse battery", " spaced out passphrase ", "x" * 200, "x" * 201),
    "visibility": ("public", "members", "hidden", "Hidden", " public", "everyone"),
    "latitude": ("45.76", "45,76", "٤٥.٧٦", "45.76e0", "90", "-91"),
    "longitude": ("4.84", "4,84", "4.9", "180.1"),
    "response": ("going", "maybe", "no", "Going", "going ", "yes"),
    "q": ("Lyon", "  saint-étienne ", "x" * 201),
    "tag": ("seo", " SEO ", "Rédaction", "a" * 40, "a" * 41, "İ" * 20, "İ" * 21),
    "within": ("10", "0.1", "0.09", "200", "200.1", "4,5"),
    "page": ("1", "2", "10000", "10001", "١"),
    "lang": ("fr", "en", "de", "FR"),
    "next": ("/me", "//evil.example", "https://evil.example/", "/\\evil", "javascript:alert(1)"),
    "city_slug": ("lyon", "paris", "LYON"),
    "from": ("2027-03-28", "2027-03-28T19:00:00+02:00", "9999-12-31T23:59:59-23:59"),
    "to": ("2027-03-28", "9999-12-31", "0001-01-01T00:00:00+01:00"),
    "near": ("45.76,4.84", "90,180", "91,0", "nan,0", "45.76", "45.76,4.84,1"),
    "limit": ("1", "500", "501", "١"),
    "cursor": (
        _cursor("2027-03-28T17:00:00+00:00|1"),
        _cursor("2027-03-28T17:00:00+00:00|2147483648"),
        _cursor("9999-12-31T23:59:59-23:59|1"),
        _cursor("0001-01-01T00:00:00+01:00|1"),
        _cursor("2027-03-28T17:00:00|1"),
        "=",
    ),
}


def proposal(**fields) -> dict:
    """A valid proposal form (conftest's), starting at START, with these fields instead."""
    return form_data(start=START, **fields)


def text_for(name: str, plausible: tuple[str, ...] = ()):
    """Arbitrary text half the time, a value near the rules of `name` the other half."""
    near = plausible or PLAUSIBLE.get(name)
    if not near:
        return texts
    # Not st.one_of(texts, ...): it would flatten texts' own four branches and weigh them as five.
    return st.booleans().flatmap(lambda close: st.sampled_from(near) if close else texts)


# The site -----------------------------------------------------------------------------------


@dataclass
class Site:
    app: Flask
    slug: str
    main_id: int  # organiser's; edited, placed, answered
    doomed_id: int  # cancelled by the admin
    organiser: FlaskClient
    member: FlaskClient  # answers the main gathering
    admin: FlaskClient
    profiled: FlaskClient  # edits its profile, rotates its feed
    login_email: str
    member_id: int
    profiled_id: int

    def read(self, query):
        with self.app.app_context():
            return query()

    def client(self) -> FlaskClient:
        return self.app.test_client()


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    response = client.post("/auth/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.text


@pytest.fixture(scope="module")
def site(tmp_path_factory, postgres_url):
    app = module_app(tmp_path_factory.mktemp("edge"), postgres_url)
    try:
        yield _people_and_gatherings(app)
    finally:
        dispose_app(app)


def _people_and_gatherings(app: Flask) -> Site:
    """Five accounts (four signed in, one admin), and two gatherings of the organiser's."""
    with app.app_context():
        people = {}
        for name in ("organiser", "member", "admin", "profiled", "login"):
            people[name] = accounts.register(
                f"{name}@example.org", PASSWORD, name.title(), "web writer"
            )
        people["admin"].is_admin = True
        db.session.commit()
        ids = {name: user.id for name, user in people.items()}
    clients = {}
    for name in ("organiser", "member", "admin", "profiled"):
        clients[name] = app.test_client()
        sign_in(clients[name], f"{name}@example.org")
    main = clients["organiser"].post("/events/new", data=proposal())
    doomed = clients["organiser"].post("/events/new", data=proposal(title="Doomed"))
    main_id, doomed_id = (int(r.headers["Location"].rsplit("/", 1)[1]) for r in (main, doomed))
    answer = clients["member"].post(f"/events/{main_id}/rsvp", data={"response": "going"})
    assert answer.status_code == 303
    with app.app_context():
        slug = db.session.get(Gathering, main_id).city.slug
    return Site(
        app=app,
        slug=slug,
        main_id=main_id,
        doomed_id=doomed_id,
        login_email="login@example.org",
        member_id=ids["member"],
        profiled_id=ids["profiled"],
        **clients,
    )


# What every answer must be --------------------------------------------------------------------


def sane(response: TestResponse, what: str) -> TestResponse:
    """No 5xx, no raw control character in the body or a redirect, JSON errors under /api/."""
    assert response.status_code < 500, (what, response.status_code)
    assert not RAW_CONTROLS.search(response.data), (what, "raw control character in the body")
    assert not CONTROLS.search(response.headers.get("Location", "")), (what, "in Location")
    if response.request.path.startswith("/api/"):
        assert response.is_json, what
        body = response.json  # parses, or fails
        if response.status_code >= 400:
            assert "error" in body, what
    return response


class Inputs(HTMLParser):
    """A page's form inputs: name -> value as the browser shows it (textareas too), and checked."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self.checked: set[str] = set()
        self.chosen: dict[str, str] = {}  # radio buttons: the value checked
        self._textarea: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.values[attrs["name"]] = attrs.get("value") or ""
            if "checked" in attrs:
                self.checked.add(attrs["name"])
                if attrs.get("type") == "radio":
                    self.chosen[attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self.values[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def post(client: FlaskClient, path: str, data: dict, field: str) -> str | None:
    """Post a form whose `field` carries the drawn text; where it redirects, None if refused."""
    response = sane(client.post(path, data=data), f"POST {path} {field}={data[field]!r}")
    event(f"answered {response.status_code}")  # seen with --hypothesis-show-statistics
    if response.status_code not in ACCEPTED:
        return None
    assert not has_controls(data[field]), f"{field}: a control character was accepted"
    # The next page shows the message flashed (a session doesn't pile them up).
    sane(client.get(response.headers["Location"]), f"after POST {path}")
    return urlsplit(response.headers["Location"]).path


# Query strings and paths ------------------------------------------------------------------------

# Each page, feed and API endpoint with each of its parameters (None: the text is the name of an
# unknown parameter), and the parameters that go with it.
QUERIES = [
    ("/", None, {}),
    ("/cities", "q", {}),
    ("/cities/{slug}", "tag", {}),
    ("/cities/{slug}", "within", {}),
    ("/cities/{slug}", "page", {}),
    ("/cities/{slug}", "tag", {"within": "50", "page": "1"}),
    ("/cities/{slug}/calendar.ics", "tag", {}),
    ("/cities/{slug}/calendar.ics", "lang", {"tag": "seo"}),
    ("/events/{main}", None, {}),
    ("/events/{main}/calendar.ics", "lang", {}),
    ("/feeds/{token}.ics", "lang", {}),
    ("/api/v1/cities", None, {}),
    ("/api/v1/events", "city", {}),
    ("/api/v1/events", "tag", {}),
    ("/api/v1/events", "from", {}),
    ("/api/v1/events", "to", {"from": "2027-01-01"}),
    ("/api/v1/events", "near", {"within": "10"}),
    ("/api/v1/events", "within", {"near": "45.76,4.84"}),
    ("/api/v1/events", "limit", {}),
    ("/api/v1/events", "cursor", {}),
    ("/api/v1/events/{main}", None, {}),
    ("/auth/login", "next", {}),
]
PLAUSIBLE_FOR = {"city": "city_slug"}


def fill(site: Site, template: str) -> str:
    token = site.read(lambda: db.session.get(User, site.member_id).feed_token)
    return template.format(slug=site.slug, main=site.main_id, token=token)


@pytest.mark.parametrize(
    ("template", "name", "others"),
    QUERIES,
    ids=[f"{t}?{n or '<name>'}{''.join(f'&{k}' for k in o)}" for t, n, o in QUERIES],
)
@examples(10)
@given(data=st.data())
def test_query_parameters(site, template, name, others, data):
    text = data.draw(text_for(PLAUSIBLE_FOR.get(name, name or "")), label="text")
    path = fill(site, template)
    query = {**others, name: text} if name else {**others, text: "1"}
    response = sane(site.client().get(path, query_string=query), f"GET {path} {query!r}")
    event(f"answered {response.status_code}")
    if has_controls(text):
        assert response.status_code == 400, (path, query, response.status_code)


@examples(25)
@given(text=text_for("next"))
def test_next_when_signed_in_stays_on_the_site(site, text):
    """A signed-in person sent to /auth/login goes on to ?next=, if it is a path of this site."""
    response = sane(site.member.get("/auth/login", query_string={"next": text}), repr(text))
    if has_controls(text):
        assert response.status_code == 400
        return
    assert response.status_code == 302, response.status_code
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost"), response.headers["Location"]
    assert location.scheme in ("", "http"), response.headers["Location"]


PATHS = [
    "/cities/{}",
    "/cities/{}/calendar.ics",
    "/feeds/{}.ics",
    "/events/{}",
    "/events/{}/calendar.ics",
    "/events/{}/edit",
    "/api/v1/events/{}",
]


@pytest.mark.parametrize("template", PATHS)
@examples(15)
@given(text=text_for("segment", ("lyon", "1", "٣", "2147483648", "-1", "", "..")))
def test_path_segments(site, template, text):
    path = template.format(quote(text, safe=""))
    client = site.organiser if template.endswith("/edit") else site.client()
    response = sane(client.get(path), f"GET {path}")
    event(f"answered {response.status_code}")
    if has_controls(text):
        assert response.status_code == 404, (path, response.status_code)


# Forms ------------------------------------------------------------------------------------------

numbers = itertools.count(1)


def profile_page(client: FlaskClient) -> Inputs:
    page = sane(client.get("/me/profile"), "GET /me/profile")
    assert page.status_code == 200, page.status_code
    return Inputs(page.text)


def city_name(text: str) -> str:
    """What a city field shows once saved: the name of the city the gazetteer finds."""
    return gazetteer.lookup(text.strip()).name if text.strip() else ""


def assert_profile_shows(client: FlaskClient, data: dict) -> None:
    inputs = profile_page(client)
    assert inputs.values["display_name"] == data["display_name"].strip()
    assert inputs.values["trade"] == " ".join(data["trade"].split())  # spacing tidied
    assert inputs.values["city"] == city_name(data["city"])


def users(site: Site) -> int:
    return site.read(lambda: db.session.scalar(db.select(db.func.count()).select_from(User)))


REGISTER_FIELDS = ("email", "display_name", "password", "trade", "city")


@pytest.mark.parametrize("field", REGISTER_FIELDS)
@examples(10)
@given(data=st.data())
def test_register(site, field, data):
    n = next(numbers)
    # A new address each time, or it is taken (refused) the second time it is drawn.
    emails = (f" Émile.{n}@Example.ORG ", f"zoë{n}@exämple.org", f"edge{n}@localhost", "@")
    text = data.draw(text_for(field, emails if field == "email" else ()), label=field)
    form = {
        "email": f"edge{n}@example.org",
        "display_name": "Camille",
        "password": PASSWORD,
        "trade": "proofreader",
        "city": "Lyon",
        field: text,
    }
    client, before = site.client(), users(site)
    if post(client, "/auth/register", form, field):
        assert users(site) == before + 1
        assert_profile_shows(client, form)
        if field in ("email", "password"):  # stored so that what was typed signs in
            sign_in(site.client(), form["email"], form["password"])
    else:
        assert users(site) == before
        assert client.get("/me/profile").status_code == 302  # nobody signed in


@pytest.mark.parametrize("field", ("email", "password"))
@examples(10)
@given(data=st.data())
def test_login(site, field, data):
    email = site.login_email
    near = {
        "email": (f"  {email.upper()} ", email, email.title(), "x" * 255),
        "password": (PASSWORD, PASSWORD + " ", PASSWORD.upper(), "x" * 201),
    }
    text = data.draw(text_for(field, near[field]), label=field)
    form = {"email": site.login_email, "password": PASSWORD, field: text}
    client = site.client()
    if post(client, "/auth/login", form, field):
        assert profile_page(client).values["display_name"] == "Login"
    else:
        assert client.get("/me/profile").status_code == 302


def profile_row(site: Site) -> tuple:
    def read():
        user = db.session.get(User, site.profiled_id)
        return user.display_name, user.trade, user.home_city_id, user.visibility, user.feed_token

    return site.read(read)


@pytest.mark.parametrize("field", ("display_name", "trade", "city", "visibility"))
@examples(12)
@given(data=st.data())
def test_profile(site, field, data):
    text = data.draw(text_for(field), label=field)
    form = {"display_name": "Dominique", "trade": "proofreader", "city": "Lyon", field: text}
    before = profile_row(site)
    if post(site.profiled, "/me/profile", form, field):
        assert_profile_shows(site.profiled, form)
        if field == "visibility":  # one of the three choices, exactly, or refused
            assert profile_page(site.profiled).chosen["visibility"] == text
    else:
        assert profile_row(site) == before


GATHERING_FIELDS = (
    "title",
    "description",
    "city",
    "venue_name",
    "venue_address",
    "starts_at",
    "ends_at",
    "capacity",
    "tags",
)
TYPED = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")  # the datetime-local formats (INTERFACE.md)


def as_typed(text: str) -> datetime:
    for pattern in TYPED:
        try:
            return datetime.strptime(text.strip(), pattern)
        except ValueError:
            pass
    raise AssertionError(f"accepted a time in no datetime-local format: {text!r}")


def as_tags(text: str) -> list[str]:
    """Comma-separated, each as Tag.normalise stores it, blanks and repeats left out."""
    return sorted({Tag.normalise(part) for part in text.split(",")} - {""})


def assert_gathering_shows(site: Site, gathering_id: int, form: dict) -> None:
    """The API and the page show what the proposal form's rules make of what was sent."""
    client = site.client()
    event = sane(client.get(f"/api/v1/events/{gathering_id}"), "GET event").json
    capacity = form["capacity"].strip()
    assert event["title"] == form["title"].strip()
    assert event["description"] == form["description"].strip()
    assert event["venue"]["name"] == form["venue_name"].strip()
    assert event["venue"]["address"] == form["venue_address"].strip()
    assert event["city"]["name"] == city_name(form["city"])
    assert datetime.fromisoformat(event["starts_at"]).replace(tzinfo=None) == as_typed(
        form["starts_at"]
    )
    assert datetime.fromisoformat(event["ends_at"]).replace(tzinfo=None) == as_typed(
        form["ends_at"]
    )
    assert event["capacity"] == (int(capacity) if capacity else None)
    assert sorted(event["tags"]) == as_tags(form["tags"])
    page = sane(client.get(f"/events/{gathering_id}"), "GET page")
    assert page.status_code == 200
    for shown in ("title", "venue_name", "venue_address"):
        assert str(escape(form[shown].strip())) in page.text, shown
    for tag in event["tags"]:  # each tag, asked for as it is shown, finds the gathering
        found = client.get("/api/v1/events", query_string={"tag": tag, "limit": "500"})
        assert gathering_id in [e["id"] for e in sane(found, f"?tag={tag!r}").json["events"]], tag


def totals(site: Site) -> dict:
    def read():
        count = db.func.count()
        return {m.__name__: db.session.scalar(db.select(count).select_from(m)) for m in MODELS}

    return site.read(read)


MODELS = (Gathering, Venue, City, Tag, Rsvp)


@pytest.mark.parametrize("field", GATHERING_FIELDS)
@examples(12)
@given(data=st.data())
def test_propose(site, field, data):
    form = proposal(**{field: data.draw(text_for(field), label=field)})
    before = totals(site)
    if shown := post(site.organiser, "/events/new", form, field):
        assert_gathering_shows(site, int(shown.removeprefix("/events/")), form)
    else:
        assert totals(site) == before


def gathering_row(site: Site, gathering_id: int) -> tuple:
    def read():
        g = db.session.get(Gathering, gathering_id)
        return (
            g.title,
            g.description,
            g.city_id,
            g.venue_id,
            g.starts_at,
            g.ends_at,
            g.capacity,
            tuple(t.name for t in g.tags),
            g.sequence,
            g.status,
            g.venue.latitude,
            g.venue.longitude,
        )

    return site.read(read)


@pytest.mark.parametrize("field", GATHERING_FIELDS)
@examples(12)
@given(data=st.data())
def test_edit(site, field, data):
    form = proposal(**{field: data.draw(text_for(field), label=field)})
    before = gathering_row(site, site.main_id)
    if post(site.organiser, f"/events/{site.main_id}/edit", form, field):
        assert_gathering_shows(site, site.main_id, form)
    else:
        assert gathering_row(site, site.main_id) == before


@pytest.mark.parametrize("field", ("latitude", "longitude"))
@examples(12)
@given(data=st.data())
def test_location(site, field, data):
    form = {"latitude": "45.7578", "longitude": "4.8320", field: data.draw(text_for(field))}
    before = gathering_row(site, site.main_id)
    if post(site.organiser, f"/events/{site.main_id}/location", form, field):
        venue = site.client().get(f"/api/v1/events/{site.main_id}").json["venue"]
        for name in ("latitude", "longitude"):  # a decimal point or comma (INTERFACE.md)
            assert venue[name] == float(form[name].strip().replace(",", ".")), name
    else:
        assert gathering_row(site, site.main_id) == before


def answer(site: Site) -> tuple:
    def read():
        rsvp = db.session.scalar(
            db.select(Rsvp).filter_by(gathering_id=site.main_id, user_id=site.member_id)
        )
        return rsvp and (rsvp.response, rsvp.is_waitlisted, rsvp.sequence)

    return site.read(read)


@examples(20)
@given(text=text_for("response"))
def test_rsvp(site, text):
    before = answer(site)
    if post(site.member, f"/events/{site.main_id}/rsvp", {"response": text}, "response"):
        assert answer(site)[0] == text
    else:
        assert answer(site) == before


@pytest.mark.parametrize("who", ("admin", "profiled"))
@examples(8)
@given(text=texts)
def test_posts_without_fields(site, who, text):
    """Cancelling and rotating a feed read no field: one more (`scope`, `confirm`) changes nothing."""
    client = getattr(site, who)
    path, field = (
        (f"/events/{site.doomed_id}/cancel", "scope")
        if who == "admin"
        else ("/me/feed/rotate", "confirm")
    )
    response = sane(client.post(path, data={field: text}), f"POST {path} {text!r}")
    assert response.status_code == 303, response.status_code
    sane(client.get(response.headers["Location"]), f"after POST {path}")


CSRF_FORMS = (
    ("/auth/register", "site.client()"),
    ("/auth/login", "site.client()"),
    ("/me/profile", "site.profiled"),
    ("/events/new", "site.organiser"),
    ("/events/{main}/edit", "site.organiser"),
    ("/events/{main}/location", "site.organiser"),
    ("/events/{main}/rsvp", "site.member"),
    ("/events/{doomed}/cancel", "site.admin"),
    ("/me/feed/rotate", "site.profiled"),
)


@pytest.mark.parametrize(("template", "who"), CSRF_FORMS)
@examples(5)
@given(text=texts)
def test_csrf_token(site, template, who, text):
    """With CSRF on, any text in csrf_token is 400 and changes nothing (no token is guessed)."""
    path = template.format(main=site.main_id, doomed=site.doomed_id)
    client = site.client() if who == "site.client()" else getattr(site, who.split(".")[1])
    form = {
        **proposal(),
        "email": f"csrf{next(numbers)}@example.org",
        "display_name": "Camille",
        "password": PASSWORD,
        "latitude": "45.7578",
        "longitude": "4.8320",
        "response": "maybe",
        "csrf_token": text,
    }
    before = (users(site), totals(site), gathering_row(site, site.main_id), answer(site))
    before += (gathering_row(site, site.doomed_id), profile_row(site))
    site.app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = sane(client.post(path, data=form), f"POST {path} csrf_token={text!r}")
    finally:
        site.app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400, response.status_code
    after = (users(site), totals(site), gathering_row(site, site.main_id), answer(site))
    assert (*after, gathering_row(site, site.doomed_id), profile_row(site)) == before
