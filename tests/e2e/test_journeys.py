"""The three journeys, click by click, in Chromium against a live server."""

import json
import re
import uuid
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from .conftest import VENUE_LATITUDE, VENUE_LONGITUDE, new_context
from .helpers import (
    PASSWORD,
    PHONE,
    field,
    fill_proposal,
    post_form,
    propose,
    sign_up,
    sqlite_pass_only,
)

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
    expect(third.locator("#seats-left")).to_have_text("0")

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
    expect(fourth.locator("#seats-left")).to_have_text("0")
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


# In each language: the proposal form's button, and what the gathering's page then says (the
# request that made it or its twin: whichever answer the browser shows).
PROPOSE = {"fr-FR": "Proposer", "en-GB": "Propose"}
TOLD = {
    "fr-FR": re.compile("^(Votre rencontre est proposée|Cette rencontre a déjà été proposée)"),
    "en-GB": re.compile("^(Your gathering is proposed|This gathering was already proposed)"),
}


@pytest.fixture
def person_in(browser, live_server):
    """person_in(locale, javascript) -> a Page of a newly signed-up person's own browser."""
    contexts = []

    def make(locale: str, javascript: bool) -> Page:
        context = new_context(browser, live_server, locale=locale, java_script_enabled=javascript)
        contexts.append(context)
        email = f"person-{uuid.uuid4().hex[:8]}@example.org"
        account = {"email": email, "password": PASSWORD, "display_name": "Dani", "city": "Lyon"}
        post_form(context, "/auth/register", account)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize(
    ("locale", "javascript"),
    # Paired to halve the run, as the quality tests pair languages and widths.
    [("fr-FR", False), ("en-GB", True)],
    ids=["fr-without-javascript", "en-with-javascript"],
)
def test_a_double_click_proposes_once(person_in, geocoder, locale, javascript):
    page = person_in(locale, javascript)
    page.goto("/events/new")
    title, day = f"Apéro {uuid.uuid4().hex[:8]}", date.today() + timedelta(days=60)
    for name, value in {
        "title": title,
        "city": "Lyon",
        "venue_name": "Café du Double-Clic",  # a venue of its own: it stays unlocated
        "venue_address": "20 rue de la République",
        "starts_at": f"{day}T19:00",
        "ends_at": f"{day}T21:00",
    }.items():
        page.locator(f"[name={name}]").fill(value)
    sent = []
    page.on("request", lambda request: request.method == "POST" and sent.append(request))
    button = page.get_by_role("button", name=PROPOSE[locale], exact=True)
    button.scroll_into_view_if_needed()  # the mouse clicks in the viewport: the form is long
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # A slow answer (the geocoder hangs: the proposal waits out its 2 s budget) and an impatient
    # second press meanwhile: without JavaScript the browser sends the form a second time.
    geocoder.set_mode("hang", "ban")
    try:
        with page.expect_request(lambda request: request.method == "POST"):
            page.mouse.click(x, y)
        page.mouse.click(x, y)  # still on the form, waiting for its answer
        expect(page).to_have_url(re.compile(r"/events/\d+$"))
    finally:
        geocoder.set_mode("ok", "ban")

    assert len(sent) == (1 if javascript else 2)  # with JavaScript, the button was disabled
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text(TOLD[locale])).to_be_visible()
    events = page.request.get("/api/v1/events?city=lyon&limit=500").json()["events"]
    assert [event["url"] for event in events if event["title"] == title] == [page.url]


# In each language: what the city field's hint and the home page say.
CITY_WORDS = {
    "fr-FR": {"suggest": "Vouliez-vous dire", "around": "À Villeurbanne et autour"},
    "en-GB": {"suggest": "Did you mean", "around": "In and around Villeurbanne"},
}


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
def test_the_city_field_says_what_it_understood_and_home_opens_nearby(browser, live_server, locale):
    context = new_context(browser, live_server, locale=locale)
    try:
        email = f"villeurbanne-{uuid.uuid4().hex[:8]}@example.org"
        account = {"email": email, "password": PASSWORD, "display_name": "Val"}
        post_form(context, "/auth/register", {**account, "city": "Villeurbanne"})
        page = context.new_page()
        page.goto("/events/new")
        city = page.locator("[name=city]")
        hint = page.locator("#city-hint")
        expect(hint).to_have_attribute("aria-live", "polite")
        expect(hint).to_have_text("Villeurbanne, France · Europe/Paris")  # the home city, filled

        # A typo: the hint offers the closest known names; choosing one resolves it.
        city.fill("Lyonn")
        expect(hint).to_contain_text(CITY_WORDS[locale]["suggest"])
        hint.get_by_role("button", name="Lyon, France", exact=True).click()
        expect(city).to_have_value("Lyon, France")
        expect(hint).to_have_text("Lyon, France · Europe/Paris")
        city.fill("Lyon")
        expect(hint).to_have_text("Lyon, France · Europe/Paris")

        # A gathering in Lyon, 3 km from home, soonest of all: the home page opens on it.
        title, day = f"Apéro {uuid.uuid4().hex[:8]}", date.today() + timedelta(days=1)
        for name, value in {
            "title": title,
            "venue_name": "Café des Freelances",
            "venue_address": "20 rue de la République",  # the local geocoder places it in Lyon
            "starts_at": f"{day}T19:00",
            "ends_at": f"{day}T21:00",
        }.items():
            page.locator(f"[name={name}]").fill(value)
        page.get_by_role("button", name=PROPOSE[locale], exact=True).click()
        expect(page).to_have_url(re.compile(r"/events/\d+$"))
        page.goto("/")
        around = page.locator("section.around-home")
        expect(around.get_by_role("heading", level=2)).to_have_text(CITY_WORDS[locale]["around"])
        expect(around.get_by_role("link", name=title)).to_be_visible()

        # On a phone, no QR code to scan with that same phone.
        page.set_viewport_size(PHONE)
        page.goto("/cities/lyon")
        expect(page.locator("figure.qr")).to_be_hidden()
    finally:
        context.close()


# In each language, what the organiser reads and presses while cancelling and reinstating.
CANCELLING = {
    "fr-FR": {
        "cancel": "Annuler cette rencontre",
        "question": "Annuler «\u00a0{title}\u00a0»\u00a0?",
        "message": "Message aux participants (facultatif)",
        "confirm": "Annuler la rencontre",
        "cancelled": "Annulée",
        "calendar": "Mettre à jour mon agenda (fichier .ics, marqué annulé)",
        "reinstate": "Rétablir la rencontre",
        "reinstated": "La rencontre est rétablie\u00a0; les agendas suivront.",
    },
    "en-GB": {
        "cancel": "Cancel this gathering",
        "question": "Cancel “{title}”?",
        "message": "Message to the people coming (optional)",
        "confirm": "Cancel the gathering",
        "cancelled": "Cancelled",
        "calendar": "Update my calendar (.ics file, marked cancelled)",
        "reinstate": "Reinstate the gathering",
        "reinstated": "The gathering is on again; calendars will follow.",
    },
}


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"], ids=["fr", "en"])
def test_cancel_with_a_message_then_reinstate(person_in, locale):
    words = CANCELLING[locale]
    page = person_in(locale, True)
    title, day = f"Atelier {uuid.uuid4().hex[:8]}", date.today() + timedelta(days=50)
    gathering = post_form(
        page.context,
        "/events/new",
        {
            "title": title,
            "city": "Lyon",
            "venue_name": "Café des Freelances",
            "venue_address": "20 rue de la République, 69002 Lyon",
            "starts_at": f"{day}T19:00",
            "ends_at": f"{day}T21:00",
            "capacity": "5",
        },
    )
    page.goto(gathering)
    page.get_by_role("link", name=words["cancel"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["question"].format(title=title))
    page.get_by_label(words["message"]).fill("Salle fermée ce soir-là, désolée.")
    page.get_by_role("button", name=words["confirm"], exact=True).click()

    expect(page).to_have_url(re.compile(rf"{gathering}$"))
    notice = page.locator("#cancelled")
    expect(notice).to_contain_text(words["cancelled"])
    expect(notice).to_contain_text("Salle fermée ce soir-là, désolée.")
    expect(page.locator("form.rsvp-form")).to_have_count(0)
    expect(page.locator("#seats-left")).to_have_count(0)
    calendar = page.get_by_role("link", name=words["calendar"], exact=True)
    assert page.request.get(calendar.get_attribute("href")).text().count("STATUS:CANCELLED") == 1

    page.get_by_role("button", name=words["reinstate"], exact=True).click()
    expect(page.get_by_text(words["reinstated"], exact=True)).to_be_visible()
    expect(page.locator("#cancelled")).to_have_count(0)
    expect(page.locator("#seats-left")).to_be_visible()
    expect(page.get_by_role("link", name=words["cancel"], exact=True)).to_be_visible()


# In each language: the button pressed, the link to sign up, the account button, what is said.
SIGNED_OUT = {
    "fr-FR": {
        "going": "J’y vais",
        "sign_up": "Créer un compte",
        "create": "Créer mon compte",
        "kept": "Connectez-vous ou créez un compte, et votre « J’y vais » sera enregistré.",
        "saved": "Votre réponse à « Apéro {} » est enregistrée.",
        "status": "Vous y allez.",
    },
    "en-GB": {
        "going": "Going",
        "sign_up": "Create an account",
        "create": "Create my account",
        "kept": "Sign in or create an account, and your “Going” will be saved.",
        "saved": "Your answer to “Apéro {}” is saved.",
        "status": "You are going.",
    },
}


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
def test_an_answer_given_signed_out_survives_signing_up(browser, live_server, locale):
    words = SIGNED_OUT[locale]
    organiser = new_context(browser, live_server)
    account = {"email": f"orga-{uuid.uuid4().hex[:8]}@example.org", "password": PASSWORD}
    post_form(organiser, "/auth/register", {**account, "display_name": "Oriane"})
    code, day = uuid.uuid4().hex[:8], date.today() + timedelta(days=50)
    gathering = post_form(
        organiser,
        "/events/new",
        {
            "title": f"Apéro {code}",
            "city": "Lyon",
            "venue_name": "Café des Freelances",
            "venue_address": "20 rue de la République, 69002 Lyon",
            "starts_at": f"{day}T19:00",
            "ends_at": f"{day}T21:00",
            "capacity": "8",
        },
    )
    organiser.close()

    visitor = new_context(browser, live_server, locale=locale)
    try:
        page = visitor.new_page()
        page.goto(gathering)
        page.get_by_role("button", name=words["going"], exact=True).click()
        expect(page).to_have_url(re.compile(r"/auth/login\?"))
        expect(page.get_by_text(words["kept"], exact=True)).to_be_visible()
        page.get_by_role("link", name=words["sign_up"], exact=True).click()
        expect(page).to_have_url(re.compile(r"/auth/register\?next="))
        page.locator("[name=email]").fill(f"visitor-{code}@example.org")
        page.locator("[name=display_name]").fill(f"Vera {code}")
        page.locator("[name=password]").fill(PASSWORD)
        page.get_by_role("button", name=words["create"], exact=True).click()

        expect(page).to_have_url(re.compile(rf"{re.escape(gathering)}$"))
        expect(page.get_by_text(words["saved"].format(code), exact=True)).to_be_visible()
        expect(page.locator("#my-status")).to_have_text(words["status"])
        expect(page.locator("#going")).to_contain_text(f"Vera {code}")
    finally:
        visitor.close()


# In each language: the summary's heading, and the three problems it lists at once.
ALL_AT_ONCE = {
    "fr-FR": (
        "Merci de corriger les champs signalés",
        ["Titre\u00a0:", "Ville\u00a0: Nous ne connaissons pas", "Fin\u00a0:"],
    ),
    "en-GB": (
        "Please correct the highlighted fields",
        ["Title:", "City: We don't know a city called", "Ends:"],
    ),
}


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
def test_every_error_of_the_proposal_form_shows_at_once(person_in, locale):
    heading, lines = ALL_AT_ONCE[locale]
    page = person_in(locale, True)
    page.goto("/events/new")
    day = date.today() + timedelta(days=30)
    for name, value in {
        "title": "Ab",  # too short
        "city": "Atlantiss",  # unknown: no zone, yet the times are still read
        "venue_name": "Café des Freelances",
        "venue_address": "12 rue de la République",
        "starts_at": f"{day}T19:00",
        "ends_at": f"{day}T18:00",  # before the start, in any zone
    }.items():
        page.locator(f"[name={name}]").fill(value)
    page.get_by_role("button", name=PROPOSE[locale], exact=True).click()

    summary = page.locator("#error-summary")
    expect(summary.get_by_role("heading")).to_have_text(heading)
    items = summary.get_by_role("listitem")
    expect(items).to_have_count(3)
    for item, start in zip(items.all(), lines, strict=True):
        expect(item).to_contain_text(start)
    # Each error beside its field, and what was typed still there.
    for name in ("title", "city", "ends_at"):
        expect(page.locator(f"#{name}-error")).to_be_visible()
    expect(page.locator("[name=city]")).to_have_value("Atlantiss")
