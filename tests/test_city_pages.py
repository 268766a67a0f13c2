"""A busy city's page: 50 gatherings a page with links to the next ones; a capped nearby list."""

import re

import pytest

from meetups.accounts.models import User
from meetups.extensions import db
from meetups.gatherings import services
from tests.conftest import future_local, place_venue, proposal_from, text_of

PAGE_SIZE = 50


@pytest.fixture
def many(app, create_user):
    """many(count, city=...) -> ids of gatherings proposed on consecutive days, soonest first."""

    def make(count, city="Lyon", point=None):
        organiser = create_user()
        ids = []
        with app.app_context():
            person = db.session.get(User, organiser.id)
            for n in range(count):
                gathering = services.propose(
                    person,
                    proposal_from(
                        city=city,
                        title=f"{city} n°{n:03d}",
                        venue_name="Le Bureau",
                        venue_address="1 place du Test",
                        start=future_local(days=2 + n),
                    ),
                )
                db.session.flush()
                ids.append((gathering.id, gathering.venue_id))
            db.session.commit()
        if point:
            place_venue(app, ids[0][1], point)
        return [gathering_id for gathering_id, _venue in ids]

    return make


def titles(html: str, city: str = "Lyon") -> list[str]:
    return re.findall(rf'<a href="/events/\d+">({city} n°\d+)</a>', html)


def link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a class="[^"]*" rel="{rel}" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_a_busy_city_is_listed_fifty_at_a_time_soonest_first(client, many):
    many(PAGE_SIZE + 5)

    first = client.get("/cities/lyon", headers={"Accept-Language": "en"})
    assert first.status_code == 200
    assert titles(first.text) == [f"Lyon n°{n:03d}" for n in range(PAGE_SIZE)]
    assert link(first.text, "prev") is None
    assert link(first.text, "next") == "/cities/lyon?page=2"
    assert "Later gatherings" in text_of(first.text)

    second = client.get(link(first.text, "next"), headers={"Accept-Language": "en"})
    assert titles(second.text) == [f"Lyon n°{n:03d}" for n in range(PAGE_SIZE, PAGE_SIZE + 5)]
    assert link(second.text, "next") is None
    assert link(second.text, "prev") == "/cities/lyon"
    assert "Page 2" in text_of(second.text)


def test_a_quiet_city_has_no_page_links(client, many):
    many(3)

    page = client.get("/cities/lyon").text

    assert len(titles(page)) == 3
    assert link(page, "next") is None and link(page, "prev") is None


def test_paging_keeps_the_tag_filter(client, many):
    many(PAGE_SIZE + 1)  # every proposal_from gathering is tagged "seo"

    page = client.get("/cities/lyon?tag=seo").text

    assert link(page, "next") == "/cities/lyon?tag=seo&page=2"


def test_a_page_past_the_end_says_so_in_french(client, many):
    many(2)

    page = client.get("/cities/lyon?page=7", headers={"Accept-Language": "fr"})

    assert page.status_code == 200
    assert titles(page.text) == []
    assert "Plus aucune rencontre sur cette page." in text_of(page.text)
    assert 'href="/cities/lyon">Revenir aux plus proches' in page.text


@pytest.mark.parametrize("value", ["0", "-1", "abc", "2.5", "99999999999999999999"])
def test_a_bad_page_number_is_a_clear_400(client, many, value):
    many(1)

    page = client.get(f"/cities/lyon?page={value}", headers={"Accept-Language": "en"})

    assert page.status_code == 400
    assert (
        "Pages are numbered from 1." in page.text or "Enter a whole number, like 12." in page.text
    )


def test_nearby_shows_the_fifty_soonest_and_says_more_exist(client, many):
    many(1)  # Lyon has a page once it has a gathering
    many(PAGE_SIZE + 3, city="Villeurbanne", point=(45.7719, 4.8902))  # one venue, 4 km away

    page = client.get("/cities/lyon?within=10", headers={"Accept-Language": "en"})

    assert page.status_code == 200
    shown = titles(page.text, "Villeurbanne")
    assert shown == [f"Villeurbanne n°{n:03d}" for n in range(PAGE_SIZE)]
    assert "Only the 50 soonest are shown" in text_of(page.text)


def test_nearby_under_the_cap_has_no_notice(client, many):
    many(1)
    many(2, city="Villeurbanne", point=(45.7719, 4.8902))

    page = client.get("/cities/lyon?within=10", headers={"Accept-Language": "en"})

    assert len(titles(page.text, "Villeurbanne")) == 2
    assert "soonest are shown" not in page.text


def test_the_subscribe_block_offers_the_file_it_speaks_of(client, many):
    many(1)
    html = client.get("/cities/lyon", headers={"Accept-Language": "en"}).text
    assert "Downloading a file (import)" in html
    download = re.search(r'<a href="([^"]+)" download class="subscribe-download">([^<]+)</a>', html)
    assert download is not None
    assert download.group(1) == "http://localhost/cities/lyon/calendar.ics?lang=en"
    with client.get(download.group(1)) as feed:
        assert feed.status_code == 200
        assert feed.mimetype == "text/calendar"


def test_the_qr_code_is_hidden_on_narrow_screens(client):
    with client.get("/static/css/meute.css") as css:
        assert "@media (max-width: 40rem) { .qr { display: none; } }" in css.text


def test_a_full_gathering_says_so_in_lists(client, create_gathering):
    create_gathering(title="Apéro complet", capacity="1")  # the organiser holds the one seat
    create_gathering(title="Apéro ouvert", capacity="5", start=future_local(days=31))
    html = client.get("/cities/lyon", headers={"Accept-Language": "en"}).text
    cards = [text_of(card) for card in re.findall(r'<article class="card.*?</article>', html, re.S)]
    (full,) = [card for card in cards if "Apéro complet" in card]
    (not_full,) = [card for card in cards if "Apéro ouvert" in card]
    assert "1 going · 1 seat · Full" in full
    assert "Full" not in not_full
