"""/cities/<slug>?within=<km>: gatherings in other cities whose venue lies within a distance."""

import re
from datetime import timedelta

import pytest
from geopy.distance import great_circle

from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings import queries, services
from meetups.gatherings.models import Gathering
from meetups.places import gazetteer
from meetups.places.services import city_for
from tests.conftest import future_local, text_of
from tests.conftest import place_venue as place

LYON_CENTRE = (45.74906, 4.84789)  # the gazetteer's, which the city page measures from
VILLEURBANNE_VENUE = (45.7719, 4.8902)  # 4.15 km from Lyon's centre
SAINT_ETIENNE_VENUE = (45.4397, 4.3872)  # 49.7 km
BAD_WITHIN_MESSAGE = "Choose a distance between 0.1 and 200 km."


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def gathering_at(app, create_gathering):
    """A gathering in a city, its venue placed at a point (or left pending with point=None)."""
    counter = iter(range(1, 1000))

    def make(city, point, title=None, **fields):
        n = next(counter)
        gathering = create_gathering(
            city=city,
            title=title or f"Gathering {n} in {city}",
            venue_name=fields.pop("venue_name", f"Venue {n}"),
            venue_address=fields.pop("venue_address", f"{n} rue du Test"),
            **fields,
        )
        if point is not None:
            place(app, gathering.venue_id, point)
        return gathering

    return make


def away(origin, km, bearing):
    """The point `km` kilometres from `origin` on a bearing (degrees), on the sphere distances use."""
    point = great_circle(kilometers=km).destination(origin, bearing)
    return point.latitude, point.longitude


def sections(html: str) -> tuple[str, str]:
    """The city's own list, and the nearby section, of a city page."""
    start, end = html.index('id="nearby-heading"'), html.index('class="column-side"')
    return html[:start], html[start:end]


def cards(html: str) -> list[int]:
    """The gathering ids listed as cards, in page order."""
    return [int(i) for i in re.findall(r'class="card-title"><a href="/events/(\d+)"', html)]


def city_page(client, query=""):
    response = client.get(f"/cities/lyon{query}")
    assert response.status_code == 200, response.text
    return response.text


@pytest.fixture
def lyon(create_gathering):
    """Lyon's own gathering, so the Lyon city row exists."""
    return create_gathering(city="Lyon", title="Apéro à Lyon")


# What nearby adds, and where.


def test_a_villeurbanne_gathering_shows_nearby_with_its_distance_not_in_lyons_list(
    client, lyon, gathering_at
):
    villeurbanne = gathering_at("Villeurbanne", VILLEURBANNE_VENUE, title="Café à Villeurbanne")
    plain = city_page(client)
    assert villeurbanne.id not in cards(plain)
    assert "Café à Villeurbanne" not in plain
    assert "km away" not in plain

    own, near = sections(city_page(client, "?within=20"))
    assert cards(own) == [lyon.id]
    assert cards(near) == [villeurbanne.id]
    assert "Café à Villeurbanne" in near
    assert '<span class="distance">4.2 km away</span>' in near
    assert "Villeurbanne" in text_of(near)  # its city is named, and linked
    assert 'href="/cities/villeurbanne"' in near


def test_the_distance_follows_the_language(client, lyon, gathering_at):
    gathering_at("Villeurbanne", VILLEURBANNE_VENUE)
    _, near = sections(client.get("/cities/lyon?within=20", headers={"Accept-Language": "fr"}).text)
    assert "4,2" in near  # French decimal comma


def test_saint_etienne_needs_50_km(client, lyon, gathering_at):
    far = gathering_at("Saint-Étienne", SAINT_ETIENNE_VENUE)
    assert far.id not in cards(sections(city_page(client, "?within=25"))[1])
    _, near = sections(city_page(client, "?within=50"))
    assert cards(near) == [far.id]
    assert "49.7 km away" in near


def test_a_venue_not_located_never_shows_nearby(client, lyon, gathering_at):
    pending = gathering_at("Villeurbanne", None, title="Pas encore placé")
    for within in (10, 50, 200):
        page = city_page(client, f"?within={within}")
        assert pending.id not in cards(page)
        assert "Pas encore placé" not in page
    _, near = sections(city_page(client, "?within=50"))
    assert "No gathering in another city within 50 km." in text_of(near)


def test_the_citys_own_gatherings_are_not_repeated_nearby(app, client, lyon, gathering_at):
    place(app, lyon.venue_id, away(LYON_CENTRE, 1, 45))
    other = gathering_at("Lyon", away(LYON_CENTRE, 3, 200))
    html = city_page(client, "?within=50")
    own, near = sections(html)
    assert sorted(cards(own)) == sorted([lyon.id, other.id])
    assert cards(near) == []
    assert html.count(f'href="/events/{lyon.id}"') == 1


def test_cancelled_gatherings_show_nearby_marked(app, client, lyon, gathering_at):
    cancelled = gathering_at("Villeurbanne", VILLEURBANNE_VENUE, title="Annulé")
    with app.app_context():
        services.cancel(db.session.get(Gathering, cancelled.id))
        db.session.commit()
    _, near = sections(city_page(client, "?within=20"))
    assert cards(near) == [cancelled.id]
    assert "card-cancelled" in near
    assert "Cancelled" in text_of(near)


def test_past_gatherings_do_not_show_nearby(client, lyon, gathering_at):
    over = gathering_at("Villeurbanne", VILLEURBANNE_VENUE, start=future_local(days=-3))
    assert over.id not in cards(city_page(client, "?within=20"))


def test_nearby_gatherings_come_soonest_first_whatever_their_distance(client, lyon, gathering_at):
    # As the city's own list: by date. The distance is shown on each card.
    later_near = gathering_at("Villeurbanne", VILLEURBANNE_VENUE, start=future_local(days=20))
    sooner_far = gathering_at("Bron", away(LYON_CENTRE, 15, 90), start=future_local(days=5))
    soonest_mid = gathering_at("Vénissieux", away(LYON_CENTRE, 8, 160), start=future_local(days=2))
    _, near = sections(city_page(client, "?within=20"))
    assert cards(near) == [soonest_mid.id, sooner_far.id, later_near.id]
    distances = re.findall(r'class="distance">([\d.]+) km away<', near)
    assert distances == ["8", "15", "4.2"]


def test_tag_and_within_combine(client, create_gathering, gathering_at):
    create_gathering(city="Lyon", title="Lyon SEO", tags="seo")
    create_gathering(city="Lyon", title="Lyon compta", tags="compta")
    seo = gathering_at("Villeurbanne", VILLEURBANNE_VENUE, title="Villeurbanne SEO", tags="seo")
    gathering_at("Villeurbanne", away(VILLEURBANNE_VENUE, 1, 0), title="V compta", tags="compta")
    html = city_page(client, "?tag=seo&within=20")
    own, near = sections(html)
    assert "Lyon SEO" in own and "Lyon compta" not in own
    assert cards(near) == [seo.id]
    assert "V compta" not in html
    # The distance form keeps the tag; "show all" keeps the distance.
    assert '<input type="hidden" name="tag" value="seo">' in near
    assert 'href="/cities/lyon?within=20.0"' in html


# Bad and empty distances.


@pytest.mark.parametrize(
    "within", ["-3", "0", "abc", "1e9", "nan", "NaN", "inf", "-inf", "201", "0.05", "1e-400"]
)
def test_bad_distances_are_a_400_with_a_message(client, lyon, within):
    response = client.get("/cities/lyon", query_string={"within": within})
    assert response.status_code == 400
    assert BAD_WITHIN_MESSAGE in response.text


@pytest.mark.parametrize("within", ["200", "0.1", "12.5", " 25 "])
def test_distances_in_range_are_accepted(client, lyon, within):
    assert client.get("/cities/lyon", query_string={"within": within}).status_code == 200


@pytest.mark.parametrize("query", ["?within=", "?within=%20", "?within=&tag="])
def test_an_empty_distance_is_no_filter(client, lyon, gathering_at, query):
    gathering_at("Villeurbanne", VILLEURBANNE_VENUE)
    html = city_page(client, query)
    assert cards(html) == [lyon.id]
    assert "km away" not in html
    assert "No gathering in another city" not in html


def test_the_city_page_offers_10_25_and_50_km_in_a_labelled_get_form(client, lyon):
    _, near = sections(city_page(client))
    form = re.search(r"<form [^>]*>.*?</form>", near, re.S).group(0)
    assert 'method="get"' in form and 'action="/cities/lyon"' in form
    assert '<label for="within">' in form
    assert '<select id="within" name="within">' in form
    values = re.findall(r'<option value="([^"]*)"', form)
    assert values == ["", "10", "25", "50"]
    assert "selected" not in form
    assert "10 km" in form and "25 km" in form and "50 km" in form

    _, near = sections(city_page(client, "?within=25"))
    assert '<option value="25" selected>' in near


def test_a_distance_not_offered_is_kept_as_chosen(client, lyon):
    _, near = sections(city_page(client, "?within=12.5"))
    assert re.search(r'<option value="12.5" selected>12.5 km</option>', near)


# The bounding box only narrows: the exact distance decides.


@pytest.mark.parametrize("bearing", [0, 90, 180, 270, 45, 135])
def test_a_point_just_inside_the_radius_is_included(client, lyon, gathering_at, bearing):
    inside = gathering_at("Villeurbanne", away(LYON_CENTRE, 19.98, bearing))
    _, near = sections(city_page(client, "?within=20"))
    assert cards(near) == [inside.id]
    assert "20 km away" in near  # 19.98, rounded for people


@pytest.mark.parametrize("bearing", [0, 90, 180, 270])
def test_a_point_just_outside_the_radius_is_excluded(client, lyon, gathering_at, bearing):
    gathering_at("Villeurbanne", away(LYON_CENTRE, 20.05, bearing))
    assert cards(sections(city_page(client, "?within=20"))[1]) == []


def test_a_point_in_the_corner_of_the_box_but_outside_the_circle_is_excluded(
    client, lyon, gathering_at
):
    # 90 % of the way to the box's north-east corner: inside the box, ~25 km away.
    dlat = away(LYON_CENTRE, 20, 0)[0] - LYON_CENTRE[0]
    dlon = away(LYON_CENTRE, 20, 90)[1] - LYON_CENTRE[1]
    corner = (LYON_CENTRE[0] + 0.9 * dlat, LYON_CENTRE[1] + 0.9 * dlon)
    assert great_circle(LYON_CENTRE, corner).km > 24
    gathering_at("Villeurbanne", corner)
    assert cards(sections(city_page(client, "?within=20"))[1]) == []
    assert len(cards(sections(city_page(client, "?within=30"))[1])) == 1


# queries.nearby, called directly.


@pytest.mark.parametrize(
    ("city", "km"), [("Tromsø", 19.5), ("Oslo", 19.5), ("Tromsø", 49.9), ("Lyon", 19.9)]
)
def test_nearby_finds_a_venue_due_east_at_any_latitude(app, gathering_at, city, km):
    # At 69.6° N a degree of longitude is a third as long as at the equator: the box widens.
    place_ = gazetteer.lookup(city)
    centre = (place_.latitude, place_.longitude)
    east = away(centre, km, 90)
    assert east[1] - centre[1] > km / 111.2  # farther in degrees than a latitude-sized box reaches
    gathering = gathering_at(city, east)
    within = 20 if km < 20 else 50
    with app.app_context():
        found = queries.nearby(*centre, within)
        assert [(g.id, round(d, 1)) for g, d in found] == [(gathering.id, round(km, 1))]
        assert queries.nearby(*centre, km - 0.5) == []
        home = city_for(place_)
        assert queries.nearby(*centre, within, exclude_city=home) == []


def test_nearby_far_north_also_finds_a_venue_north_east(app, gathering_at):
    # The circle's widest longitude lies poleward of its centre's parallel.
    tromso = gazetteer.lookup("Tromsø")
    centre = (tromso.latitude, tromso.longitude)
    for bearing in (30, 60, 75, 85):
        gathering_at("Tromsø", away(centre, 49.9, bearing))
    with app.app_context():
        assert len(queries.nearby(*centre, 50)) == 4


def test_nearby_leaves_out_past_and_optionally_cancelled_gatherings(app, gathering_at):
    kept = gathering_at("Villeurbanne", VILLEURBANNE_VENUE)
    cancelled = gathering_at("Villeurbanne", VILLEURBANNE_VENUE, venue_name="Autre")
    gathering_at("Villeurbanne", VILLEURBANNE_VENUE, venue_name="Passé", start=future_local(-2))
    with app.app_context():
        services.cancel(db.session.get(Gathering, cancelled.id))
        db.session.commit()
        everything = queries.nearby(*LYON_CENTRE, 10)
        assert [g.id for g, _ in everything] == [kept.id, cancelled.id]
        scheduled = queries.nearby(*LYON_CENTRE, 10, include_cancelled=False)
        assert [g.id for g, _ in scheduled] == [kept.id]
        ahead = queries.nearby(*LYON_CENTRE, 10, now=utcnow() + timedelta(days=400))
        assert ahead == []
