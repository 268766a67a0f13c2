"""Choosing one's e-mails, click by click, in Chromium: from /me to /me/notifications, pack
news as a weekly digest and no reminders, saved and shown again. In French on a laptop, in
English on a phone."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from .conftest import new_context
from .helpers import LAPTOP, PASSWORD, PHONE, post_form, sqlite_pass_only

pytestmark = sqlite_pass_only

WORDS = {
    "fr-FR": {
        "link": "Mes e-mails",
        "reminders": "Me rappeler la veille les rencontres où je vais",
        "packs": "Nouvelles rencontres dans mes meutes",
        "weekly": "Un récapitulatif par semaine",
        "save": "Enregistrer mes choix",
        "saved": "Vos choix d’e-mails sont enregistrés.",
    },
    "en-GB": {
        "link": "My e-mails",
        "reminders": "Remind me the day before a gathering I am going to",
        "packs": "New gatherings in my packs",
        "weekly": "A weekly digest",
        "save": "Save my choices",
        "saved": "Your e-mail choices are saved.",
    },
}


@pytest.mark.parametrize(
    ("locale", "viewport"), [("fr-FR", LAPTOP), ("en-GB", PHONE)], ids=["fr-laptop", "en-phone"]
)
def test_choosing_a_weekly_digest_and_no_reminders(browser, live_server, locale, viewport):
    words = WORDS[locale]
    context = new_context(browser, live_server, locale=locale, viewport=viewport)
    account = {
        "email": f"nora-{uuid.uuid4().hex[:8]}@example.org",
        "password": PASSWORD,
        "display_name": "Nora",
        "trade": "web writer",
        "city": "Lyon",
    }
    post_form(context, "/auth/register", account)  # the sign-up journey has its own test
    page = context.new_page()
    page.goto("/me")
    page.get_by_role("main").get_by_role("link", name=words["link"], exact=True).click()
    expect(page).to_have_url(re.compile(r"/me/notifications$"))
    reminders = page.get_by_label(words["reminders"], exact=True)
    packs = page.get_by_role("group", name=words["packs"], exact=True)
    weekly = packs.get_by_label(words["weekly"], exact=True)
    expect(reminders).to_be_checked()
    expect(weekly).not_to_be_checked()

    reminders.uncheck()
    weekly.check()
    page.get_by_role("button", name=words["save"], exact=True).click()
    expect(page.get_by_text(words["saved"])).to_be_visible()
    page.reload()  # what the server kept, not what the form still shows
    expect(reminders).not_to_be_checked()
    expect(weekly).to_be_checked()
    context.close()
