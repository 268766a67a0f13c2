"""A recurring gathering, click by click, in Chromium. In French on a laptop: the monthly
"Apéro freelance" proposed once in Lyon, its rhythm and next occurrences on the page; the
second edited alone, the third and the following ones moved to 19:30 in a new venue, the
second cancelled; the city feed read by icalendar: one plain VEVENT per occurrence, no RRULE.
In English on a phone: a weekly proposal with a last date, and nothing wider than the screen."""

import os
import re
import subprocess
import sys
import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
from playwright.sync_api import Page, expect

from meetups.demo import first_weekday_of_next_month
from tests.live_server import LIVE_SECRET_KEY, ROOT

from .conftest import AXE_SCRIPT, new_context
from .helpers import LAPTOP, PASSWORD, PHONE, field, post_form, sqlite_pass_only
from .test_accessibility import axe_report

pytestmark = sqlite_pass_only

PARIS = ZoneInfo("Europe/Paris")
THURSDAY = 3
ADDRESS = "20 rue de la République, 69002 Lyon"  # the local geocoder knows it
# The horizon's step of `tick`, run on the live database as cron would run it on a later day
# (only that step: reminders and digests of other tests' gatherings stay theirs).
LATER_TICK = """
import sys
from datetime import datetime
from wsgi import app
from meetups.extensions import db
from meetups.gatherings import recurring
with app.app_context():
    made = recurring.keep_horizons(datetime.fromisoformat(sys.argv[1]))
    db.session.commit()
    print(recurring.describe_made(made))
"""


def signed_up(browser, live_server, locale: str, viewport: dict, name: str) -> Page:
    """A new person's own browser, signed up (the sign-up journey has its own test)."""
    context = new_context(browser, live_server, locale=locale, viewport=viewport)
    account = {
        "email": f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.org",
        "password": PASSWORD,
        "display_name": name,
        "trade": "web writer",
        "city": "Lyon",
    }
    post_form(context, "/auth/register", account)
    context.add_init_script(script=AXE_SCRIPT)
    return context.new_page()


def assert_axe_finds_nothing(page: Page) -> None:
    violations = page.evaluate("axe.run({resultTypes: ['violations']})")["violations"]
    assert not violations, axe_report(violations)


def tick_on(live_database, now: datetime) -> str:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MEETUPS_")},
        "DATABASE_URL": f"sqlite:///{live_database}",
        "MEETUPS_INSTANCE_PATH": str(live_database.parent / "instance"),
        "MEETUPS_SECRET_KEY": LIVE_SECRET_KEY,
    }
    done = subprocess.run(
        [sys.executable, "-c", LATER_TICK, now.isoformat()],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def path_of(page: Page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def starts(page: Page) -> str:
    """The local start the gathering's page gives, as its <time> says it: 2027-01-07T19:00."""
    return page.locator(".when time").first.get_attribute("datetime")[:16]


def next_links(page: Page) -> list[str]:
    """The local starts of the next occurrences the page links to."""
    times = page.locator("#rhythm .next-occurrences a time")
    return [moment[:16] for moment in (t.get_attribute("datetime") for t in times.all())]


def fill(page: Page, values: dict) -> None:
    for name, value in values.items():
        page.locator(f"form [name={name}]").fill(value)


def no_horizontal_overflow(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def test_a_monthly_apero_proposed_once_edited_cancelled_and_in_the_feed(
    browser, live_server, live_database
):
    organiser = signed_up(browser, live_server, "fr-FR", LAPTOP, "Camille")
    today = datetime.now(PARIS).date()
    days = [first_weekday_of_next_month(today, THURSDAY)]
    for _ in range(3):
        days.append(first_weekday_of_next_month(days[-1], THURSDAY))
    first, second, third, fourth = days

    # Proposing: the form says how it repeats; the first occurrence's page names the rhythm.
    organiser.goto("/events/new")
    fill(
        organiser,
        {
            "title": "Apéro freelance",
            "description": "On parle tarifs, clients et outils.",
            "city": "Lyon",
            "venue_name": "Café des Freelances",
            "venue_address": ADDRESS,
            "starts_at": f"{first}T19:00",
            "ends_at": f"{first}T21:30",
            "capacity": "20",
        },
    )
    repeat = field(organiser, "Répéter")
    expect(repeat).to_have_value("none")
    repeat.select_option(label="Chaque mois, le même jour de la semaine (par ex. le premier jeudi)")
    organiser.get_by_role("button", name="Proposer", exact=True).click()
    expect(organiser).to_have_url(re.compile(r"/events/\d+$"))
    expect(organiser.get_by_role("heading", level=1)).to_have_text("Apéro freelance")
    first_path = path_of(organiser)
    assert starts(organiser) == f"{first}T19:00"
    rhythm = organiser.locator("#rhythm")
    expect(rhythm).to_contain_text("Revient : chaque premier jeudi du mois, 19:00")
    expect(rhythm).to_contain_text("Prochaines :")
    # The next 60 days, and at least the next 3: two links from the first.
    assert next_links(organiser) == [f"{second}T19:00", f"{third}T19:00"]

    # The day after the first one, cron's tick makes the fourth.
    after_first = datetime.combine(first + timedelta(days=1), time(), UTC)
    assert tick_on(live_database, after_first).startswith("Made 1 occurrence(s)")
    organiser.reload()
    assert next_links(organiser) == [f"{d}T19:00" for d in (second, third, fourth)]
    assert_axe_finds_nothing(organiser)

    # The second, edited alone: a title of its own.
    organiser.locator("#rhythm .next-occurrences a").first.click()
    expect(organiser).to_have_url(re.compile(r"/events/\d+$"))
    second_path = path_of(organiser)
    assert second_path != first_path and starts(organiser) == f"{second}T19:00"
    expect(organiser.locator("#rhythm")).to_contain_text("chaque premier jeudi du mois, 19:00")
    organiser.get_by_role("link", name="Modifier", exact=True).click()
    expect(organiser.get_by_label("Celle-ci seulement", exact=True)).to_be_checked()
    fill(organiser, {"title": "Apéro freelance spécial galette"})
    organiser.get_by_role("button", name="Enregistrer les modifications", exact=True).click()
    expect(organiser).to_have_url(re.compile(rf"{second_path}$"))
    expect(organiser.get_by_role("heading", level=1)).to_have_text(
        "Apéro freelance spécial galette"
    )

    # The third and the following ones: 19:30, in another venue.
    organiser.locator("#rhythm .next-occurrences a").first.click()
    third_path = path_of(organiser)
    assert starts(organiser) == f"{third}T19:00"
    organiser.get_by_role("link", name="Modifier", exact=True).click()
    fill(
        organiser,
        {
            "venue_name": "Le Comptoir des Pentes",
            "starts_at": f"{third}T19:30",
            "ends_at": f"{third}T22:00",
        },
    )
    assert_axe_finds_nothing(organiser)  # the scope's radios
    organiser.get_by_label("Celle-ci et les suivantes", exact=True).check()
    organiser.get_by_role("button", name="Enregistrer les modifications", exact=True).click()
    expect(organiser).to_have_url(re.compile(rf"{third_path}$"))
    assert starts(organiser) == f"{third}T19:30"
    expect(organiser.locator(".venue")).to_contain_text("Le Comptoir des Pentes")
    expect(organiser.locator("#rhythm")).to_contain_text("chaque premier jeudi du mois, 19:30")
    assert next_links(organiser) == [f"{fourth}T19:30"]
    organiser.locator("#rhythm .next-occurrences a").first.click()
    fourth_path = path_of(organiser)
    expect(organiser.get_by_role("heading", level=1)).to_have_text("Apéro freelance")
    expect(organiser.locator(".venue")).to_contain_text("Le Comptoir des Pentes")
    assert starts(organiser) == f"{fourth}T19:30"
    # The second kept its own change, and its time and venue; the first is as proposed.
    for path, title, at in (
        (second_path, "Apéro freelance spécial galette", f"{second}T19:00"),
        (first_path, "Apéro freelance", f"{first}T19:00"),
    ):
        organiser.goto(path)
        expect(organiser.get_by_role("heading", level=1)).to_have_text(title)
        expect(organiser.locator(".venue")).to_contain_text("Café des Freelances")
        assert starts(organiser) == at

    # The second is cancelled, this one only: marked cancelled; the third is still on.
    organiser.goto(second_path)
    organiser.get_by_role("link", name="Annuler cette rencontre", exact=True).click()
    expect(organiser.get_by_label("Celle-ci seulement", exact=True)).to_be_checked()
    organiser.get_by_role("button", name="Annuler la rencontre", exact=True).click()
    expect(organiser).to_have_url(re.compile(rf"{second_path}$"))
    expect(organiser.locator("#cancelled")).to_contain_text("Annulée")
    organiser.goto(third_path)
    expect(organiser.locator("#cancelled")).to_have_count(0)
    organiser.goto(first_path)
    assert next_links(organiser) == [f"{d}T19:30" for d in (third, fourth)]

    # The city feed: each occurrence a plain VEVENT with its own UID, at its local time.
    response = organiser.request.get("/cities/lyon/calendar.ics")
    assert response.ok
    calendar = icalendar.Calendar.from_ical(response.body())
    paths = {first_path: first, second_path: second, third_path: third, fourth_path: fourth}
    ours = {}
    for event in calendar.walk("VEVENT"):
        found = re.search(r"/events/\d+$", str(event["URL"]))
        if found and found.group() in paths:
            ours[found.group()] = event
    assert set(ours) == set(paths)
    for event in ours.values():
        assert not {"RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"} & set(event)
    assert len({str(event["UID"]) for event in ours.values()}) == 4
    got = {
        path: (
            event.decoded("DTSTART").astimezone(PARIS).replace(tzinfo=None),
            str(event["STATUS"]),
            str(event["LOCATION"]).split(",")[0],
        )
        for path, event in ours.items()
    }
    at_19, at_19_30 = time(19), time(19, 30)
    assert got == {
        first_path: (datetime.combine(first, at_19), "CONFIRMED", "Café des Freelances"),
        second_path: (datetime.combine(second, at_19), "CANCELLED", "Café des Freelances"),
        third_path: (datetime.combine(third, at_19_30), "CONFIRMED", "Le Comptoir des Pentes"),
        fourth_path: (datetime.combine(fourth, at_19_30), "CONFIRMED", "Le Comptoir des Pentes"),
    }
    assert "Apéro freelance spécial galette" in str(ours[second_path]["SUMMARY"])
    organiser.context.close()


def test_a_weekly_proposal_in_english_on_a_phone(browser, live_server):
    person = signed_up(browser, live_server, "en-GB", PHONE, "Sam")
    today = datetime.now(PARIS).date()
    start = today + timedelta(days=7 + (THURSDAY - today.weekday()) % 7)
    person.goto("/events/new")
    fill(
        person,
        {
            "title": f"Coworking du jeudi {uuid.uuid4().hex[:6]}",
            "city": "Lyon",
            "venue_name": "La Cordée",
            "venue_address": ADDRESS,
            "starts_at": f"{start}T18:30",
            "ends_at": f"{start}T20:30",
        },
    )
    field(person, "Repeat").select_option(label="Every week")
    field(person, "Repeat until").fill((start + timedelta(days=21)).isoformat())
    no_horizontal_overflow(person)
    person.get_by_role("button", name="Propose", exact=True).click()
    expect(person).to_have_url(re.compile(r"/events/\d+$"))
    expect(person.locator("#rhythm")).to_contain_text("Repeats: every Thursday, 18:30")
    weeks = [start + timedelta(days=7 * n) for n in (1, 2, 3)]
    assert next_links(person) == [f"{day}T18:30" for day in weeks]
    no_horizontal_overflow(person)
    assert_axe_finds_nothing(person)
    # The last one, three weeks on: nothing after it (the series ends there).
    person.locator("#rhythm .next-occurrences a").last.click()
    assert starts(person) == f"{weeks[-1]}T18:30"
    expect(person.locator("#rhythm")).to_contain_text("every Thursday")
    expect(person.locator("#rhythm .next-occurrences")).to_have_count(0)
    person.context.close()
