"""Moderation, click by click, in Chromium: two people report a spam gathering (one with the
French pages on a laptop, one with the English pages on a phone), an admin opens the reports
from the header and hides it; its page then says it was removed and the city no longer lists it."""

import re
import sqlite3
import uuid
from contextlib import closing
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from .conftest import new_context
from .helpers import LAPTOP, PASSWORD, PHONE, post_form, sqlite_pass_only

pytestmark = sqlite_pass_only

WORDS = {
    "fr-FR": {
        "report": "Signaler",
        "reason": "Motif",
        "send": "Envoyer le signalement",
        "empty": "Dites ce qui ne va pas, en quelques mots.",
        "thanks": "Merci\u00a0: les modérateurs vont l’examiner.",
    },
    "en-GB": {
        "report": "Report",
        "reason": "Reason",
        "send": "Send the report",
        "empty": "Say what is wrong, in a few words.",
        "thanks": "Thank you: moderators will look at it.",
    },
}


def signed_up(browser, live_server, locale: str, viewport: dict, name: str) -> tuple[Page, str]:
    """A new person's own browser, signed up (the sign-up journey has its own test)."""
    context = new_context(browser, live_server, locale=locale, viewport=viewport)
    email = f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.org"
    account = {"email": email, "password": PASSWORD, "display_name": name, "city": "Lyon"}
    post_form(context, "/auth/register", account)
    return context.new_page(), email


def make_admin(database, email: str) -> None:
    """What `flask make-admin EMAIL` does, on the live server's database."""
    with closing(sqlite3.connect(database, timeout=10)) as connection, connection:
        connection.execute("UPDATE users SET is_admin = 1 WHERE email = ?", (email,))


def report(page: Page, gathering: str, locale: str, reason: str, first_empty=False) -> None:
    words = WORDS[locale]
    page.goto(gathering)
    page.get_by_role("link", name=words["report"], exact=True).click()
    expect(page).to_have_url(re.compile(r"/events/\d+/report$"))
    if first_empty:  # sent empty: the error shows beside the field
        page.get_by_role("button", name=words["send"], exact=True).click()
        expect(page.locator("#reason-error")).to_have_text(words["empty"])
    page.get_by_label(words["reason"]).fill(reason)
    page.get_by_role("button", name=words["send"], exact=True).click()
    expect(page).to_have_url(re.compile(rf"{gathering}$"))
    expect(page.get_by_text(words["thanks"], exact=True)).to_be_visible()


def test_two_reports_then_an_admin_hides_the_gathering(browser, live_server, live_database):
    spammer, _email = signed_up(browser, live_server, "en-GB", LAPTOP, "Spammer")
    title = f"FREE crypto course {uuid.uuid4().hex[:6]}"
    day = date.today() + timedelta(days=20)
    gathering = post_form(
        spammer.context,
        "/events/new",
        {
            "title": title,
            "description": "Buy now!",
            "city": "Lyon",
            "venue_name": "Online",
            "venue_address": "20 rue de la République, 69002 Lyon",
            "starts_at": f"{day}T19:00",
            "ends_at": f"{day}T21:00",
        },
    )
    french, _ = signed_up(browser, live_server, "fr-FR", LAPTOP, "Juliette")
    report(french, gathering, "fr-FR", "Publicité pour une formation payante.")
    english, _ = signed_up(browser, live_server, "en-GB", PHONE, "Oscar")
    report(english, gathering, "en-GB", "Spam: an ad, not a gathering.", first_empty=True)

    admin, email = signed_up(browser, live_server, "en-GB", LAPTOP, "Alex")
    make_admin(live_database, email)
    admin.goto("/")
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(admin).to_have_url(re.compile(r"/admin/reports$"))
    case = admin.locator(".report-case", has_text=title)
    expect(case).to_contain_text("Publicité pour une formation payante.")
    expect(case).to_contain_text("Spam: an ad, not a gathering.")
    expect(case).to_contain_text("Reported by Juliette")
    expect(case).to_contain_text("organised by Spammer")
    case.get_by_role("button", name="Hide the gathering").click()
    expect(
        admin.get_by_text(re.compile(r"^Hidden: it has left every list and feed"))
    ).to_be_visible()
    expect(admin.locator(".report-case", has_text=title)).to_have_count(0)
    expect(admin.locator("#audit-log")).to_contain_text(f"Alex hid “{title}” (reports closed: 2)")

    visitor = new_context(browser, live_server, locale="en-GB", viewport=PHONE).new_page()
    response = visitor.goto(gathering)
    assert response.status == 410
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        "This gathering was removed by moderators."
    )
    expect(visitor.locator("main")).not_to_contain_text(title)
    visitor.goto("/cities/lyon")
    expect(visitor.locator("main")).not_to_contain_text(title)
    spammer.goto(gathering)
    expect(spammer.locator("main")).to_contain_text("removed by moderators")
    for page in (spammer, french, english, admin, visitor):
        page.context.close()
