"""Browsing pages: home, cities, a city, a gathering; empty states; no script; query counts."""

import itertools
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings.models import Gathering
from tests.conftest import assert_script_only_enhances, place_venue, text_of

YEAR = max(2027, utcnow().year + 1)
SUMMER_EVENING = datetime(YEAR, 6, 17, 19, 0)


@pytest.fixture(autouse=True)
def english(client):
    """Ask for English pages, so text assertions hold once a French catalogue exists."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def quick_user(app):
    """An account made straight in the database (no password hashing): for bulk data."""
    from meetups.accounts.models import User

    counter = itertools.count(1)

    def make(display_name=None, trade="developer"):
        n = next(counter)
        with app.app_context():
            user = User(
                email=f"quick{n}@example.org",
                password_hash="!",  # matches no password
                display_name=display_name or f"Quick {n}",
                trade=trade,
            )
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


@pytest.fixture
def gather(create_gathering, quick_user):
    """create_gathering with a fresh organiser each time, cheaply."""

    def make(**fields):
        fields.setdefault("organiser", quick_user())
        return create_gathering(**fields)

    return make


@pytest.fixture
def move_to_past(app):
    """Make a gathering one that ended yesterday."""

    def move(gathering_id):
        with app.app_context():
            gathering = db.session.get(Gathering, gathering_id)
            gathering.starts_at = utcnow() - timedelta(days=1, hours=2)
            gathering.ends_at = utcnow() - timedelta(days=1)
            db.session.commit()

    return move


@pytest.fixture
def cancel(app):
    def do(gathering_id):
        from meetups.gatherings import services

        with app.app_context():
            services.cancel(db.session.get(Gathering, gathering_id))
            db.session.commit()

    return do


def card_titles(html: str) -> list[str]:
    """The gathering titles listed as cards, in page order."""
    return [text_of(t) for t in re.findall(r'class="card-title">(.*?)</h3>', html, re.S)]


def card_of(html: str, title: str) -> str:
    for card in re.findall(r'<article class="card[^"]*">.*?</article>', html, re.S):
        if title in card:
            return card
    raise AssertionError(f"no card for {title!r}")


# Home.


def test_home_lists_upcoming_gatherings_and_cities_not_past_ones(client, gather, move_to_past):
    gather(title="Apéro Lyon", start=SUMMER_EVENING)
    gather(title="Déjeuner Lyon", start=SUMMER_EVENING + timedelta(days=2))
    gather(title="Café Saint-Étienne", city="Saint-Étienne", start=SUMMER_EVENING)
    past = gather(title="Vieil apéro", city="Grenoble")
    move_to_past(past.id)

    page = client.get("/")
    assert page.status_code == 200
    assert card_titles(page.text) == ["Apéro Lyon", "Café Saint-Étienne", "Déjeuner Lyon"]
    assert "Vieil apéro" not in page.text
    text = text_of(page.text)
    assert "Lyon 2 upcoming" in text
    assert "Saint-Étienne 1 upcoming" in text
    assert 'href="/cities/lyon"' in page.text
    assert 'href="/cities/saint-etienne"' in page.text
    # Grenoble's only gathering is over: no city entry for it on the home page.
    assert 'href="/cities/grenoble"' not in page.text
    # A way to pick a city.
    assert 'action="/cities"' in page.text
    assert 'name="q"' in page.text


@pytest.fixture
def member_of(app, create_user, login):
    """member_of("Villeurbanne"): a person living there, signed in."""
    from meetups.accounts.models import User
    from meetups.places import gazetteer
    from meetups.places.services import city_for

    def make(home):
        user = create_user()
        with app.app_context():
            db.session.get(User, user.id).home_city = city_for(gazetteer.lookup(home))
            db.session.commit()
        login(user)
        return user

    return make


def test_home_opens_on_my_city_and_what_is_near_it(app, client, gather, member_of):
    lyon = gather(title="Apéro Lyon", city="Lyon", start=SUMMER_EVENING + timedelta(days=1))
    place_venue(app, lyon.venue_id, (45.7640, 4.8357))  # Lyon's centre: 3.4 km from Villeurbanne
    gather(title="Café Villeurbanne", city="Villeurbanne", start=SUMMER_EVENING + timedelta(days=2))
    gather(title="Apéro Paris", city="Paris", start=SUMMER_EVENING)
    far = gather(title="Apéro Saint-Étienne", city="Saint-Étienne", start=SUMMER_EVENING)
    place_venue(app, far.venue_id, (45.4397, 4.3872))  # 50 km away: elsewhere
    member_of("Villeurbanne")

    page = client.get("/")
    assert page.status_code == 200
    around, elsewhere = page.text.split('id="upcoming-heading"')
    assert "In and around Villeurbanne" in text_of(around)
    assert card_titles(around) == ["Apéro Lyon", "Café Villeurbanne"]
    assert "3.4 km away" in text_of(card_of(around, "Apéro Lyon"))
    assert "Elsewhere" in text_of(elsewhere)
    assert card_titles(elsewhere) == ["Apéro Paris", "Apéro Saint-Étienne"]
    assert page.headers["Cache-Control"] == "private"


def test_home_says_when_nothing_is_planned_around_me(client, gather, member_of):
    gather(title="Apéro Paris", city="Paris")
    member_of("Montréal")
    text = text_of(client.get("/").text)
    assert "Nothing planned within 25 km of Montréal yet." in text
    assert "Apéro Paris" in text


def test_home_without_a_home_city_is_the_same_as_anonymous(client, gather, create_user, login):
    gather(title="Apéro Lyon")
    anonymous = client.get("/").text
    login(create_user())
    page = client.get("/").text
    assert "around-heading" not in page
    assert card_titles(page) == card_titles(anonymous) == ["Apéro Lyon"]
    assert "Upcoming gatherings" in text_of(page)


def test_home_on_an_empty_database_says_what_to_do(client):
    page = client.get("/")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "No gatherings planned yet" in text
    assert "No city has a gathering planned yet" in text
    assert 'href="/events/new"' in page.text


def test_cities_on_an_empty_database_says_what_to_do(client):
    page = client.get("/cities")
    assert page.status_code == 200
    assert "No city yet" in text_of(page.text)
    assert re.search(r'<a class="button" href="/events/new">', page.text)


# Cities.


def test_cities_lists_every_city_with_its_upcoming_count(client, gather, move_to_past, cancel):
    gather(start=SUMMER_EVENING)
    gather(start=SUMMER_EVENING + timedelta(days=1))
    cancelled = gather(start=SUMMER_EVENING + timedelta(days=2))
    cancel(cancelled.id)
    gather(city="Montréal", venue_address="1 rue Sainte-Catherine")
    past = gather(city="Grenoble")
    move_to_past(past.id)

    page = client.get("/cities")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Lyon 2 upcoming gatherings" in text  # the cancelled one does not count
    assert "Montréal 1 upcoming gathering" in text
    assert "Grenoble 0 upcoming gatherings" in text
    for slug in ("lyon", "montreal", "grenoble"):
        assert f'href="/cities/{slug}"' in page.text


def test_a_city_page_lists_only_its_upcoming_gatherings(client, gather, move_to_past):
    gather(title="Apéro Lyon", start=SUMMER_EVENING)
    gather(title="Café Saint-Étienne", city="Saint-Étienne")
    past = gather(title="Vieil apéro")
    move_to_past(past.id)

    page = client.get("/cities/lyon")
    assert page.status_code == 200
    assert card_titles(page.text) == ["Apéro Lyon"]
    text = text_of(page.text)
    assert "Lyon" in text
    assert "Europe/Paris" in text


def test_a_city_page_filters_by_tag(client, gather):
    gather(title="Déjeuner SEO", tags="seo, rédaction", start=SUMMER_EVENING)
    gather(title="Atelier correction", tags="correction", start=SUMMER_EVENING)

    for tag in ("seo", "SEO", " seo "):
        page = client.get("/cities/lyon", query_string={"tag": tag})
        assert page.status_code == 200
        assert card_titles(page.text) == ["Déjeuner SEO"], tag
    page = client.get("/cities/lyon?tag=rédaction")
    assert card_titles(page.text) == ["Déjeuner SEO"]
    assert "Showing gatherings tagged “rédaction”" in text_of(page.text)

    none = client.get("/cities/lyon?tag=photo")
    assert none.status_code == 200
    assert card_titles(none.text) == []
    assert "No upcoming gathering with this tag" in text_of(none.text)

    everything = client.get("/cities/lyon")
    assert sorted(card_titles(everything.text)) == ["Atelier correction", "Déjeuner SEO"]


def test_a_tag_in_the_address_is_shown_as_text(client, gather):
    gather()
    page = client.get("/cities/lyon", query_string={"tag": "<script>x</script>"})
    assert page.status_code == 200
    assert "<script>x</script>" not in page.text
    assert "&lt;script&gt;x&lt;/script&gt;" in page.text


def test_a_city_without_upcoming_gatherings_invites_a_proposal(client, gather, move_to_past):
    move_to_past(gather().id)
    page = client.get("/cities/lyon")
    assert page.status_code == 200
    assert card_titles(page.text) == []
    assert "Nothing planned in Lyon yet" in text_of(page.text)
    assert 'href="/events/new"' in page.text


def test_unknown_city_slug_is_404(client, gather):
    gather()
    assert client.get("/cities/atlantide").status_code == 404
    # A real city nobody has used yet is unknown to the site too.
    assert client.get("/cities/nantes").status_code == 404


def test_cancelled_gatherings_are_listed_marked_cancelled(client, gather, cancel):
    gather(title="Apéro maintenu", start=SUMMER_EVENING)
    cancelled = gather(title="Apéro annulé", start=SUMMER_EVENING + timedelta(days=1))
    cancel(cancelled.id)

    for path in ("/", "/cities/lyon"):
        page = client.get(path)
        assert card_titles(page.text) == ["Apéro maintenu", "Apéro annulé"], path
        card = card_of(page.text, "Apéro annulé")
        assert "card-cancelled" in card
        assert "Cancelled" in text_of(card)
        assert "Cancelled" not in text_of(card_of(page.text, "Apéro maintenu"))


def test_city_search_goes_to_the_city(client, gather):
    gather(city="Saint-Étienne")
    gather(city="Lyon")
    for query, slug in (("lyon", "lyon"), ("LYON ", "lyon"), ("saint etienne", "saint-etienne")):
        response = client.get("/cities", query_string={"q": query})
        assert response.status_code == 302, query
        assert urlsplit(response.headers["Location"]).path == f"/cities/{slug}"


def test_city_search_for_a_city_without_gatherings_invites_a_proposal(client, gather):
    gather()
    response = client.get("/cities", query_string={"q": "Nantes"})
    assert response.status_code == 200
    assert "No gathering in Nantes (France) yet." in text_of(response.text)
    assert 'href="/events/new"' in response.text


def test_city_search_names_the_city_it_understood(client):
    # Not silently: "Atlantis" is a town in South Africa, which the person may not have meant.
    response = client.get("/cities", query_string={"q": "Atlantis"})
    assert "No gathering in Atlantis (South Africa) yet." in text_of(response.text)


def test_city_search_says_plainly_a_city_is_unknown_and_offers_close_names(client, gather):
    gather(city="Lyon")
    response = client.get("/cities", query_string={"q": "Lyonn"})
    assert response.status_code == 200
    text = text_of(response.text)
    assert "We don’t know a city called “Lyonn”." in text
    assert "Propose the first one" not in text
    assert 'href="/cities?q=Lyon,+France"' in response.text
    followed = client.get("/cities?q=Lyon,+France")
    assert urlsplit(followed.headers["Location"]).path == "/cities/lyon"


def test_city_search_for_nonsense_says_so(client):
    text = text_of(client.get("/cities", query_string={"q": "Xyzzyville"}).text)
    assert "We don’t know a city called “Xyzzyville”." in text
    assert "Check the spelling" in text


# A gathering.


def test_gathering_page_shows_what_people_need(client, create_user, create_gathering):
    camille = create_user(display_name="Camille Martin", trade="proofreader")
    gathering = create_gathering(
        organiser=camille,
        start=SUMMER_EVENING,
        description="On parle tarifs.\nVenez nombreux.",
    )
    page = client.get(f"/events/{gathering.id}", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Apéro freelance" in text
    assert "On parle tarifs." in text
    assert "Venez nombreux." in text
    assert f"17 juin {YEAR}" in text
    assert "19:00" in text
    assert "21:00" in text
    assert "Europe/Paris (UTC+02:00)" in text
    assert "Café des Freelances" in text
    assert "12 rue de la République, 69002 Lyon" in text
    # A suggested trade is shown in the page's language; a trade typed freely, as typed.
    assert "Proposée par Camille Martin · correcteur" in text
    english = client.get(f"/events/{gathering.id}", headers={"Accept-Language": "en"})
    assert "Proposed by Camille Martin · proofreader" in text_of(english.text)
    assert "@example.org" not in page.text
    # Machines read the same instant from the <time> element.
    first_time = re.search(r'<time datetime="([^"]+)"', page.text).group(1)
    assert datetime.fromisoformat(first_time) == datetime(YEAR, 6, 17, 17, 0, tzinfo=UTC)


def test_gathering_page_in_winter_shows_the_winter_offset(client, create_gathering):
    gathering = create_gathering(start=datetime(YEAR, 1, 14, 19, 0))
    page = client.get(f"/events/{gathering.id}", headers={"Accept-Language": "fr"})
    text = text_of(page.text)
    assert f"14 janvier {YEAR}" in text
    assert "19:00" in text
    assert "Europe/Paris (UTC+01:00)" in text


def seats_left(html: str) -> str:
    match = re.search(r'id="seats-left"[^>]*>(.*?)</', html, re.S)
    assert match, "no seats-left element"
    return text_of(match.group(1))


@pytest.mark.parametrize(("capacity", "left"), [("12", "11"), ("2", "1"), ("1", "0")])
def test_seats_left_counts_the_organiser(client, gather, capacity, left):
    gathering = gather(capacity=capacity)
    page = client.get(f"/events/{gathering.id}")
    assert re.findall(r"\d+", seats_left(page.text)) == [left]


def test_no_seat_limit_shows_no_number(client, gather):
    gathering = gather(capacity="")
    page = client.get(f"/events/{gathering.id}")
    shown = seats_left(page.text)
    assert shown  # says so in words
    assert not re.search(r"\d", shown)


# Every page works without JavaScript.


class Forms(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.forms = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "form":
            self.forms.append(dict(attrs))


def test_pages_need_no_script(client, create_user, login, gather):
    gathering = gather()
    user = create_user()
    paths = ["/", "/cities", "/cities/lyon", f"/events/{gathering.id}", "/auth/login"]
    for path in paths:
        page = client.get(path)
        assert page.status_code == 200, path
        assert_script_only_enhances(page.text, path)
        for form in Forms(page.text).forms:
            assert form.get("method", "get").lower() in ("get", "post"), (path, form)

    # Signed in as the organiser: the proposal, edit and cancel forms are plain POST forms.
    client.post("/auth/logout")
    login(user)
    own = gather(organiser=user)
    cancelling = f"/events/{own.id}/cancel"
    for path in ("/events/new", f"/events/{own.id}/edit", f"/events/{own.id}", cancelling):
        page = client.get(path)
        assert page.status_code == 200, path
        assert_script_only_enhances(page.text, path)
    # The organiser's cancel button leads to a confirmation page, whose form posts to itself.
    assert f'href="{cancelling}"' in client.get(f"/events/{own.id}").text
    assert any(
        f.get("method", "").lower() == "post" for f in Forms(client.get(cancelling).text).forms
    )
    forms = Forms(client.get("/events/new").text).forms
    assert any(f.get("method", "").lower() == "post" for f in forms)


# Query counts: listings load what they show in a fixed number of queries.


CITIES = ("Lyon", "Saint-Étienne", "Grenoble", "Montréal")


def add_gatherings(gather, cancel, first, last):
    """Gatherings first..last-1 by as many organisers, over cities, days, tags; some cancelled."""
    for n in range(first, last):
        gathering = gather(
            title=f"Rencontre {n}",
            city="Lyon" if n % 2 else CITIES[n % len(CITIES)],
            venue_name=f"Café {n}",
            start=SUMMER_EVENING + timedelta(days=n),
            capacity="" if n % 3 else str(10 + n),
            tags=f"tag{n}, seo" if n % 2 else f"tag{n}",
        )
        if n % 5 == 4:
            cancel(gathering.id)


# What each listing costs today: a change here is deliberate, and reviewed.
QUERY_BUDGET = {
    # upcoming (city, venue, organiser joined), their tags, seats taken, the cities' counts' key
    # (was: the counts themselves, every request; now once per write or minute, see
    # test_city_counts.py)
    "/": 4,
    # the city, its upcoming gatherings, their tags, seats taken, its packs (with packs, two
    # more: their members and upcoming counts, whatever their number)
    "/cities/lyon": 5,
    "/cities": 1,  # the cities' counts' key (was: the counts)
}


@pytest.mark.parametrize("path", list(QUERY_BUDGET))
def test_listing_queries_do_not_grow_with_gatherings(
    count_queries, gather, cancel, held_minute, path
):
    add_gatherings(gather, cancel, 0, 2)
    count_queries(path)  # warm-up: connections, first-request work, the counts
    few, few_response = count_queries(path)
    add_gatherings(gather, cancel, 2, 20)
    count_queries(path)  # the cities are counted again after those writes
    many, many_response = count_queries(path)
    few_page, many_page = few_response.text, many_response.text
    # The bigger page really does show more.
    assert len(card_titles(many_page)) > len(card_titles(few_page)) or path == "/cities"
    assert few == many, f"{path}: {few} queries with 2 gatherings, {many} with 20"
    assert many == QUERY_BUDGET[path], f"{path}: {many} queries (update QUERY_BUDGET if meant)"
