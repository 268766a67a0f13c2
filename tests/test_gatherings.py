"""Proposing, editing and cancelling gatherings, through HTTP as a signed-in person."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sqlalchemy.exc import IntegrityError

from meetups.dates import utc_to_local, utcnow
from meetups.extensions import db
from meetups.gatherings.models import Gathering, Rsvp, Tag
from meetups.places.models import City, Venue
from tests.conftest import assert_script_only_enhances, form_data, text_of

# A date in a year still to come (2027, or later when this suite outlives it).
YEAR = max(2027, utcnow().year + 1)
WINTER_EVENING = datetime(YEAR, 1, 14, 19, 0)  # Paris: UTC+1
SUMMER_EVENING = datetime(YEAR, 6, 17, 19, 0)  # Paris: UTC+2, Montréal: UTC-4


@pytest.fixture(autouse=True)
def english(client):
    """Ask for English pages, so text assertions hold once a French catalogue exists."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def organiser(create_user, login):
    """A signed-in person who proposes gatherings."""
    user = create_user(display_name="Camille", trade="proofreader")
    login(user)
    return user


# Reading pages and the database back.


@dataclass
class Field:
    value: str
    error: str | None = None
    error_id: str | None = None


class FormPage(HTMLParser):
    """The fields of a page: what each shows as typed, and the error shown in its `.field` div."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, Field] = {}
        self.forms: list[dict] = []
        self._depth = 0
        self._block: dict | None = None  # the `.field` div being read
        self._textarea: str | None = None
        self._in_error = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "div":
            self._depth += 1
            if "field" in classes:
                self._block = {"depth": self._depth, "names": [], "error": None, "error_id": None}
        elif tag == "form":
            self.forms.append(attrs)
        elif tag == "input" and attrs.get("name"):
            self._add(attrs["name"], attrs.get("value") or "")
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self._add(self._textarea, "")
        elif tag == "p" and "error" in classes and self._block is not None:
            self._in_error = True
            self._block["error"] = ""
            self._block["error_id"] = attrs.get("id")

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea].value += data
        if self._in_error:
            self._block["error"] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            # HTML drops one newline right after <textarea>; WTForms writes one.
            field = self.fields[self._textarea]
            field.value = field.value.removeprefix("\r\n").removeprefix("\n")
            self._textarea = None
        elif tag == "p":
            self._in_error = False
        elif tag == "div":
            if self._block is not None and self._block["depth"] == self._depth:
                for name in self._block["names"]:
                    self.fields[name].error = self._block["error"]
                    self.fields[name].error_id = self._block["error_id"]
                self._block = None
            self._depth -= 1

    def _add(self, name, value):
        self.fields[name] = Field(value)
        if self._block is not None:
            self._block["names"].append(name)


def event_id(response) -> int:
    """The id a successful proposal or edit redirected to."""
    assert response.status_code in (302, 303), response.text
    match = re.fullmatch(r"/events/(\d+)", urlsplit(response.headers["Location"]).path)
    assert match, response.headers["Location"]
    return int(match.group(1))


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def counts(app) -> dict:
    return {m.__name__: count(app, m) for m in (Gathering, Venue, City, Tag, Rsvp)}


def as_input(moment: datetime, zone: str = "Europe/Paris") -> str:
    return utc_to_local(moment, zone).strftime("%Y-%m-%dT%H:%M")


def seats_left(html: str) -> str:
    match = re.search(r'id="seats-left"[^>]*>(.*?)</', html, re.S)
    assert match, "no seats-left element"
    return text_of(match.group(1))


# Proposing.


@pytest.mark.parametrize(
    ("wall", "utc_start"),
    [
        (WINTER_EVENING, datetime(YEAR, 1, 14, 18, 0, tzinfo=UTC)),
        (SUMMER_EVENING, datetime(YEAR, 6, 17, 17, 0, tzinfo=UTC)),
    ],
)
def test_propose_in_lyon(app, client, organiser, get_gathering, wall, utc_start):
    response = client.post("/events/new", data=form_data(start=wall))
    gathering_id = event_id(response)

    page = client.get(f"/events/{gathering_id}", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert "Apéro freelance" in page.text
    assert "19:00" in page.text
    assert "Europe/Paris" in page.text

    gathering = get_gathering(gathering_id)
    assert gathering.starts_at == utc_start
    assert gathering.ends_at == utc_start + timedelta(hours=2)
    assert gathering.city.name == "Lyon"
    assert gathering.city.timezone == "Europe/Paris"
    assert gathering.venue.name == "Café des Freelances"
    assert gathering.organiser_id == organiser.id
    assert gathering.uid
    assert gathering.sequence == 0
    assert gathering.capacity == 12
    assert gathering.status == "scheduled"
    with app.app_context():
        rsvps = db.session.execute(db.select(Rsvp.user_id, Rsvp.response, Rsvp.is_waitlisted))
        assert rsvps.all() == [(organiser.id, "going", False)]


def test_each_gathering_gets_its_own_uid(client, organiser, get_gathering):
    first = event_id(client.post("/events/new", data=form_data(start=WINTER_EVENING)))
    second = event_id(client.post("/events/new", data=form_data(start=SUMMER_EVENING)))
    assert get_gathering(first).uid != get_gathering(second).uid


def test_the_proposal_form_is_plain_html(client, organiser):
    page = client.get("/events/new")
    assert page.status_code == 200
    form = FormPage(page.text)
    assert any(f.get("method", "").lower() == "post" for f in form.forms)
    assert {"title", "description", "city", "venue_name", "venue_address"} <= set(form.fields)
    assert {"starts_at", "ends_at", "capacity", "tags"} <= set(form.fields)
    assert_script_only_enhances(page.text, "/events/new")


def test_proposing_needs_an_account(client):
    response = client.get("/events/new")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/auth/login"
    assert unquote(location.query) == "next=/events/new"


def past_start() -> datetime:
    return utc_to_local(utcnow() - timedelta(days=1), "Europe/Paris").replace(
        tzinfo=None, second=0, microsecond=0
    )


def with_end(delta: timedelta) -> dict:
    return {"ends_at": (SUMMER_EVENING + delta).strftime("%Y-%m-%dT%H:%M")}


REFUSALS = [
    pytest.param(lambda: {"start": past_start()}, "starts_at", "already passed", id="past"),
    pytest.param(
        lambda: with_end(-timedelta(hours=1)), "ends_at", "after the start", id="end<start"
    ),
    pytest.param(lambda: with_end(timedelta(0)), "ends_at", "after the start", id="end=start"),
    pytest.param(
        lambda: with_end(timedelta(days=7, minutes=1)), "ends_at", "at most 7 days", id="8 days"
    ),
    pytest.param(lambda: {"title": ""}, "title", "Give the gathering a title", id="no title"),
    pytest.param(lambda: {"title": "   "}, "title", "Give the gathering a title", id="blank title"),
    pytest.param(lambda: {"title": "Ap"}, "title", "Between 3 and 140", id="2-char title"),
    pytest.param(lambda: {"title": "é" * 141}, "title", "Between 3 and 140", id="141-char title"),
    pytest.param(
        lambda: {"description": "x" * 10_001}, "description", "10,000", id="long description"
    ),
    pytest.param(lambda: {"capacity": "0"}, "capacity", "At least 1 seat", id="capacity 0"),
    pytest.param(lambda: {"capacity": "-1"}, "capacity", "At least 1 seat", id="capacity -1"),
    pytest.param(lambda: {"capacity": "abc"}, "capacity", "whole number", id="capacity abc"),
    pytest.param(lambda: {"capacity": "2.5"}, "capacity", "whole number", id="capacity 2.5"),
    # Would overflow PostgreSQL's INTEGER column (a 500) if the form let it through.
    pytest.param(
        lambda: {"capacity": "99999999999"}, "capacity", "At most 100,000", id="capacity huge"
    ),
    pytest.param(
        lambda: {"starts_at": "tomorrow"}, "starts_at", "Enter a date and time", id="tomorrow"
    ),
    pytest.param(lambda: {"starts_at": ""}, "starts_at", "Enter the date and time", id="no start"),
    pytest.param(lambda: {"starts_at": "   "}, "starts_at", "Enter the date and time", id="blank"),
    pytest.param(lambda: {"ends_at": ""}, "ends_at", "Enter the date and time", id="no end"),
    pytest.param(
        lambda: {"city": "Xyzzyville"},
        "city",
        "We don't know a city called “Xyzzyville”",
        id="city",
    ),
    pytest.param(lambda: {"city": ""}, "city", "Enter the city", id="no city"),
    pytest.param(lambda: {"city": "   "}, "city", "Enter the city", id="blank city"),
    pytest.param(
        lambda: {"starts_at": "2027-03-28T02:30", "ends_at": "2027-03-28T04:30"},
        "starts_at",
        "does not exist in Europe/Paris",
        id="DST gap",
    ),
    pytest.param(
        lambda: {"starts_at": "2027-10-31T02:30", "ends_at": "2027-10-31T04:30"},
        "starts_at",
        "happens twice in Europe/Paris",
        id="DST overlap",
    ),
    pytest.param(
        lambda: {"starts_at": "2027-10-31T01:00", "ends_at": "2027-10-31T02:30"},
        "ends_at",
        "happens twice in Europe/Paris",
        id="DST overlap end",
    ),
    pytest.param(lambda: {"venue_name": ""}, "venue_name", "Name the place", id="no venue"),
    pytest.param(lambda: {"venue_name": "   "}, "venue_name", "Name the place", id="blank venue"),
    pytest.param(lambda: {"venue_address": ""}, "venue_address", "street address", id="no address"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), REFUSALS)
def test_refused_proposal_explains_keeps_input_and_creates_nothing(
    app, client, organiser, overrides, field, message
):
    data = form_data(**{"start": SUMMER_EVENING, **overrides()})
    response = client.post("/events/new", data=data)

    assert response.status_code == 200
    page = FormPage(response.text)
    # The message sits beside the field it is about.
    assert page.fields[field].error_id == f"{field}-error"
    assert message in page.fields[field].error
    # Everything typed comes back (surrounding blanks aside), the faulty field included.
    for name, typed in data.items():
        assert page.fields[name].value.strip() == typed.strip(), name
    # Only the faulty field is flagged.
    assert [name for name, f in page.fields.items() if f.error] == [field]
    assert counts(app) == {"Gathering": 0, "Venue": 0, "City": 0, "Tag": 0, "Rsvp": 0}


def test_dst_messages_say_what_to_do(client, organiser):
    gap = client.post(
        "/events/new",
        data=form_data(starts_at="2027-03-28T02:30", ends_at="2027-03-28T04:30"),
    )
    error = FormPage(gap.text).fields["starts_at"].error
    assert "clocks go forward" in error
    assert "Pick another time" in error
    overlap = client.post(
        "/events/new",
        data=form_data(starts_at="2027-10-31T02:30", ends_at="2027-10-31T04:30"),
    )
    error = FormPage(overlap.text).fields["starts_at"].error
    assert "clocks go back" in error
    assert "Pick another time" in error


def test_a_full_week_is_allowed(client, organiser, get_gathering):
    data = form_data(start=SUMMER_EVENING, **with_end(timedelta(days=7)))
    gathering = get_gathering(event_id(client.post("/events/new", data=data)))
    assert gathering.ends_at - gathering.starts_at == timedelta(days=7)


@pytest.mark.parametrize(
    "longer", [timedelta(minutes=1), timedelta(milliseconds=2)], ids=["a minute", "2 ms"]
)
def test_the_database_refuses_a_gathering_longer_than_a_week(
    app, client, organiser, get_gathering, longer
):
    # Listings skip what started over a week ago (queries.not_over): nothing may outlast that.
    data = form_data(start=SUMMER_EVENING, **with_end(timedelta(days=7)))
    gathering_id = event_id(client.post("/events/new", data=data))
    with app.app_context():
        gathering = db.session.get(Gathering, gathering_id)
        gathering.ends_at += longer
        with pytest.raises(IntegrityError, match="lasts_at_most_7_days"):
            db.session.commit()
        db.session.rollback()
    kept = get_gathering(gathering_id)
    assert kept.ends_at - kept.starts_at == timedelta(days=7)


def test_140_characters_is_a_valid_title(client, organiser, get_gathering):
    title = "é" * 140
    response = client.post("/events/new", data=form_data(start=SUMMER_EVENING, title=title))
    assert get_gathering(event_id(response)).title == title


def test_city_as_people_type_it(client, organiser, get_gathering):
    data = form_data(
        start=SUMMER_EVENING,
        title="Café rédaction",
        city="saint etienne",
        venue_address="1 place Jean-Jaurès, 42000 Saint-Étienne",
    )
    gathering = get_gathering(event_id(client.post("/events/new", data=data)))
    assert gathering.city.name == "Saint-Étienne"
    assert gathering.city.slug == "saint-etienne"
    assert gathering.city.country == "FR"

    city_page = client.get("/cities/saint-etienne")
    assert city_page.status_code == 200
    assert "Café rédaction" in city_page.text
    assert f'href="/events/{gathering.id}"' in city_page.text


def test_a_gathering_in_montreal_keeps_montreal_time(client, organiser, get_gathering):
    data = form_data(start=SUMMER_EVENING, city="Montréal", venue_address="1 rue Sainte-Catherine")
    gathering = get_gathering(event_id(client.post("/events/new", data=data)))
    assert gathering.city.timezone == "America/Toronto"
    assert gathering.city.country == "CA"
    assert gathering.starts_at == datetime(YEAR, 6, 17, 23, 0, tzinfo=UTC)

    page = client.get(f"/events/{gathering.id}", headers={"Accept-Language": "fr"})
    assert "America/Toronto" in page.text
    assert "19:00" in page.text


def test_empty_capacity_means_no_limit(client, organiser, get_gathering):
    response = client.post("/events/new", data=form_data(start=SUMMER_EVENING, capacity=""))
    gathering = get_gathering(event_id(response))
    assert gathering.capacity is None
    page = client.get(f"/events/{gathering.id}")
    assert not re.search(r"\d", seats_left(page.text))


def test_tags_are_trimmed_lower_cased_and_unique(client, organiser, get_gathering):
    data = form_data(start=SUMMER_EVENING, tags="seo, Rédaction , seo")
    gathering = get_gathering(event_id(client.post("/events/new", data=data)))
    assert sorted(tag.name for tag in gathering.tags) == ["rédaction", "seo"]


def test_an_existing_tag_is_reused(app, client, organiser):
    client.post("/events/new", data=form_data(start=WINTER_EVENING, tags="seo"))
    client.post("/events/new", data=form_data(start=SUMMER_EVENING, tags="SEO, rédaction"))
    with app.app_context():
        assert sorted(db.session.scalars(db.select(Tag.name))) == ["rédaction", "seo"]


# Showing what people wrote.


def test_description_keeps_line_breaks_and_links(client, organiser):
    data = form_data(
        start=SUMMER_EVENING,
        description="On parle tarifs.\nInscription : https://example.org/apero?x=1&y=2.\n\nÀ bientôt",
    )
    page = client.get(f"/events/{event_id(client.post('/events/new', data=data))}").text
    assert re.search(r"On parle tarifs\.<br>\s*Inscription", page)
    assert '<a href="https://example.org/apero?x=1&amp;y=2"' in page
    assert "<p>À bientôt</p>" in page


def test_html_typed_by_people_is_shown_as_text(client, organiser):
    script = "<script>alert(1)</script>"
    data = form_data(
        start=SUMMER_EVENING,
        title=f"Apéro {script}",
        description=f"Hello {script} <b>bold</b>",
        venue_name=f"Chez {script}",
        venue_address=f"1 rue {script}",
        tags="<i>seo</i>",
    )
    gathering_id = event_id(client.post("/events/new", data=data))
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    for path in (f"/events/{gathering_id}", f"/events/{gathering_id}/edit", "/", "/cities/lyon"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert script not in page.text, path  # the page's own scripts are fine, not theirs
        assert "<i>seo</i>" not in page.text, path
        assert escaped in page.text, path
    page = client.get(f"/events/{gathering_id}").text
    assert "<b>bold</b>" not in page
    assert f"Chez {escaped}" in page
    assert f"1 rue {escaped}" in page


# Editing.


@pytest.fixture
def gathering(organiser, create_gathering):
    """A gathering in Lyon on a summer evening, proposed by the signed-in organiser."""
    return create_gathering(organiser=organiser, start=SUMMER_EVENING)


def same_as_proposed(**changes) -> dict:
    return form_data(**{"start": SUMMER_EVENING, **changes})


def test_the_edit_form_shows_local_times_and_current_values(client, gathering):
    page = client.get(f"/events/{gathering.id}/edit")
    assert page.status_code == 200
    fields = {name: f.value for name, f in FormPage(page.text).fields.items()}
    expected = same_as_proposed(tags="rédaction, seo")
    for name, value in expected.items():
        assert fields[name] == value, name
    assert fields["starts_at"] == f"{YEAR}-06-17T19:00"
    assert fields["ends_at"] == f"{YEAR}-06-17T21:00"


MATERIAL_EDITS = [
    pytest.param({"title": "Apéro freelance, saison 2"}, lambda g: g.title, id="title"),
    pytest.param({"start": SUMMER_EVENING + timedelta(days=1)}, lambda g: g.starts_at, id="time"),
    pytest.param(
        {"ends_at": f"{YEAR}-06-17T22:00"}, lambda g: g.ends_at - g.starts_at, id="end time"
    ),
    pytest.param({"venue_name": "Le Bureau"}, lambda g: g.venue.name, id="venue"),
    pytest.param({"venue_address": "3 place Bellecour"}, lambda g: g.venue.address, id="address"),
    pytest.param(
        {"city": "Saint-Étienne", "venue_address": "1 place Jean-Jaurès"},
        lambda g: g.city.name,
        id="city",
    ),
    pytest.param({"description": "Autre sujet."}, lambda g: g.description, id="description"),
    pytest.param({"tags": "seo, correction"}, lambda g: [t.name for t in g.tags], id="tags"),
]


@pytest.mark.parametrize(("changes", "read"), MATERIAL_EDITS)
def test_a_material_edit_raises_sequence_by_one(client, gathering, get_gathering, changes, read):
    before = get_gathering(gathering.id)
    response = client.post(f"/events/{gathering.id}/edit", data=same_as_proposed(**changes))
    assert event_id(response) == gathering.id
    after = get_gathering(gathering.id)
    assert read(after) != read(before)
    assert after.sequence == before.sequence + 1
    assert after.uid == before.uid
    assert after.updated_at >= before.updated_at


def test_each_edit_raises_sequence_once(client, gathering, get_gathering):
    for n, title in enumerate(("Apéro 2", "Apéro 3", "Apéro 4"), start=1):
        client.post(f"/events/{gathering.id}/edit", data=same_as_proposed(title=title))
        assert get_gathering(gathering.id).sequence == n


def test_an_edit_that_changes_nothing_keeps_sequence(client, gathering, get_gathering):
    before = get_gathering(gathering.id)
    response = client.post(f"/events/{gathering.id}/edit", data=same_as_proposed())
    assert event_id(response) == gathering.id
    after = get_gathering(gathering.id)
    assert after.sequence == 0
    assert after.uid == before.uid
    assert after.updated_at == before.updated_at


def test_a_capacity_edit_is_saved_without_touching_calendars(client, gathering, get_gathering):
    response = client.post(f"/events/{gathering.id}/edit", data=same_as_proposed(capacity="20"))
    assert event_id(response) == gathering.id
    after = get_gathering(gathering.id)
    assert after.capacity == 20
    assert after.sequence == 0  # calendars show no seat count
    page = client.get(f"/events/{gathering.id}")
    assert seats_left(page.text).startswith("19")


def test_a_refused_edit_keeps_input_and_changes_nothing(client, gathering, get_gathering):
    data = same_as_proposed(title="Ap", description="Nouveau texte")
    response = client.post(f"/events/{gathering.id}/edit", data=data)
    assert response.status_code == 200
    page = FormPage(response.text)
    assert "Between 3 and 140" in page.fields["title"].error
    assert page.fields["title"].value == "Ap"
    assert page.fields["description"].value == "Nouveau texte"
    after = get_gathering(gathering.id)
    assert after.title == "Apéro freelance"
    assert after.sequence == 0


def test_a_start_already_past_may_stay_but_not_move_into_the_past(
    app, client, gathering, get_gathering
):
    # The gathering is under way: it started an hour ago (on the minute, as forms send it).
    start = (utcnow() - timedelta(hours=1)).replace(second=0, microsecond=0)
    with app.app_context():
        row = db.session.get(Gathering, gathering.id)
        row.starts_at, row.ends_at = start, start + timedelta(hours=3)
        db.session.commit()
    data = same_as_proposed(
        title="Apéro freelance (salle du fond)",
        starts_at=as_input(start),
        ends_at=as_input(start + timedelta(hours=3)),
    )
    assert event_id(client.post(f"/events/{gathering.id}/edit", data=data)) == gathering.id
    after = get_gathering(gathering.id)
    assert after.title == "Apéro freelance (salle du fond)"
    assert after.starts_at == start

    moved = dict(data, starts_at=as_input(start - timedelta(hours=1)))
    response = client.post(f"/events/{gathering.id}/edit", data=moved)
    assert response.status_code == 200
    assert "already passed" in FormPage(response.text).fields["starts_at"].error
    assert get_gathering(gathering.id).starts_at == start


def test_only_the_organiser_or_an_admin_may_manage(
    client, gathering, create_user, login, get_gathering
):
    client.post("/auth/logout")
    login(create_user())
    assert client.get(f"/events/{gathering.id}/edit").status_code == 403
    edit = client.post(f"/events/{gathering.id}/edit", data=same_as_proposed(title="Pris !"))
    assert edit.status_code == 403
    assert client.post(f"/events/{gathering.id}/cancel").status_code == 403
    after = get_gathering(gathering.id)
    assert (after.title, after.status, after.sequence) == ("Apéro freelance", "scheduled", 0)
    # Nor do they see the organiser's tools.
    page = client.get(f"/events/{gathering.id}").text
    assert f"/events/{gathering.id}/edit" not in page
    assert f"/events/{gathering.id}/cancel" not in page


@pytest.mark.parametrize(
    ("method", "suffix"), [("get", "edit"), ("post", "edit"), ("post", "cancel")]
)
def test_anonymous_people_are_sent_to_sign_in(client, gathering, get_gathering, method, suffix):
    client.post("/auth/logout")
    path = f"/events/{gathering.id}/{suffix}"
    response = getattr(client, method)(path, data=same_as_proposed(title="Anonyme"))
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/auth/login"
    next_page = parse_qs(location.query)["next"][0]
    if method == "get":
        assert next_page == path
    else:  # after signing in, back to this gathering's pages (the form, or the POST target)
        assert next_page.startswith(f"/events/{gathering.id}")
    after = get_gathering(gathering.id)
    assert (after.title, after.status, after.sequence) == ("Apéro freelance", "scheduled", 0)


def test_unknown_gatherings_are_404(client, organiser):
    assert client.get("/events/999999").status_code == 404
    assert client.get("/events/999999/edit").status_code == 404
    assert client.post("/events/999999/edit", data=same_as_proposed()).status_code == 404
    assert client.post("/events/999999/cancel").status_code == 404


def test_an_admin_may_edit_and_cancel_anothers_gathering(
    client, gathering, create_user, login, get_gathering
):
    client.post("/auth/logout")
    login(create_user(is_admin=True))
    assert client.get(f"/events/{gathering.id}/edit").status_code == 200
    response = client.post(f"/events/{gathering.id}/edit", data=same_as_proposed(title="Modéré"))
    assert event_id(response) == gathering.id
    assert event_id(client.post(f"/events/{gathering.id}/cancel")) == gathering.id
    after = get_gathering(gathering.id)
    assert (after.title, after.status, after.sequence) == ("Modéré", "cancelled", 2)
    assert after.organiser_id == gathering.organiser_id


# Cancelling.


def test_cancelling_keeps_the_gathering_visible_marked_cancelled(client, gathering, get_gathering):
    response = client.post(f"/events/{gathering.id}/cancel")
    assert event_id(response) == gathering.id
    after = get_gathering(gathering.id)
    assert after.status == "cancelled"
    assert after.sequence == 1
    assert after.uid == gathering.uid

    page = client.get(f"/events/{gathering.id}")
    assert page.status_code == 200
    assert "Apéro freelance" in page.text
    assert "badge-cancelled" in page.text
    assert "Cancelled" in text_of(page.text)

    # Cancelling again changes nothing.
    assert event_id(client.post(f"/events/{gathering.id}/cancel")) == gathering.id
    again = get_gathering(gathering.id)
    assert (again.status, again.sequence, again.updated_at) == (
        "cancelled",
        1,
        after.updated_at,
    )


def test_an_unknown_city_proposes_the_closest_known_names(client, organiser):
    response = client.post("/events/new", data=form_data(city="Lyonn"))
    assert response.status_code == 200
    error = FormPage(response.text).fields["city"].error
    assert "We don't know a city called “Lyonn”" in error
    assert "Did you mean Lyon, France or Lynn, United States?" in error


@pytest.mark.parametrize("path", ["/events/new", "/auth/register", "/me/profile"])
def test_city_fields_look_up_what_is_typed_as_an_enhancement(client, organiser, path):
    if path == "/auth/register":
        client.post("/auth/logout")
    page = client.get(path)
    assert page.status_code == 200
    assert 'data-city-lookup="/api/v1/places"' in page.text
    assert '<script src="/static/js/city.js" defer></script>' in page.text
    assert_script_only_enhances(page.text, path)
    with client.get("/static/js/city.js") as script:
        assert script.status_code == 200


# A city in another country than the proposer's home asks to be confirmed.


@pytest.fixture
def lives_in(app):
    """lives_in(user, "Villeurbanne"): give a person a home city."""
    from meetups.accounts.models import User
    from meetups.places import gazetteer
    from meetups.places.services import city_for

    def do(user, name):
        with app.app_context():
            db.session.get(User, user.id).home_city = city_for(gazetteer.lookup(name))
            db.session.commit()

    return do


MONTREAL_STREET = "350 rue Sainte-Catherine Ouest"  # names no city: only the home is compared


def test_a_city_abroad_is_saved_only_once_confirmed(app, client, organiser, lives_in):
    lives_in(organiser, "Lyon")
    data = form_data(city="Montréal", venue_address=MONTREAL_STREET, start=SUMMER_EVENING)
    first = client.post("/events/new", data=data)
    assert first.status_code == 200
    page = FormPage(first.text)
    assert (
        page.fields["city"].error == "Montréal is in Canada, not France: propose it there anyway?"
    )
    assert page.fields["confirm_country"].value == "CA"
    assert "Yes: Montréal, Canada" in text_of(first.text)
    assert counts(app)["Gathering"] == 0

    # A "yes" for another country confirms nothing.
    assert client.post("/events/new", data={**data, "confirm_country": "PE"}).status_code == 200
    assert counts(app)["Gathering"] == 0

    confirmed = client.post("/events/new", data={**data, "confirm_country": "CA"})
    assert confirmed.status_code == 303
    assert counts(app)["Gathering"] == 1


def test_a_city_in_the_home_country_or_without_a_home_needs_no_confirmation(
    app, client, organiser, lives_in
):
    assert (
        client.post(
            "/events/new", data=form_data(city="Montréal", venue_address=MONTREAL_STREET)
        ).status_code
        == 303
    )
    lives_in(organiser, "Villeurbanne")
    assert client.post("/events/new", data=form_data(city="Lyon")).status_code == 303
    assert counts(app)["Gathering"] == 2


def test_the_confirmation_shows_in_french(client, organiser, lives_in):
    lives_in(organiser, "Lyon")
    page = client.post(
        "/events/new",
        data=form_data(city="Montréal", venue_address=MONTREAL_STREET),
        headers={"Accept-Language": "fr"},
    )
    error = FormPage(page.text).fields["city"].error
    assert error == (
        "Montréal (Canada) n’est pas dans votre pays (France)\u00a0: "
        "la proposer là-bas quand même\u00a0?"
    )


def test_editing_keeps_a_city_abroad_without_asking_again(app, client, organiser, lives_in):
    client.post("/events/new", data=form_data(city="Montréal", venue_address=MONTREAL_STREET))
    lives_in(organiser, "Lyon")
    with app.app_context():
        gathering_id = db.session.scalar(db.select(Gathering.id))
    edit = client.get(f"/events/{gathering_id}/edit")
    data = {name: f.value for name, f in FormPage(edit.text).fields.items()}
    data["title"] = "Apéro à Montréal"
    assert client.post(f"/events/{gathering_id}/edit", data=data).status_code == 303


def test_a_city_in_another_country_than_its_address_names_asks_first(app, client, organiser):
    # No home city: the address alone says where the person meant ("Atlantis" is in South Africa).
    data = form_data(city="Atlantis", venue_address="12 rue de la République, 69002 Lyon")
    first = client.post("/events/new", data=data)
    assert FormPage(first.text).fields["city"].error == (
        "The address names Lyon, France, but Atlantis is in South Africa: propose it there anyway?"
    )
    assert counts(app)["Gathering"] == 0
    assert client.post("/events/new", data={**data, "confirm_country": "ZA"}).status_code == 303
    # An address in the city's own country, or naming no city, asks nothing.
    same = form_data(city="Lyon", venue_address="5 rue Mercière, 69002 Lyon, France")
    assert client.post("/events/new", data=same).status_code == 303
    assert counts(app)["Gathering"] == 2


# The venue.


@pytest.mark.parametrize(
    ("address", "named"),
    [("12 rue de la République, 69002 Lyon", "in the address"), ("12 rue Mercière", "a link")],
)
def test_the_venue_names_its_city_once(client, organiser, create_gathering, address, named):
    gathering = create_gathering(organiser=organiser, venue_address=address)
    html = client.get(f"/events/{gathering.id}").text
    where = re.search(r'<section aria-labelledby="where-heading".*?</section>', html, re.S)
    assert text_of(where.group()).count("Lyon") == 1
    # Either way, the city's page is a click away.
    assert 'href="/cities/lyon"' in where.group()
    assert ("Other gatherings in this city" in where.group()) == (named == "in the address")


# Every error at once.


def test_an_unknown_city_hides_no_time_error_that_holds_in_any_zone(app, client, organiser):
    data = form_data(
        city="Xyzzyville",
        starts_at=f"{YEAR}-03-28T02:30",  # no such time in Paris: unknown without the city
        ends_at=f"{YEAR}-03-28T01:30",
        title="Ap",
    )
    page = FormPage(client.post("/events/new", data=data).text)

    errors = {name: f.error for name, f in page.fields.items() if f.error}
    assert set(errors) == {"title", "city", "ends_at"}
    assert "We don't know a city called “Xyzzyville”" in errors["city"]
    assert errors["ends_at"] == "The end must come after the start."
    assert counts(app)["Gathering"] == 0


@pytest.mark.parametrize(
    ("starts", "ends", "errors"),
    [
        # Passed, or too long, in every zone of the world.
        ("2020-01-14T19:00", "2020-01-14T21:00", {"starts_at": "already passed"}),
        (f"{YEAR}-06-17T19:00", f"{YEAR}-06-30T19:00", {"ends_at": "at most 7 days"}),
        (f"{YEAR + 40}-06-17T19:00", f"{YEAR + 40}-06-17T21:00", {"starts_at": "within the next"}),
        # Within a day of "now" or of a week: true or false depending on the zone, so not said.
        (f"{YEAR}-06-17T19:00", f"{YEAR}-06-24T19:30", {}),
    ],
    ids=["past", "two weeks", "far ahead", "a week and a bit"],
)
def test_with_an_unknown_city_only_what_holds_everywhere_is_said(
    client, organiser, starts, ends, errors
):
    data = form_data(city="Xyzzyville", starts_at=starts, ends_at=ends)
    page = FormPage(client.post("/events/new", data=data).text)

    shown = {name: f.error for name, f in page.fields.items() if f.error}
    assert set(shown) == {"city", *errors}
    for name, message in errors.items():
        assert message in shown[name]


def test_a_time_that_does_not_exist_hides_no_other_time_error(client, organiser):
    data = form_data(starts_at=f"{YEAR}-03-28T02:30", ends_at=f"{YEAR}-03-28T01:30")
    page = FormPage(client.post("/events/new", data=data).text)

    assert "does not exist in Europe/Paris" in page.fields["starts_at"].error
    assert page.fields["ends_at"].error == "The end must come after the start."


def test_a_missing_start_hides_no_error_of_the_end(client, organiser):
    data = form_data(starts_at="", ends_at=f"{YEAR}-10-31T02:30")
    page = FormPage(client.post("/events/new", data=data).text)

    assert "Enter the date and time it starts" in page.fields["starts_at"].error
    assert "happens twice in Europe/Paris" in page.fields["ends_at"].error


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("venue_name", "x" * 201, "At most 200 characters."),
        ("venue_address", "x" * 301, "At most 300 characters."),
        ("tags", "seo, " * 80 + "x", "At most 400 characters."),
        ("city", "x" * 201, "At most 200 characters."),
    ],
)
def test_length_errors_are_our_own_sentences(client, organiser, field, typed, message):
    page = FormPage(client.post("/events/new", data=form_data(**{field: typed})).text)

    assert message in page.fields[field].error
    assert "Field cannot be longer" not in page.fields[field].error


def test_a_very_long_unknown_city_is_not_repeated_whole_in_its_error(client, organiser):
    city = "Saint-" + "x" * 10_000
    page = FormPage(client.post("/events/new", data=form_data(city=city)).text)

    error = page.fields["city"].error
    assert "We don't know a city called “Saint-xxxx" in error
    assert "xxx…”" in error
    assert len(error) < 300
    assert page.fields["city"].value == city  # the field itself keeps what was typed


def test_the_french_error_summary_puts_a_no_break_space_before_the_colon(client, organiser):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    response = client.post("/events/new", data=form_data(title=""))

    summary = re.search(r'<div class="error-summary".*?</div>', response.text, re.S).group(0)
    assert "Titre\u00a0: Donnez un titre" in summary
