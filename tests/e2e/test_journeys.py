"""The three journeys, click by click, in Chromium against a live server."""

import json
import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import VENUE_LATITUDE, VENUE_LONGITUDE
from .helpers import field, fill_proposal, propose, sign_up, sqlite_pass_only

pytestmark = sqlite_pass_only


def test_propose_a_gathering(page: Page):
    sign_up(page, "Organiser")
    propose(page, title="Apéro freelance", starts="2027-01-14T19:00", ends="2027-01-14T21:00")

    expect(page.get_by_role("heading", level=1)).to_have_text("Apéro freelance")
    starts = page.locator("time").first  # the date line, in the city's local time
    expect(starts).to_contain_text("14 January 2027")
    expect(starts).to_contain_text("19:00")
    expect(page.get_by_text("Europe/Paris").first).to_be_visible()
    # The venue is on the map: the geocoder's coordinates in the map data, Leaflet drawn locally.
    places = json.loads(page.locator("[data-map] ~ script[type='application/json']").text_content())
    assert len(places) == 1
    assert (places[0]["latitude"], places[0]["longitude"]) == pytest.approx(
        (VENUE_LATITUDE, VENUE_LONGITUDE)
    )
    expect(page.locator("[data-map]")).to_be_visible()
    expect(
        page.locator("[data-map]").get_by_role("button", name="Café des Freelances")
    ).to_be_visible()

    # An end before the start: the error beside the field, everything typed still there.
    typed = fill_proposal(
        page, title="Apéro à l’envers", starts="2027-01-14T19:00", ends="2027-01-14T18:00"
    )
    expect(page).to_have_url(re.compile(r"/events/new$"))
    ends = field(page, "Ends")
    expect(ends).to_have_attribute("aria-invalid", "true")
    error_id = ends.get_attribute("aria-describedby").split()[-1]
    expect(page.locator(f"#{error_id}")).to_have_text("The end must come after the start.")
    for label, value in typed.items():
        expect(field(page, label)).to_have_value(value)


def test_rsvp_waitlist_and_promotion(new_page):
    organiser = new_page()
    sign_up(organiser, "Orla")
    url = propose(
        organiser,
        title="Three seats",
        starts="2027-02-11T19:00",
        ends="2027-02-11T21:00",
        seats="3",
    )
    expect(organiser.locator("#seats-left")).to_have_text("2 seats left")

    second = new_page()
    sign_up(second, "Sam")
    second.goto(url)
    expect(second.locator("#seats-left")).to_contain_text("2")
    second.get_by_role("button", name="Going", exact=True).click()
    expect(second.get_by_text("You are going.", exact=True)).to_be_visible()
    expect(second.locator("#seats-left")).to_have_text("1 seat left")
    expect(second.locator("#going")).to_contain_text("Sam")

    third = new_page()
    sign_up(third, "Tess")
    third.goto(url)
    third.get_by_role("button", name="Going", exact=True).click()
    expect(third.locator("#seats-left")).to_have_text("0 seats left")

    fourth = new_page()
    sign_up(fourth, "Finn")
    fourth.goto(url)
    expect(fourth.get_by_role("button", name="Going", exact=True)).to_have_count(0)
    fourth.get_by_role("button", name="Join the waitlist", exact=True).click()
    expect(
        fourth.get_by_text("You are on the waitlist: number 1 in line.", exact=True)
    ).to_be_visible()
    expect(fourth.locator("#waitlist")).to_contain_text("Finn")

    cannot_go = second.get_by_role("button", name="Can’t go", exact=True)
    cannot_go.click()
    expect(cannot_go).to_have_attribute("aria-pressed", "true")
    expect(second.locator("#going")).not_to_contain_text("Sam")

    fourth.reload()
    # Told with the day the seat went to Finn.
    freed = re.compile(r"^A seat freed up on \w+,? \d+ \w+ \d{4}: you are going\.$")
    expect(fourth.get_by_text(freed)).to_be_visible()
    expect(fourth.locator("#seats-left")).to_have_text("0 seats left")
    expect(fourth.locator("#going")).to_contain_text("Finn")


def test_subscribe_to_a_city(page: Page):
    sign_up(page, "Cleo")
    propose(page, title="Feed me", starts="2027-03-11T19:00", ends="2027-03-11T21:00")
    page.goto("/cities/lyon")

    field = page.get_by_label("Or copy the address into any calendar app:")
    feed_url = field.input_value()
    assert re.fullmatch(
        r"https?://127\.0\.0\.1:\d+/cities/lyon/calendar\.ics(\?lang=en)?", feed_url
    )
    webcal = "webcal://" + feed_url.split("://", 1)[1]
    expect(page.get_by_role("link", name="Subscribe in my calendar app")).to_have_attribute(
        "href", webcal
    )
    expect(page.get_by_role("button", name="Copy", exact=True)).to_be_visible()
    google = page.get_by_role("link", name="Add to Google Calendar").get_attribute("href")
    assert google.startswith("https://calendar.google.com/")
    assert "webcal%3A%2F%2F" in google and "%2Fcities%2Flyon%2Fcalendar.ics" in google
    outlook = page.get_by_role("link", name="Add to Outlook").get_attribute("href")
    assert outlook.startswith("https://outlook.live.com/")
    assert "%2Fcities%2Flyon%2Fcalendar.ics" in outlook
    expect(page.locator("figure svg")).to_be_visible()  # the QR code
    expect(page.locator("figure svg title")).to_have_text("Meute · Lyon")

    response = page.request.get(feed_url)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert response.text().startswith("BEGIN:VCALENDAR")
