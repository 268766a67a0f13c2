"""A quorum breakfast, click by click, in Chromium: its organiser proposes it in French on a
laptop, needing 3 people, and sees it needs 2 more; a second person says going in English on
a phone and sees it needs 1 more."""

import re
import uuid
from datetime import date, timedelta

from playwright.sync_api import expect

from .conftest import new_context
from .helpers import LAPTOP, PASSWORD, PHONE, post_form, sqlite_pass_only

pytestmark = sqlite_pass_only


def signed_up(browser, live_server, locale: str, viewport: dict, name: str):
    """A new person's own browser, signed up (the sign-up journey has its own test)."""
    context = new_context(browser, live_server, locale=locale, viewport=viewport)
    account = {
        "email": f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.org",
        "password": PASSWORD,
        "display_name": name,
        "trade": "web writer",
        "city": "Angers",
    }
    post_form(context, "/auth/register", account)
    return context.new_page()


def test_a_breakfast_needing_three(browser, live_server):
    organiser = signed_up(browser, live_server, "fr-FR", LAPTOP, "Fanny")
    organiser.goto("/events/new")
    day = date.today() + timedelta(days=20)
    title = f"Petit-déjeuner {uuid.uuid4().hex[:6]}"
    for field, value in {
        "title": title,
        "city": "Angers",
        "venue_name": "Café Cheminée",
        "venue_address": "2 place du Ralliement",
        "starts_at": f"{day}T08:30",
        "ends_at": f"{day}T10:00",
        "min_going": "3",
    }.items():
        organiser.locator(f"[name={field}]").fill(value)
    organiser.get_by_role("button", name="Proposer", exact=True).click()
    expect(organiser).to_have_url(re.compile(r"/events/\d+$"))
    expect(organiser.locator("#quorum-needs")).to_have_text(
        "Encore 2 participants pour qu’elle ait lieu"
    )
    expect(organiser.locator("#quorum-progress")).to_have_attribute("value", "1")
    expect(organiser.locator("#quorum")).to_contain_text("Provisoire")
    path = re.sub(r"^https?://[^/]+", "", organiser.url)

    guest = signed_up(browser, live_server, "en-GB", PHONE, "Paul")
    guest.goto(path)
    expect(guest.locator("#quorum-needs")).to_have_text("Needs 2 more to happen")
    guest.get_by_role("button", name="Going", exact=True).click()
    expect(guest.locator("#quorum-needs")).to_have_text("Needs 1 more to happen")
    expect(guest.locator("#quorum-progress")).to_have_attribute("value", "2")
    for page in (organiser, guest):
        page.context.close()
