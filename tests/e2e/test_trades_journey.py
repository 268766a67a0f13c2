"""Trades that find each other, in Chromium, in French and in English: people opt in to
suggestions on their profile, go to one gathering, and see whom to meet; the photographer
turns suggestions off and leaves everyone's; the city's trade map counts them."""

import re
import uuid
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from .conftest import new_context
from .helpers import PASSWORD, post_form, sqlite_pass_only

pytestmark = sqlite_pass_only

# A city of their own per language: its trade map holds these four people and nobody else.
WORDS = {
    "fr-FR": {
        "city": "Lorient",
        "slug": "lorient",
        "trades": {
            "writer": "Rédactrice web",
            "reader": "Correcteur",
            "photographer": "Photographe",
            "manager": "Community manager",
        },
        "save": "Enregistrer mon profil",
        "saved": "Votre profil est enregistré.",
        "going": "J’y vais",
        "writer_sees": "Paul · correcteur : complète rédactrice web",
        "manager_sees": "Fanny · photographe : complète community manager",
        "mix": ["1 community manager", "1 correcteur", "1 photographe", "1 rédacteur web"],
        "missing": "consultant SEO",
    },
    "en-GB": {
        "city": "Quimper",
        "slug": "quimper",
        "trades": {
            "writer": "web writer",
            "reader": "proofreader",
            "photographer": "photographer",
            "manager": "community manager",
        },
        "save": "Save my profile",
        "saved": "Your profile is saved.",
        "going": "Going",
        "writer_sees": "Paul · proofreader: complements web writer",
        "manager_sees": "Fanny · photographer: complements community manager",
        "mix": ["1 community manager", "1 photographer", "1 proofreader", "1 web writer"],
        "missing": "SEO consultant",
    },
}
NAMES = {"writer": "Wanda", "reader": "Paul", "photographer": "Fanny", "manager": "Carla"}


def set_suggestions(page: Page, words: dict, on: bool) -> None:
    """Tick or untick the opt-in on one's profile page, as a person does, and save."""
    page.goto("/me/profile")
    box = page.locator("input[name=suggestions]")
    box.check() if on else box.uncheck()
    page.get_by_role("button", name=words["save"], exact=True).click()
    expect(page.get_by_text(words["saved"], exact=True)).to_be_visible()


def suggested(page: Page, gathering: str) -> list[str]:
    page.goto(gathering)
    block = page.locator("#suggested li")
    return [" ".join(text.split()) for text in block.all_inner_texts()]


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"], ids=["fr", "en"])
def test_complementary_trades_find_each_other(browser, live_server, locale):
    words = WORDS[locale]
    pages = {}
    for role, trade in words["trades"].items():
        context = new_context(browser, live_server, locale=locale)
        account = {
            "email": f"{role}-{uuid.uuid4().hex[:8]}@example.org",
            "password": PASSWORD,
            "display_name": NAMES[role],
            "trade": trade,
            "city": words["city"],
        }
        post_form(context, "/auth/register", account)
        pages[role] = context.new_page()
        set_suggestions(pages[role], words, on=True)
    day = date.today() + timedelta(days=40)
    gathering = post_form(
        pages["manager"].context,
        "/events/new",
        {
            "title": f"Apéro des métiers {uuid.uuid4().hex[:6]}",
            "city": words["city"],
            "venue_name": "Le Café du Port",
            "venue_address": "1 quai du Port",
            "starts_at": f"{day}T19:00",
            "ends_at": f"{day}T21:00",
        },
    )
    assert re.fullmatch(r"/events/\d+", gathering)
    for role in ("writer", "reader", "photographer"):
        page = pages[role]
        page.goto(gathering)
        page.get_by_role("button", name=words["going"], exact=True).click()
        expect(page.locator("#seats-left")).to_be_visible()

    # The writer is told about the proofreader, with the reason, and not the photographer.
    assert suggested(pages["writer"], gathering) == [words["writer_sees"]]
    assert words["manager_sees"] in suggested(pages["manager"], gathering)
    expect(pages["writer"].locator("#trade-mix li")).to_have_text(words["mix"])

    # The photographer turns suggestions off: gone from everyone's suggestions.
    set_suggestions(pages["photographer"], words, on=False)
    assert words["manager_sees"] not in suggested(pages["manager"], gathering)
    assert suggested(pages["photographer"], gathering) == []
    assert suggested(pages["writer"], gathering) == [words["writer_sees"]]

    # The city's trade map: the four of them counted, no name, and a trade nobody has yet.
    trade_map = pages["photographer"]
    trade_map.goto(f"/cities/{words['slug']}/trades")
    rows = trade_map.locator("#trade-counts tbody tr")
    counted = [" ".join(reversed(row.split("\t"))) for row in rows.all_inner_texts()]
    assert sorted(counted) == sorted(words["mix"])
    expect(trade_map.locator("#missing")).to_contain_text(words["missing"])
    for name in NAMES.values():
        expect(trade_map.locator("main")).not_to_contain_text(name)
    for page in pages.values():
        page.context.close()
