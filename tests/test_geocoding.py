"""Geocoding venues through geopy, unchanged, against a local server speaking BAN's and Nominatim's JSON."""

import logging
import time

import pytest

from meetups import create_app
from meetups.extensions import db
from meetups.gatherings.models import Gathering
from meetups.places import geocoding
from meetups.places.models import City, GeocodeResult, Venue
from tests.conftest import form_data
from tests.geocoder_server import MODES, GeocoderServer
from tests.live_server import free_port

BUDGET = 1.5  # MEETUPS_GEOCODER_TIMEOUT for these tests
SLACK = 1.5  # what a proposal may take beyond the budget: everything but geocoding
LYON_ADDRESS = "20 rue de la République"
LYON_POINT = (45.76051, 4.83598)
LYON_CENTRE = (45.74906, 4.84789)  # the gazetteer's
MARSEILLE_POINT = (43.29695, 5.38107)  # 276 km from Lyon
MONTREAL_ADDRESS = "1455 boulevard de Maisonneuve Ouest"
MONTREAL_POINT = (45.49714, -73.57876)
NOT_LOCATED = "Location pending"


@pytest.fixture
def server():
    server = GeocoderServer().start()
    server.answer("ban", LYON_ADDRESS, *LYON_POINT, label="20 Rue de la République 69002 Lyon")
    server.answer("nominatim", LYON_ADDRESS, 45.76049, 4.83601, kind="house")
    server.answer("nominatim", MONTREAL_ADDRESS, *MONTREAL_POINT, kind="house")
    server.answer("nominatim", "3455 rue Drummond", 45.50296, -73.57939, kind="amenity")
    yield server
    server.stop()


@pytest.fixture
def geocoders():
    return "ban,nominatim"


@pytest.fixture
def budget():
    return BUDGET


@pytest.fixture
def app_config(app_config, server, geocoders, budget):
    """The conftest settings, with the geocoders pointed at the local server."""
    return {
        **app_config,
        "GEOCODERS": geocoders,
        "BAN_URL": f"{server.url}/ban",
        "NOMINATIM_URL": f"{server.url}/nominatim",
        "GEOCODER_TIMEOUT": budget,
    }


@pytest.fixture
def organiser(client, create_user, login):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    user = create_user(display_name="Camille", trade="proofreader")
    login(user)
    return user


def propose(client, **fields):
    """POST a proposal as a browser would; return the response and the seconds it took."""
    fields.setdefault("venue_address", LYON_ADDRESS)
    started = time.monotonic()
    response = client.post("/events/new", data=form_data(**fields))
    return response, time.monotonic() - started


def venue_state(app, name="Café des Freelances") -> dict:
    """What the database holds about a venue, read fresh."""
    with app.app_context():
        venue = db.session.scalar(db.select(Venue).filter_by(name=name))
        return {
            "id": venue.id,
            "status": venue.geocode_status,
            "by": venue.geocoded_by,
            "precision": venue.geocode_precision,
            "point": (venue.latitude, venue.longitude),
        }


def cached_rows(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(r.query_key, r.provider) for r in db.session.scalars(db.select(GeocodeResult))]


# Located, by whom, with how many requests.


def test_building_the_chain_sends_no_request(app, server):
    assert app.extensions[geocoding.EXTENSION].budget == BUDGET
    assert server.requests == []


def test_a_french_address_is_located_by_ban_to_the_house_number(app, client, organiser, server):
    response, _ = propose(client)
    assert response.status_code == 303
    venue = venue_state(app)
    assert venue == {**venue, "status": "located", "by": "ban", "precision": "housenumber"}
    assert venue["point"] == pytest.approx(LYON_POINT)
    assert (server.count("ban"), server.count("nominatim")) == (1, 0)
    (seen,) = server.seen("ban")
    assert seen.path == "/ban/search"
    assert seen.query == {"q": "20 rue de la République, Lyon", "limit": "1"}
    assert seen.headers["User-Agent"] == "Meute/0.1.0 (+self-hosted)"


def test_montreal_is_located_by_nominatim_and_ban_is_not_asked(app, client, organiser, server):
    response, _ = propose(client, city="Montréal", venue_address=MONTREAL_ADDRESS)
    assert response.status_code == 303
    venue = venue_state(app)
    assert venue == {**venue, "status": "located", "by": "nominatim", "precision": "housenumber"}
    assert venue["point"] == pytest.approx(MONTREAL_POINT)
    assert (server.count("ban"), server.count("nominatim")) == (0, 1)
    (seen,) = server.seen("nominatim")
    assert seen.query == {
        "q": f"{MONTREAL_ADDRESS}, Montréal",
        "format": "json",
        "limit": "1",
        "countrycodes": "ca",
    }
    assert seen.headers["User-Agent"].startswith("Meute/")


def test_the_page_says_whether_the_venue_is_located(app, client, organiser, server):
    located, _ = propose(client)
    server.set_mode("500")
    pending, _ = propose(client, venue_name="Le Bistrot", venue_address="8 quai Saint-Antoine")
    assert NOT_LOCATED not in client.get(located.headers["Location"]).text
    assert NOT_LOCATED in client.get(pending.headers["Location"]).text


def test_an_edited_address_is_located_after_the_save(app, client, organiser, server):
    server.answer("ban", "5 place Bellecour", 45.7578, 4.8320, kind="street")
    response, _ = propose(client)
    edit = response.headers["Location"] + "/edit"
    edited = client.post(edit, data=form_data(venue_address="5 place Bellecour, 69002 Lyon"))
    assert edited.status_code == 303
    with app.app_context():
        venue = db.session.scalar(db.select(Gathering)).venue
        assert (venue.address, venue.geocoded_by, venue.geocode_precision) == (
            "5 place Bellecour, 69002 Lyon",
            "ban",
            "street",
        )
    assert (
        server.seen("ban")[-1].query["q"] == "5 place Bellecour, 69002 Lyon"
    )  # names Lyon already


# The cache and reused venues.


def test_a_known_address_is_answered_from_the_cache_even_during_an_outage(
    app, client, organiser, server
):
    propose(client)
    propose(client, venue_name="Autre café")  # same address, another venue
    server.set_mode("500")
    response, _ = propose(client, venue_name="Troisième", venue_address="20, Rue de la RÉPUBLIQUE")
    assert response.status_code == 303
    assert (server.count("ban"), server.count("nominatim")) == (1, 0)
    for name in ("Autre café", "Troisième"):
        venue = venue_state(app, name)
        assert (venue["status"], venue["by"], venue["point"]) == ("located", "ban", LYON_POINT)
    assert cached_rows(app) == [("2996944:20 rue de la republique", "ban")]


def test_proposing_at_a_known_venue_reuses_it_without_a_request(app, client, organiser, server):
    propose(client)
    server.set_mode("500")
    response, _ = propose(client, title="Encore un apéro")
    assert response.status_code == 303
    with app.app_context():
        assert len(db.session.scalars(db.select(Venue)).all()) == 1
    assert venue_state(app)["status"] == "located"
    assert server.count("ban") == 1


def test_the_cache_key_folds_case_accents_and_punctuation_and_keeps_the_city():
    lyon = City(geonameid=2996944, slug="lyon")
    villeurbanne = City(geonameid=2968254, slug="villeurbanne")
    key = geocoding.cache_key(lyon, "20 rue de la République")
    assert geocoding.cache_key(lyon, "  20, RUE de la  republique ") == key
    assert geocoding.cache_key(villeurbanne, "20 rue de la République") != key
    assert geocoding.cache_key(City(slug="nowhere"), "1 rue") == "nowhere:1 rue"


# Failures never lose a proposal, and never make it wait past the budget.


@pytest.mark.parametrize("mode", [m for m in MODES if m != "ok"])
def test_a_failing_service_leaves_the_proposal_saved_and_the_venue_pending(
    app, client, organiser, server, mode, caplog
):
    server.set_mode(mode)
    with caplog.at_level(logging.WARNING, logger="meetups.places.geocoding"):
        response, elapsed = propose(client)
    assert response.status_code == 303
    assert client.get(response.headers["Location"]).status_code == 200
    venue = venue_state(app)
    assert (venue["status"], venue["point"]) == ("pending", (None, None))
    assert elapsed < BUDGET + SLACK
    assert (server.count("ban"), server.count("nominatim")) == (1, 1)
    assert cached_rows(app) == []
    if mode != "empty":
        assert {"Geocoder ban failed", "Geocoder nominatim failed"} <= {
            r.getMessage().split(" on ")[0] for r in caplog.records
        }


def test_when_every_geocoder_hangs_each_gets_its_share_of_the_budget(
    app, client, organiser, server
):
    server.set_mode("hang")
    response, elapsed = propose(client)
    assert response.status_code == 303
    assert BUDGET - 0.1 < elapsed < BUDGET + SLACK
    ban, nominatim = server.seen("ban")[0], server.seen("nominatim")[0]
    # BAN had half the budget before Nominatim was asked with the other half.
    assert nominatim.at - ban.at == pytest.approx(BUDGET / 2, abs=0.25)


def test_a_match_far_from_the_city_is_rejected_and_the_next_provider_asked(
    app, client, organiser, server
):
    server.answer("ban", LYON_ADDRESS, *MARSEILLE_POINT)
    propose(client)
    venue = venue_state(app)
    assert (venue["by"], venue["point"]) == ("nominatim", (45.76049, 4.83601))
    assert (server.count("ban"), server.count("nominatim")) == (1, 1)
    assert [provider for _, provider in cached_rows(app)] == ["nominatim"]


def test_the_distance_is_great_circle_kilometres():
    assert geocoding.distance_km(*LYON_CENTRE, *MARSEILLE_POINT) == pytest.approx(276, abs=1)
    assert geocoding.distance_km(*LYON_CENTRE, *LYON_CENTRE) == 0


@pytest.mark.parametrize("geocoders", ["ban,nominatim,offline"])
@pytest.mark.parametrize("mode", ["500", "hang"])
def test_offline_falls_back_to_the_city_centre_marked_approximate(
    app, client, organiser, server, mode
):
    server.set_mode(mode)
    response, elapsed = propose(client)
    assert response.status_code == 303
    assert elapsed < BUDGET + SLACK
    venue = venue_state(app)
    assert venue == {**venue, "status": "located", "by": "offline", "precision": "city"}
    assert venue["point"] == pytest.approx(LYON_CENTRE)
    assert cached_rows(app) == []  # the centre is no answer for the address: ask again next time


def test_unknown_geocoder_names_stop_the_app_from_starting(app_config):
    with pytest.raises(ValueError, match="nominatm"):
        create_app({**app_config, "GEOCODERS": "ban,nominatm"})


# Retrying later, and venues people placed themselves.


def test_geocode_pending_locates_venues_once_the_services_recover(
    app, client, organiser, server, runner
):
    server.set_mode("500")
    propose(client)
    propose(client, city="Montréal", venue_name="Café Montréal", venue_address=MONTREAL_ADDRESS)
    propose(client, venue_name="Nulle part", venue_address="3 impasse Inconnue")
    assert venue_state(app)["status"] == "pending"
    server.set_mode("ok")
    result = runner.invoke(args=["geocode-pending"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "[1/3] Café des Freelances, Lyon: located (ban, housenumber)",
        "[2/3] Café Montréal, Montréal: located (nominatim, housenumber)",
        "[3/3] Nulle part, Lyon: not located",
        "Located 2 of 3 venues.",
    ]
    assert venue_state(app)["point"] == pytest.approx(LYON_POINT)
    again = runner.invoke(args=["geocode-pending"])
    assert again.output.splitlines()[-1] == "Located 0 of 1 venues."


def test_a_venue_placed_by_hand_is_never_geocoded_again(
    app, client, organiser, server, runner, create_gathering
):
    create_gathering(venue_address=LYON_ADDRESS)
    with app.app_context():
        venue = db.session.scalar(db.select(Venue))
        venue.latitude, venue.longitude, venue.geocode_status = 45.7601, 4.8361, "manual"
        db.session.commit()
    response, _ = propose(client)
    assert response.status_code == 303
    assert runner.invoke(args=["geocode-pending"]).output == "Located 0 of 0 venues.\n"
    with app.app_context():
        venue = db.session.scalar(db.select(Venue))
        assert geocoding.locate(venue) is False
        assert (venue.geocode_status, venue.latitude, venue.longitude) == (
            "manual",
            45.7601,
            4.8361,
        )
    assert server.requests == []


# Nominatim: at most one request a second for the whole instance.


def test_nominatim_is_asked_at_most_once_a_second(app, client, organiser, server):
    propose(client, city="Montréal", venue_address=MONTREAL_ADDRESS)
    _, elapsed = propose(
        client, city="Montréal", venue_name="Café Drummond", venue_address="3455 rue Drummond"
    )
    first, second = server.seen("nominatim")
    assert second.at - first.at >= 0.95
    assert elapsed >= 0.9  # the second proposal waited for its slot...
    venue = venue_state(app, "Café Drummond")
    assert (venue["status"], venue["precision"]) == ("located", "housenumber")  # ...and got it


@pytest.mark.parametrize("budget", [0.5])
def test_nominatim_is_skipped_when_its_slot_comes_after_the_budget(app, client, organiser, server):
    propose(client, city="Montréal", venue_address=MONTREAL_ADDRESS)
    _, elapsed = propose(
        client, city="Montréal", venue_name="Café Drummond", venue_address="3455 rue Drummond"
    )
    assert elapsed < 0.5  # skipped at once rather than waiting for a slot it could not use
    assert server.count("nominatim") == 1
    assert venue_state(app, "Café Drummond")["status"] == "pending"


def test_with_redis_the_slot_is_shared_across_processes(
    app_config, redis_url, server, create_gathering
):
    # Two more apps, each with its own process-local state, stand for two worker processes.
    app_config["REDIS_URL"] = redis_url
    first = create_gathering(venue_name="Un", city="Montréal", venue_address=MONTREAL_ADDRESS)
    second = create_gathering(venue_name="Deux", city="Montréal", venue_address="3455 rue Drummond")
    workers = [create_app(app_config), create_app(app_config)]
    for worker, venue_id in zip(workers, (first.venue_id, second.venue_id), strict=True):
        with worker.app_context():
            assert geocoding.locate(db.session.get(Venue, venue_id))
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
    first_seen, second_seen = server.seen("nominatim")
    assert second_seen.at - first_seen.at >= 0.95


def test_with_redis_down_nominatim_is_not_asked(app_config, server, create_gathering, caplog):
    app_config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    venue_id = create_gathering(city="Montréal", venue_address=MONTREAL_ADDRESS).venue_id
    app = create_app(app_config)
    with app.app_context(), caplog.at_level(logging.WARNING):
        assert geocoding.locate(db.session.get(Venue, venue_id)) is False
        db.session.remove()
        db.engine.dispose()
    assert server.requests == []
    assert "Redis failed" in caplog.text
