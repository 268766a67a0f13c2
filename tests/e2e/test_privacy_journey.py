"""Your data, click by click, in Chromium: an organiser downloads their export from /me and
reads it (English, laptop); a member holding a seat deletes their account from the delete
page with their password (French, phone), and the first person waiting sees the seat is
theirs on the gathering's page (English, laptop)."""

import json
import re
import uuid
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from .conftest import new_context
from .helpers import LAPTOP, PASSWORD, PHONE, post_form, sqlite_pass_only

pytestmark = sqlite_pass_only


def signed_up(browser, live_server, locale: str, viewport: dict, name: str) -> tuple[Page, str]:
    """A new person's own browser, signed up (the sign-up journey has its own test)."""
    context = new_context(browser, live_server, locale=locale, viewport=viewport)
    email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.org"
    account = {"email": email, "password": PASSWORD, "display_name": name, "city": "Lyon"}
    post_form(context, "/auth/register", account)
    return context.new_page(), email


def test_export_then_delete_and_the_line_moves_up(browser, live_server):
    name = f"Ondine {uuid.uuid4().hex[:4]}"
    organiser, organiser_email = signed_up(browser, live_server, "en-GB", LAPTOP, name)
    day = date.today() + timedelta(days=20)
    title = f"Two seats {uuid.uuid4().hex[:6]}"
    path = post_form(
        organiser.context,
        "/events/new",
        {
            "title": title,
            "city": "Lyon",
            "venue_name": "Café des Freelances",
            "venue_address": "20 rue de la République",
            "starts_at": f"{day}T19:00",
            "ends_at": f"{day}T21:00",
            "capacity": "2",
        },
    )
    assert re.fullmatch(r"/events/\d+", path)

    # A member (French, on a phone) takes the last seat; another waits.
    leaving, _email = signed_up(browser, live_server, "fr-FR", PHONE, "Lucien")
    leaving.goto(path)
    leaving.get_by_role("button", name="J’y vais", exact=True).click()
    expect(leaving.locator("#my-status")).to_have_text("Vous y allez.")
    waiting, _email = signed_up(browser, live_server, "en-GB", LAPTOP, "Wanda")
    waiting.goto(path)
    waiting.get_by_role("button", name="Join the waitlist", exact=True).click()
    expect(waiting.locator("#my-status")).to_have_text("You are on the waitlist: number 1 in line.")

    # The organiser downloads everything stored about them, from /me, and reads it.
    organiser.goto("/me")
    with organiser.expect_download() as download:
        organiser.get_by_role("link", name="Download my data (JSON)", exact=True).click()
    assert re.fullmatch(r"meute-\d{4}-\d\d-\d\d\.json", download.value.suggested_filename)
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["account"]["email"] == organiser_email
    assert data["account"]["display_name"] == name
    assert [g["title"] for g in data["organising"]] == [title]
    assert "password" not in json.dumps(data).lower()

    # The member deletes their account: the page says what happens, the password is asked.
    leaving.goto("/me")
    leaving.get_by_role("link", name="Supprimer mon compte", exact=True).click()
    expect(leaving.get_by_role("heading", level=1)).to_have_text("Supprimer mon compte")
    leaving.get_by_label(re.compile(r"^Mot de passe")).fill("pas le bon")
    delete = leaving.get_by_role("button", name="Supprimer mon compte définitivement")
    delete.click()
    expect(leaving.locator("main")).to_contain_text("Ce n’est pas votre mot de passe.")
    leaving.get_by_label(re.compile(r"^Mot de passe")).fill(PASSWORD)
    delete.click()
    expect(leaving.locator(".flash")).to_contain_text("Votre compte est supprimé.")
    expect(leaving.get_by_role("link", name="Se connecter", exact=True).first).to_be_visible()

    # The first person waiting has the seat, and is told so on the gathering's page.
    waiting.reload()
    expect(waiting.locator("#my-status")).to_have_text("You are going.")
    expect(
        waiting.get_by_text(re.compile(r"^A seat freed up on .*: you are going\.$"))
    ).to_be_visible()
    expect(waiting.locator("#going")).to_contain_text("Wanda")
    expect(waiting.locator("#going")).not_to_contain_text("Lucien")
    for page in (organiser, leaving, waiting):
        page.context.close()
