"""The README's screenshots, taken from the demo data (`flask --app wsgi demo`).

By default they go to a temporary folder and are only checked; with MEETUPS_SCREENSHOTS_DIR set
(`make screenshots` sets docs/screenshots) they are written there, to be committed.
Map tiles come from the internet, which tests never reach: maps show Leaflet's plain background
with their markers.
"""

import os
import re
import struct

import pytest
from playwright.sync_api import expect

from meetups.demo import PASSWORD as DEMO_PASSWORD
from tests.live_server import LIVE_SECRET_KEY, ROOT

from .conftest import new_context
from .helpers import LAPTOP, PHONE, post_form, sqlite_pass_only

pytestmark = sqlite_pass_only

DEMO_MEMBER = "yanis@example.org"  # a Lyon translator who has not answered the first apéro
DEMO_ORGANISER = "camille@example.org"  # who proposed the first apéro
DEMO_ADMIN = "moderation@example.org"  # the demo's admin
GATHERING = "Apéro freelance"
# A monthly series: the city lists its occurrences, soonest first.
SERIES = "Apéro freelance du premier jeudi"
# file name -> (signed in: False, True (the member) or an e-mail, locale, viewport, what to open:
# a path or a gathering's title, whole page)
SHOTS = {
    "home.png": (False, "fr-FR", LAPTOP, "/", False),
    "city.png": (False, "fr-FR", LAPTOP, "/cities/lyon", True),  # down to the map
    "trades.png": (False, "fr-FR", LAPTOP, "/cities/lyon/trades", True),
    "gathering.png": (True, "fr-FR", LAPTOP, GATHERING, True),
    "propose.png": (True, "fr-FR", LAPTOP, "/events/new", False),
    "gathering-phone.png": (True, "fr-FR", PHONE, GATHERING, False),
    "home-en.png": (False, "en-GB", LAPTOP, "/", False),
    "cancel.png": (DEMO_ORGANISER, "fr-FR", LAPTOP, GATHERING, False),
    "pack.png": (True, "fr-FR", LAPTOP, "/packs/redacteurs-web-de-lyon", True),
    "pack-phone.png": (True, "fr-FR", PHONE, "/packs/redacteurs-web-de-lyon", False),
    "profile.png": (DEMO_ORGANISER, "fr-FR", LAPTOP, "/me/profile", True),
    "notifications.png": (DEMO_ORGANISER, "fr-FR", LAPTOP, "/me/notifications", False),
    "reset-phone.png": (False, "en-GB", PHONE, "/auth/reset", False),
    "quorum.png": (False, "fr-FR", LAPTOP, "Petit-déjeuner des nouveaux freelances", False),
    # The "still coming?" page a reminder links to, as the proofreader going opens it.
    "reminder-phone.png": (False, "fr-FR", PHONE, "reminder:Hugo Martin", False),
    "people.png": (DEMO_ORGANISER, "fr-FR", LAPTOP, GATHERING, True),
    "suggestions.png": (DEMO_ORGANISER, "fr-FR", LAPTOP, GATHERING, False),
    "recurring.png": (True, "fr-FR", LAPTOP, SERIES, False),
    "privacy.png": (False, "fr-FR", LAPTOP, "/privacy", True),
    "delete-account.png": (True, "en-GB", LAPTOP, "/me/delete", True),
    # The moderators' queue: the demo has two open reports on a gathering and one on a profile.
    "admin-reports.png": (DEMO_ADMIN, "fr-FR", LAPTOP, "/admin/reports", True),
}
# file name -> (the link then followed from what was opened, the address it leads to)
FOLLOW = {
    "cancel.png": ("Annuler cette rencontre", r"/events/\d+/cancel"),
    "people.png": ("Hugo Martin", r"/people/\d+"),  # the proofreader going to Camille's apéro
}
# file name -> (the block scrolled to the middle of the screen, a text it must hold)
BLOCK = {"suggestions.png": ("#suggested", "Hugo Martin")}  # demo people all opted in
# file name -> (a block the shot must show, a text it must hold)
SHOWS = {"recurring.png": ("#rhythm", "chaque premier jeudi du mois, 19:00")}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    chosen = os.environ.get("MEETUPS_SCREENSHOTS_DIR")
    if not chosen:
        return tmp_path_factory.mktemp("screenshots")
    path = ROOT / chosen
    path.mkdir(parents=True, exist_ok=True)
    return path


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", path
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def browse(browser, demo_server):
    """browse(signed_in, locale, viewport) -> a page on the demo, one per set of settings."""
    pages = {}

    def page_for(signed_in: bool | str, locale: str, viewport: dict):
        key = (signed_in, locale, viewport["width"])
        if key not in pages:
            context = new_context(browser, demo_server, locale=locale, viewport=viewport)
            if signed_in:
                email = DEMO_MEMBER if signed_in is True else signed_in
                credentials = {"email": email, "password": DEMO_PASSWORD}
                post_form(context, "/auth/login", credentials)
            pages[key] = context.new_page()
        return pages[key]

    yield page_for
    for page in pages.values():
        page.context.close()


def _reminder_link(browse, person: str) -> str:
    """The /r/ link of this person's reminder for the first apéro, signed as the server signs."""
    from flask import Flask

    from meetups.notifications.tokens import reminder_token

    page = browse(DEMO_ORGANISER, "fr-FR", LAPTOP)
    page.goto("/cities/lyon")
    page.get_by_role("link", name=GATHERING, exact=True).click()
    gathering_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    href = page.get_by_role("link", name=person, exact=True).first.get_attribute("href")
    signer = Flask("screenshots")
    signer.secret_key = LIVE_SECRET_KEY
    with signer.app_context():
        return f"/r/{reminder_token(gathering_id, int(href.rsplit('/', 1)[1]))}"


@pytest.mark.parametrize("name", SHOTS)
def test_screenshot(browse, folder, name):
    signed_in, locale, viewport, target, whole = SHOTS[name]
    page = browse(signed_in, locale, viewport)
    if target.startswith("/"):
        page.goto(target)
    elif target.startswith("reminder:"):
        page.goto(_reminder_link(browse, target.split(":", 1)[1]))
    else:  # a gathering, reached as people do (a series' first occurrence is listed first)
        page.goto("/cities/lyon")
        page.get_by_role("link", name=target, exact=True).first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(target)
    if name in FOLLOW:
        link, address = FOLLOW[name]
        page.get_by_role("link", name=link, exact=True).first.click()
        expect(page).to_have_url(re.compile(rf"{address}$"))
    if name in BLOCK:
        selector, text = BLOCK[name]
        block = page.locator(selector)
        expect(block).to_contain_text(text)
        block.evaluate("element => element.scrollIntoView({block: 'center'})")
    if name in SHOWS:
        selector, text = SHOWS[name]
        expect(page.locator(selector)).to_contain_text(text)
        expect(page.locator(f"{selector} .next-occurrences a").first).to_be_in_viewport()
    page.wait_for_function("() => [...document.images].every((image) => image.complete)")
    path = folder / name
    page.screenshot(path=path, full_page=whole)

    width, height = png_size(path)
    assert width == viewport["width"], (name, width)
    assert height == viewport["height"] if not whole else viewport["height"] <= height < 4000
    size = path.stat().st_size
    assert 15_000 < size < 600_000, f"{name}: {size} bytes"  # a real page, yet small
