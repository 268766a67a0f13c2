"""GET/POST /events/<id>/location: the organiser (or an admin) places the venue by hand, for good."""

import json
import math
import re

import pytest
from geopy.distance import great_circle

from meetups.extensions import db
from meetups.gatherings.models import Gathering
from meetups.places.models import Venue
from tests.conftest import form_data, future_local, text_of
from tests.geocoder_server import GeocoderServer
from tests.test_feed_parsers import parse_all

ADDRESS = "20 rue de la République"
GEOCODED = (45.76051, 4.83598)  # where the geocoder puts ADDRESS
ELSEWHERE = (45.7702, 4.8551)  # where it says once the venue has been placed by hand
PLACED = (45.7601, 4.8361)  # where the organiser says the venue is
LYON_CENTRE = (45.74906, 4.84789)


@pytest.fixture
def server():
    server = GeocoderServer().start()
    server.answer("ban", ADDRESS, *GEOCODED, label="20 Rue de la République 69002 Lyon")
    server.answer("nominatim", ADDRESS, *GEOCODED)
    yield server
    server.stop()


@pytest.fixture
def app_config(app_config, server):
    """The conftest settings, with the geocoders pointed at the local server."""
    return {
        **app_config,
        "GEOCODERS": "ban,nominatim",
        "BAN_URL": f"{server.url}/ban",
        "NOMINATIM_URL": f"{server.url}/nominatim",
        "GEOCODER_TIMEOUT": 1.5,
    }


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def organiser(create_user):
    return create_user(display_name="Camille")


@pytest.fixture
def gathering(client, organiser, login, server):
    """A gathering proposed through the form, its venue located by the (local) BAN server."""
    login(organiser)
    response = client.post("/events/new", data=form_data(venue_address=ADDRESS))
    assert response.status_code == 303
    gathering_id = int(response.headers["Location"].rsplit("/", 1)[1])
    client.post("/auth/logout")
    assert server.count("ban") == 1
    return gathering_id


def venue_of(app, gathering_id) -> dict:
    """What the database holds about a gathering's venue, read fresh."""
    with app.app_context():
        venue = db.session.get(Gathering, gathering_id).venue
        return {
            "id": venue.id,
            "status": venue.geocode_status,
            "by": venue.geocoded_by,
            "point": (venue.latitude, venue.longitude),
        }


def sequences(app, *gathering_ids) -> list[int]:
    with app.app_context():
        return [db.session.get(Gathering, i).sequence for i in gathering_ids]


def field_value(html: str, name: str) -> str | None:
    """The value an input shows, as the browser would fill it."""
    tag = re.search(rf'<input [^>]*name="{name}"[^>]*>', html).group(0)
    value = re.search(r'value="([^"]*)"', tag)
    return value and value.group(1)


def post_location(client, gathering_id, latitude, longitude):
    return client.post(
        f"/events/{gathering_id}/location",
        data={"latitude": str(latitude), "longitude": str(longitude)},
    )


def map_places(html: str) -> list:
    (block,) = re.findall(r'<script type="application/json" class="map-data">(.*?)</script>', html)
    return json.loads(block)


# Who may.


def test_anonymous_people_are_sent_to_sign_in(app, client, gathering):
    for response in (
        client.get(f"/events/{gathering}/location"),
        post_location(client, gathering, *PLACED),
    ):
        assert response.status_code == 302
        assert response.headers["Location"] == f"/auth/login?next=/events/{gathering}/location"
    assert venue_of(app, gathering)["status"] == "located"


def test_another_person_gets_403_and_changes_nothing(app, client, gathering, create_user, login):
    login(create_user())
    assert client.get(f"/events/{gathering}/location").status_code == 403
    assert post_location(client, gathering, *PLACED).status_code == 403
    assert venue_of(app, gathering) == {**venue_of(app, gathering), "point": GEOCODED}
    assert sequences(app, gathering) == [0]
    assert "Correct the location" not in client.get(f"/events/{gathering}").text


def test_an_unknown_gathering_is_404(client, organiser, login):
    login(organiser)
    assert client.get("/events/999999/location").status_code == 404
    assert post_location(client, 999999, *PLACED).status_code == 404


def test_an_admin_may_place_any_venue(app, client, gathering, create_user, login):
    login(create_user(is_admin=True))
    assert client.get(f"/events/{gathering}/location").status_code == 200
    assert post_location(client, gathering, *PLACED).status_code == 303
    assert venue_of(app, gathering)["status"] == "manual"


# The form.


def test_the_form_is_filled_with_where_the_venue_is_now(client, gathering, organiser, login):
    login(organiser)
    show = client.get(f"/events/{gathering}").text
    assert f'href="/events/{gathering}/location"' in show
    assert "Correct the location on the map" in show
    html = client.get(f"/events/{gathering}/location").text
    assert (field_value(html, "latitude"), field_value(html, "longitude")) == (
        "45.76051",
        "4.83598",
    )
    assert 'data-center="45.76051,4.83598"' in html
    assert '<label for="latitude">' in html and '<label for="longitude">' in html
    assert "Café des Freelances" in html
    assert f"{ADDRESS}, Lyon" in html


def test_a_pending_venue_starts_from_an_empty_form_around_the_city(
    app, client, organiser, login, create_gathering
):
    pending = create_gathering(organiser=organiser, venue_address="8 quai Saint-Antoine")
    assert venue_of(app, pending.id)["status"] == "pending"
    login(organiser)
    assert "Place the venue on the map yourself" in client.get(f"/events/{pending.id}").text
    html = client.get(f"/events/{pending.id}/location").text
    assert field_value(html, "latitude") in (None, "")
    assert field_value(html, "longitude") in (None, "")
    assert 'data-center="45.74906,4.84789"' in html  # Lyon's centre
    assert post_location(client, pending.id, *PLACED).status_code == 303
    assert venue_of(app, pending.id) == {**venue_of(app, pending.id), "status": "manual"}
    assert "Location pending" not in client.get(f"/events/{pending.id}").text


# A position that is accepted.


def test_a_placed_venue_is_manual_and_shows_on_the_map(app, client, gathering, organiser, login):
    login(organiser)
    response = post_location(client, gathering, *PLACED)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/events/{gathering}"
    venue = venue_of(app, gathering)
    assert venue == {**venue, "status": "manual", "by": "manual", "point": PLACED}
    page = client.get(f"/events/{gathering}").text
    assert (
        "The venue is placed where you said, for your gatherings there. It will not be moved again."
        in page
    )
    assert [(p["latitude"], p["longitude"]) for p in map_places(page)] == [PLACED]
    assert "mlat=45.760100&amp;mlon=4.836100" in page
    html = client.get(f"/events/{gathering}/location").text
    assert (field_value(html, "latitude"), field_value(html, "longitude")) == ("45.7601", "4.8361")


def test_placing_a_venue_gives_every_upcoming_gathering_there_a_new_version(
    app, client, gathering, create_user, login, create_gathering
):
    same_venue = {"venue_name": "Café des Freelances", "venue_address": ADDRESS}
    elsewhere = create_gathering(venue_name="La Cordée", venue_address="1 rue X")
    another = create_gathering(title="Autre soirée", **same_venue)  # someone else's
    past = create_gathering(title="C'était bien", start=future_local(days=-5), **same_venue)
    assert venue_of(app, another.id)["id"] == venue_of(app, gathering)["id"]
    assert venue_of(app, past.id)["id"] == venue_of(app, gathering)["id"]
    login(create_user(is_admin=True))  # an admin places the shared venue itself
    post_location(client, gathering, *PLACED)
    assert sequences(app, gathering, another.id, past.id, elsewhere.id) == [1, 1, 0, 0]
    # The other organiser's gathering shows the new place too.
    places = map_places(client.get(f"/events/{another.id}").text)
    assert [(p["latitude"], p["longitude"]) for p in places] == [PLACED]
    post_location(client, gathering, 45.761, 4.837)
    assert sequences(app, gathering, another.id, past.id, elsewhere.id) == [2, 2, 0, 0]
    post_location(client, gathering, 45.761, 4.837)  # the same point: no calendar sees a change
    assert sequences(app, gathering, another.id, past.id, elsewhere.id) == [2, 2, 0, 0]


def test_a_placed_venue_is_never_moved_by_the_geocoders(
    app, client, runner, gathering, organiser, login, server
):
    login(organiser)
    assert post_location(client, gathering, *PLACED).status_code == 303
    server.answers["ban"].clear()
    server.answers["nominatim"].clear()
    server.answer("ban", ADDRESS, *ELSEWHERE)
    server.answer("nominatim", ADDRESS, *ELSEWHERE)
    before = len(server.requests)

    result = runner.invoke(args=["geocode-pending"])
    assert result.exit_code == 0, result.output
    assert result.output == "Located 0 of 0 venues.\n"

    # A new proposal, and an edit, at the same venue reuse it as placed.
    again = client.post("/events/new", data=form_data(title="Encore", venue_address=ADDRESS))
    assert again.status_code == 303
    edited = client.post(
        f"/events/{gathering}/edit", data=form_data(title="Apéro renommé", venue_address=ADDRESS)
    )
    assert edited.status_code == 303
    new_id = int(again.headers["Location"].rsplit("/", 1)[1])
    assert venue_of(app, new_id)["id"] == venue_of(app, gathering)["id"]
    for gathering_id in (gathering, new_id):
        venue = venue_of(app, gathering_id)
        assert venue == {**venue, "status": "manual", "point": PLACED}
        places = map_places(client.get(f"/events/{gathering_id}").text)
        assert [(p["latitude"], p["longitude"]) for p in places] == [PLACED]
    assert runner.invoke(args=["geocode-pending"]).output == "Located 0 of 0 venues.\n"
    assert len(server.requests) == before  # no geocoder was even asked


def test_a_point_near_the_limit_is_accepted(app, client, gathering, organiser, login):
    point = great_circle(kilometers=49.5).destination(LYON_CENTRE, 250)
    login(organiser)
    assert post_location(client, gathering, point.latitude, point.longitude).status_code == 303
    assert venue_of(app, gathering)["point"] == pytest.approx((point.latitude, point.longitude))


# Whose placement it is: a member's correction moves their own gatherings, an admin's all.


@pytest.fixture
def member(create_user):
    return create_user(display_name="Bastien")


def propose(client, **fields) -> int:
    """Propose a gathering at the Café des Freelances, ADDRESS, as the signed-in person."""
    response = client.post("/events/new", data=form_data(venue_address=ADDRESS, **fields))
    assert response.status_code == 303, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def seen(client, gathering_id) -> dict:
    """Where anyone sees a gathering: its page's map, the API, its calendar (GEO, SEQUENCE)."""
    page = map_places(client.get(f"/events/{gathering_id}").text)
    api = client.get(f"/api/v1/events/{gathering_id}").json["venue"]
    (event,) = parse_all(client.get(f"/events/{gathering_id}/calendar.ics").data).values()
    return {
        "page": [(p["latitude"], p["longitude"]) for p in page],
        "api": (api["latitude"], api["longitude"]),
        "geo": event.geo,
        "sequence": event.sequence,
    }


def placed_at(point, sequence) -> dict:
    return {"page": [point], "api": point, "geo": point, "sequence": sequence}


def venue_count(app) -> int:
    with app.app_context():
        return len(db.session.scalars(db.select(Venue)).all())


def switch_to(client, login, user) -> None:
    client.post("/auth/logout")
    login(user)


def test_a_member_moves_nothing_shown_on_another_organisers_gathering(
    app, client, gathering, organiser, member, login
):
    login(member)
    theirs = propose(client, title="Apéro de Bastien")  # the same name and address
    before = seen(client, gathering)
    assert before == placed_at(GEOCODED, 0) and seen(client, theirs) == before
    assert post_location(client, gathering, *PLACED).status_code == 403
    assert post_location(client, theirs, *PLACED).status_code == 303
    flashed = client.get(f"/events/{theirs}").text
    assert "The venue is placed where you said, for your gatherings there." in flashed
    assert seen(client, gathering) == before
    assert seen(client, theirs) == placed_at(PLACED, 1)
    # Their correction sticks for their next gathering there; nobody else's.
    assert seen(client, propose(client, title="Encore"))["api"] == PLACED
    switch_to(client, login, organiser)
    assert seen(client, propose(client, title="Camille, encore"))["api"] == GEOCODED
    assert seen(client, gathering) == before


def test_an_admin_places_the_venue_of_every_gathering_there(
    app, client, gathering, member, create_user, login
):
    login(member)
    theirs = propose(client, title="Apéro de Bastien")
    switch_to(client, login, create_user(is_admin=True))
    assert "for every gathering held there" in client.get(f"/events/{theirs}/location").text
    assert post_location(client, theirs, *PLACED).status_code == 303
    flashed = client.get(f"/events/{theirs}").text
    assert "The venue is placed where you said, for every gathering there." in flashed
    assert seen(client, gathering) == seen(client, theirs) == placed_at(PLACED, 1)


def test_a_venue_only_they_meet_at_becomes_theirs_and_stays_theirs(
    app, client, gathering, organiser, member, create_user, login
):
    login(organiser)
    again = propose(client, title="Encore")
    assert "other organisers’ gatherings there stay" in client.get(f"/events/{again}/location").text
    assert post_location(client, again, *PLACED).status_code == 303
    assert venue_count(app) == 1  # not copied: nobody else meets there
    assert seen(client, gathering) == seen(client, again) == placed_at(PLACED, 1)
    # Someone else meeting at that name and address later gets the shared (geocoded) venue.
    switch_to(client, login, member)
    theirs = propose(client, title="Apéro de Bastien")
    assert seen(client, theirs) == placed_at(GEOCODED, 0)
    assert post_location(client, theirs, *ELSEWHERE).status_code == 303
    assert venue_count(app) == 2
    # An admin's edit keeps the organiser's own placement.
    switch_to(client, login, create_user(is_admin=True))
    edited = client.post(
        f"/events/{again}/edit", data=form_data(title="Renommé", venue_address=ADDRESS)
    )
    assert edited.status_code == 303
    assert seen(client, gathering) == placed_at(PLACED, 1)
    assert seen(client, again) == placed_at(PLACED, 2)


# Refusals keep what was typed and change nothing.


@pytest.mark.parametrize(
    ("latitude", "longitude", "message"),
    [
        ("91", "4.8361", "Between -90 and 90."),
        ("-90.5", "4.8361", "Between -90 and 90."),
        ("45.7601", "-181", "Between -180 and 180."),
        ("45.7601", "180.01", "Between -180 and 180."),
        ("abc", "4.8361", "Enter a number, like 45.7578."),
        ("45.7601", "abc", "Enter a number, like 45.7578."),
        ("nan", "4.8361", "Enter a number, like 45.7578."),
        ("45.7601", "NaN", "Enter a number, like 45.7578."),
        ("inf", "4.8361", "Enter a number, like 45.7578."),
        ("45.7601", "-Infinity", "Enter a number, like 45.7578."),
        ("", "4.8361", "Enter the latitude."),
        ("45.7601", "", "Enter the longitude."),
        ("   ", "4.8361", "Enter the latitude."),
        ("", "", "Enter the latitude."),
    ],
)
def test_a_position_that_is_not_one_is_refused(
    app, client, gathering, organiser, login, latitude, longitude, message
):
    login(organiser)
    before = venue_of(app, gathering)
    response = post_location(client, gathering, latitude, longitude)
    assert response.status_code == 200
    assert message in text_of(response.text)
    assert "Please correct the highlighted fields" in response.text
    assert field_value(response.text, "latitude") == latitude
    assert field_value(response.text, "longitude") == longitude
    assert venue_of(app, gathering) == before
    assert sequences(app, gathering) == [0]


def test_a_point_far_from_the_city_is_refused_naming_the_distance_and_the_city(
    app, client, gathering, organiser, login
):
    point = great_circle(kilometers=299.6).destination(LYON_CENTRE, 180)
    latitude, longitude = f"{point.latitude:.5f}", f"{point.longitude:.5f}"
    login(organiser)
    before = venue_of(app, gathering)
    response = post_location(client, gathering, latitude, longitude)
    assert response.status_code == 200
    assert "This point is 300 km from Lyon: a venue must lie within 50 km of its city." in text_of(
        response.text
    )
    assert (field_value(response.text, "latitude"), field_value(response.text, "longitude")) == (
        latitude,
        longitude,
    )
    assert venue_of(app, gathering) == before
    assert sequences(app, gathering) == [0]


def test_a_point_just_past_the_limit_never_reads_as_within_it(
    app, client, gathering, organiser, login
):
    point = great_circle(kilometers=50.4).destination(LYON_CENTRE, 90)
    login(organiser)
    response = post_location(client, gathering, point.latitude, point.longitude)
    text = text_of(response.text)
    assert response.status_code == 200
    assert "This point is 51 km from Lyon" in text  # not "50 km from Lyon: ... within 50 km"
    assert venue_of(app, gathering)["point"] == GEOCODED


def test_the_limit_follows_the_gatherings_city(app, client, organiser, login, create_gathering):
    # Placed at Montréal's scale: a Lyon point is thousands of kilometres away.
    montreal = create_gathering(
        organiser=organiser, city="Montréal", venue_address="1455 boulevard de Maisonneuve Ouest"
    )
    login(organiser)
    response = post_location(client, montreal.id, *PLACED)
    match = re.search(r"This point is ([\d,]+) km from Montréal", text_of(response.text))
    assert match, text_of(response.text)
    assert math.isclose(int(match.group(1).replace(",", "")), 5900, rel_tol=0.05)
    assert post_location(client, montreal.id, 45.5017, -73.5673).status_code == 303
