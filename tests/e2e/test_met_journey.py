"""Saying whom one met, in Chromium, in French and in English: two people go to a gathering,
and once it has started each says they met the other. One mark shows nobody anything; two
marks make each a contact of the other, with their profile links; a third who went sees none
of it."""

import re
import sqlite3
import uuid
from contextlib import closing
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from .conftest import new_context
from .helpers import PASSWORD, post_form, sqlite_pass_only

pytestmark = sqlite_pass_only

WORDS = {
    "fr-FR": {
        "save": "Enregistrer mon profil",
        "saved": "Votre profil est enregistré.",
        "going": "J’y vais",
        "met": "J’ai rencontré cette personne",
        "said": "Vous avez dit avoir rencontré cette personne",
        "in_contacts": "Dans vos contacts",
        "trades": {"anna": "Rédactrice web", "bruno": "Correcteur", "chloe": "Photographe"},
    },
    "en-GB": {
        "save": "Save my profile",
        "saved": "Your profile is saved.",
        "going": "Going",
        "met": "I met them",
        "said": "You said you met them",
        "in_contacts": "In your contacts",
        "trades": {"anna": "web writer", "bruno": "proofreader", "chloe": "photographer"},
    },
}
NAMES = {"anna": "Anna Roux", "bruno": "Bruno Costa", "chloe": "Chloé Garnier"}
LINKS = {
    "anna": ["https://www.malt.fr/profile/anna-roux", "https://example.org/anna"],
    "bruno": ["https://www.linkedin.com/in/bruno-costa"],
    "chloe": ["https://example.org/chloe"],
}
# How SQLAlchemy's DateTime writes to SQLite, which UTCDateTime feeds plain UTC (meetups/dates.py).
SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"


def set_links(page: Page, words: dict, links: list[str]) -> None:
    """Type one's links on one's profile page, as a person does, and save."""
    page.goto("/me/profile")
    for box, link in zip(page.locator("input[name=links]").all(), links, strict=False):
        box.fill(link)
    page.get_by_role("button", name=words["save"], exact=True).click()
    expect(page.get_by_text(words["saved"], exact=True)).to_be_visible()


def move_into_the_past(database, gathering: str) -> None:
    """Start the gathering an hour ago, ending in an hour: no form may set a past start."""
    gathering_id = int(gathering.rsplit("/", 1)[1])
    now = datetime.now(UTC).replace(tzinfo=None)
    with closing(sqlite3.connect(database, timeout=10)) as connection, connection:
        stored = connection.execute(
            "SELECT starts_at FROM gatherings WHERE id = ?", (gathering_id,)
        ).fetchone()[0]
        datetime.strptime(stored, SQLITE_DATETIME)  # written as the application writes it
        connection.execute(
            "UPDATE gatherings SET starts_at = ?, ends_at = ? WHERE id = ?",
            (
                (now - timedelta(hours=1)).strftime(SQLITE_DATETIME),
                (now + timedelta(hours=1)).strftime(SQLITE_DATETIME),
                gathering_id,
            ),
        )


def met_row(page: Page, gathering: str, name: str):
    """The line for this person in the page's "who did you meet" section."""
    page.goto(gathering)
    return page.locator("#met li").filter(has_text=name)


def expect_no_contacts(page: Page) -> None:
    page.goto("/me/contacts")
    expect(page.locator("#no-contacts")).to_be_visible()
    expect(page.locator("#contacts")).to_have_count(0)


def expect_contact(page: Page, role: str) -> None:
    """This person's contacts page holds exactly the other one, with their profile links."""
    page.goto("/me/contacts")
    contacts = page.locator("#contacts .contact")
    expect(contacts).to_have_count(1)
    expect(contacts.get_by_role("heading", level=2)).to_have_text(NAMES[role])
    links = contacts.locator("a[rel~=nofollow]")
    expect(links).to_have_count(len(LINKS[role]))
    assert [link.get_attribute("href") for link in links.all()] == LINKS[role]


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"], ids=["fr", "en"])
def test_two_people_who_met_find_each_other(browser, live_server, live_database, locale):
    words = WORDS[locale]
    pages = {}
    for role, trade in words["trades"].items():
        context = new_context(browser, live_server, locale=locale)
        account = {
            "email": f"{role}-{uuid.uuid4().hex[:8]}@example.org",
            "password": PASSWORD,
            "display_name": NAMES[role],
            "trade": trade,
            "city": "Lyon",
        }
        post_form(context, "/auth/register", account)
        pages[role] = context.new_page()
        set_links(pages[role], words, LINKS[role])
    anna, bruno, chloe = pages["anna"], pages["bruno"], pages["chloe"]

    # Chloé proposes (the organiser went, by definition); Anna and Bruno say they are going.
    day = date.today() + timedelta(days=40)
    gathering = post_form(
        chloe.context,
        "/events/new",
        {
            "title": f"Apéro des rencontres {uuid.uuid4().hex[:6]}",
            "city": "Lyon",
            "venue_name": "Café des Freelances",
            "venue_address": "20 rue de la République, 69002 Lyon",
            "starts_at": f"{day}T19:00",
            "ends_at": f"{day}T21:00",
        },
    )
    assert re.fullmatch(r"/events/\d+", gathering)
    for page in (anna, bruno):
        page.goto(gathering)
        page.get_by_role("button", name=words["going"], exact=True).click()
        expect(page.locator("#seats-left")).to_be_visible()
    # Not started yet: nobody is asked whom they met.
    anna.goto(gathering)
    expect(anna.locator("#met")).to_have_count(0)

    move_into_the_past(live_database, gathering)

    # Anna says she met Bruno: her page shows it pressed, nothing more.
    row = met_row(anna, gathering, NAMES["bruno"])
    button = row.get_by_role("button", name=f"{words['met']} ({NAMES['bruno']})", exact=True)
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(anna).to_have_url(re.compile(rf"{re.escape(gathering)}#met$"))
    row = anna.locator("#met li").filter(has_text=NAMES["bruno"])
    expect(row.get_by_role("button", pressed=True)).to_be_visible()
    expect(row).to_contain_text(words["said"])
    expect(row.get_by_role("link", name=words["in_contacts"])).to_have_count(0)
    expect_no_contacts(anna)

    # Bruno sees no sign of it: not on his contacts page, not on the gathering's.
    expect_no_contacts(bruno)
    row = met_row(bruno, gathering, NAMES["anna"])
    expect(row.get_by_role("button", pressed=True)).to_have_count(0)
    expect(row.get_by_role("button", pressed=False)).to_have_text(
        f"{words['met']} ({NAMES['anna']})"
    )
    expect(bruno.locator("#met")).not_to_contain_text(words["said"])
    expect(bruno.locator("#met").get_by_role("link", name=words["in_contacts"])).to_have_count(0)

    # Bruno says he met Anna: each is now the other's contact, with their links.
    row.get_by_role("button", name=f"{words['met']} ({NAMES['anna']})", exact=True).click()
    row = bruno.locator("#met li").filter(has_text=NAMES["anna"])
    expect(row.get_by_role("button", pressed=True)).to_be_visible()
    expect(row.get_by_role("link", name=words["in_contacts"])).to_be_visible()
    expect_contact(anna, "bruno")
    expect_contact(bruno, "anna")
    row = met_row(anna, gathering, NAMES["bruno"])
    expect(row.get_by_role("link", name=words["in_contacts"])).to_be_visible()

    # Chloé went too: she sees none of it, neither on her contacts page nor on the gathering's.
    expect_no_contacts(chloe)
    chloe.goto(gathering)
    met = chloe.locator("#met")
    for role in ("anna", "bruno"):
        row = met.locator("li").filter(has_text=NAMES[role])
        expect(row.get_by_role("button", pressed=False)).to_have_count(1)
    expect(met.get_by_role("button", pressed=True)).to_have_count(0)
    expect(met).not_to_contain_text(words["said"])
    for page in pages.values():
        page.context.close()
