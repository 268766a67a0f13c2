"""Maps: the venue on the gathering page, a city's gatherings on its page, Leaflet from a package."""

import json
import re

import pytest

from meetups.extensions import db
from meetups.places.models import Venue
from tests.conftest import place_venue as place
from tests.conftest import text_of

VENUE_POINT = (45.76051, 4.83598)
OTHER_POINT = (45.7578, 4.832)
NASTY = "</script><script>alert(1)</script>"
LEAFLET_JS = '<script src="/vendor/leaflet/leaflet.js" defer></script>'
LEAFLET_CSS = '<link rel="stylesheet" href="/vendor/leaflet/leaflet.css">'


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def map_data(html: str) -> list:
    """Every JSON map block of a page, parsed, in order."""
    blocks = re.findall(
        r'<script type="application/json" class="map-data">(.*?)</script>', html, re.S
    )
    return [json.loads(block) for block in blocks]


def osm_links(html: str) -> list[tuple[str, str]]:
    """(mlat, mlon) of every link to a place on openstreetmap.org."""
    return re.findall(
        r'href="https://www\.openstreetmap\.org/\?mlat=([-\d.]+)&amp;mlon=([-\d.]+)', html
    )


@pytest.fixture
def located(app, create_gathering):
    gathering = create_gathering(
        title="Apéro cartographié",
        venue_name="Café des Freelances",
        venue_address="20 rue de la République",
    )
    place(app, gathering.venue_id, VENUE_POINT)
    return gathering


@pytest.fixture
def pending(create_gathering):
    return create_gathering(
        title="Apéro sans carte", venue_name="Le Bistrot", venue_address="8 quai Saint-Antoine"
    )


# The gathering page.


def test_a_located_venue_is_on_a_map_with_its_coordinates(client, located):
    html = client.get(f"/events/{located.id}").text
    assert re.search(r'<div class="map" data-map data-center="45.76051,4.83598"', html)
    assert map_data(html) == [
        [
            {
                "id": located.id,
                "title": "Apéro cartographié",
                "url": f"/events/{located.id}",
                "venue": "Café des Freelances",
                "latitude": VENUE_POINT[0],
                "longitude": VENUE_POINT[1],
                "cancelled": False,
            }
        ]
    ]
    assert "Location pending" not in html


def test_a_located_venue_links_to_openstreetmap_and_credits_it(client, located):
    html = client.get(f"/events/{located.id}").text
    assert osm_links(html) == [("45.760510", "4.835980")]
    assert "#map=17/45.760510/4.835980" in html
    assert 'data-attribution="© OpenStreetMap contributors"' in html
    assert '<a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>' in html
    assert "Map data © OpenStreetMap contributors." in text_of(html)


def test_the_gathering_page_loads_leaflet_from_the_package(client, located):
    html = client.get(f"/events/{located.id}").text
    assert LEAFLET_CSS in html
    assert LEAFLET_JS in html
    assert '<script src="/static/js/map.js" defer></script>' in html
    assert html.index(LEAFLET_JS) < html.index("/static/js/map.js")  # L exists when map.js runs
    assert "unpkg.com" not in html and "cdnjs" not in html


def fetch(client, path):
    """Status, type and body of a file response, closed after reading."""
    with client.get(path) as response:
        return response.status_code, response.mimetype, response.get_data()


def test_leaflet_and_the_map_script_are_served(client):
    status, mimetype, body = fetch(client, "/vendor/leaflet/leaflet.js")
    assert status == 200
    assert mimetype in ("text/javascript", "application/javascript")
    assert b"Leaflet" in body[:1000]
    status, mimetype, body = fetch(client, "/vendor/leaflet/leaflet.css")
    assert (status, mimetype) == (200, "text/css")
    assert b".leaflet-container" in body
    # What leaflet.css points at.
    assert fetch(client, "/vendor/leaflet/images/marker-icon.png")[:2] == (200, "image/png")
    status, _, body = fetch(client, "/static/js/map.js")
    assert status == 200 and b"data-map" in body


@pytest.mark.parametrize(
    "path",
    [
        "/vendor/leaflet/../../etc/passwd",
        "/vendor/leaflet/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/vendor/leaflet/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/vendor/leaflet/../__init__.py",
        "/vendor/leaflet/..%2f__init__.py",
        "/vendor/leaflet/%2fetc%2fpasswd",
        "/vendor/leaflet/",
        "/vendor/leaflet/nothing.js",
    ],
)
def test_nothing_outside_leaflets_files_is_served(client, path):
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 404
    assert b"root:" not in response.data and b"xstatic" not in response.data


def test_a_venue_not_located_says_so_and_shows_its_address_without_a_map(client, pending):
    html = client.get(f"/events/{pending.id}").text
    text = text_of(html)
    assert "Location pending" in text
    assert "Le Bistrot 8 quai Saint-Antoine Lyon" in text
    assert 'href="/cities/lyon"' in html
    assert "data-map" not in html
    assert map_data(html) == []
    assert "/vendor/leaflet/" not in html and "map.js" not in html
    assert osm_links(html) == []


def test_a_venue_placed_at_the_city_centre_is_said_to_be_approximate(app, client, pending):
    place(app, pending.venue_id, (45.74906, 4.84789))
    with app.app_context():
        venue = db.session.get(Venue, pending.venue_id)
        venue.geocoded_by, venue.geocode_precision = "offline", "city"
        db.session.commit()
    html = client.get(f"/events/{pending.id}").text
    assert "Placed at the city centre: the exact spot is approximate." in html
    assert "data-map" in html


def test_a_cancelled_gathering_keeps_its_map_marked_cancelled(app, client, located):
    from meetups.gatherings import services
    from meetups.gatherings.models import Gathering

    with app.app_context():
        services.cancel(db.session.get(Gathering, located.id))
        db.session.commit()
    html = client.get(f"/events/{located.id}").text
    (places,) = map_data(html)
    assert [p["cancelled"] for p in places] == [True]


# The city page.


def test_the_city_page_maps_its_located_gatherings(app, client, located, pending, create_gathering):
    second = create_gathering(title="Atelier SEO", venue_name="La Cordée", venue_address="1 rue X")
    place(app, second.venue_id, OTHER_POINT)
    html = client.get("/cities/lyon").text
    assert "data-map" in html and 'data-center="45.74906,4.84789"' in html  # Lyon's centre
    (places,) = map_data(html)
    assert {(p["id"], p["latitude"], p["longitude"]) for p in places} == {
        (located.id, *VENUE_POINT),
        (second.id, *OTHER_POINT),
    }
    assert all(p["url"] == f"/events/{p['id']}" for p in places)
    assert pending.id not in [p["id"] for p in places]  # listed, but not on the map
    assert f'href="/events/{pending.id}"' in html
    # Without JavaScript: one link per located venue, named, to openstreetmap.org.
    assert sorted(osm_links(html)) == [("45.757800", "4.832000"), ("45.760510", "4.835980")]
    links = re.findall(
        r'<li><a href="https://www\.openstreetmap\.org/[^"]*"[^>]*>([^<]*)</a>', html
    )
    assert sorted(links) == ["Café des Freelances", "La Cordée"]
    assert LEAFLET_JS in html and LEAFLET_CSS in html
    assert "© OpenStreetMap contributors" in html


def test_a_city_with_nothing_located_still_has_an_empty_map(client, pending):
    html = client.get("/cities/lyon").text
    assert map_data(html) == [[]]
    assert "No venue located on the map yet." in html
    assert osm_links(html) == []


def test_the_city_map_includes_nearby_gatherings_when_asked(app, client, located, create_gathering):
    near = create_gathering(city="Villeurbanne", venue_name="Chez V", venue_address="2 cours Émile")
    place(app, near.venue_id, (45.7719, 4.8902))
    ids = [p["id"] for p in map_data(client.get("/cities/lyon").text)[0]]
    assert ids == [located.id]
    ids = [p["id"] for p in map_data(client.get("/cities/lyon?within=10").text)[0]]
    assert sorted(ids) == sorted([located.id, near.id])


# Escaping: what people type never becomes markup or script.


def test_a_venue_name_cannot_break_out_of_the_json_block(app, client, create_gathering):
    gathering = create_gathering(
        title=f"Titre {NASTY}", venue_name=f"Bar {NASTY}", venue_address=f"1 rue {NASTY}"
    )
    place(app, gathering.venue_id, VENUE_POINT)
    for path in (f"/events/{gathering.id}", "/cities/lyon"):
        html = client.get(path).text
        assert "<script>alert(1)" not in html
        assert html.count("</script>") == html.count("<script")  # every script closes once
        (places,) = map_data(html)  # the block parses, and says exactly what was typed
        assert places[0]["venue"] == f"Bar {NASTY}"
        assert places[0]["title"] == f"Titre {NASTY}"
    # The map's accessible name and heading id carry the name too: escaped.
    html = client.get(f"/events/{gathering.id}").text
    assert 'aria-label="Map of Bar &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html


def test_quotes_and_ampersands_in_names_stay_text(app, client, create_gathering):
    gathering = create_gathering(venue_name='Bar "L\'Ancre" & Co', venue_address="3 rue A")
    place(app, gathering.venue_id, VENUE_POINT)
    html = client.get(f"/events/{gathering.id}").text
    (places,) = map_data(html)
    assert places[0]["venue"] == 'Bar "L\'Ancre" & Co'
    raw = html.split('class="map-data">')[1].split("</script>")[0]
    assert "&" not in raw and "'" not in raw and "<" not in raw  # as \\u0026, \\u0027, \\u003c
