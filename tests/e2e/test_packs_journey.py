"""A pack, click by click, in Chromium: its creator makes it, a second person asks to join with
an answer, the organiser approves, the new member proposes a gathering into the pack, and a
third person subscribes to the pack's feed, read by the parsers the feed tests use. In French
on a laptop, in English on a phone."""

import re
import uuid
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.test_feed_parsers import check_feed_bytes, parse_all

from .conftest import new_context
from .helpers import LAPTOP, PASSWORD, PHONE, post_form, sqlite_pass_only

pytestmark = sqlite_pass_only

WORDS = {
    "fr-FR": {
        "create": "Créer la meute",
        "ask": "Demander à rejoindre",
        "waiting": "Votre demande attend la réponse d’un organisateur.",
        "approve": "Accepter",
        "member": "Vous êtes membre de cette meute.",
        "propose": "Proposer",
        "in_pack": "Dans la meute",
    },
    "en-GB": {
        "create": "Create the pack",
        "ask": "Ask to join",
        "waiting": "Your request is waiting for an organiser.",
        "approve": "Approve",
        "member": "You are a member of this pack.",
        "propose": "Propose",
        "in_pack": "In the pack",
    },
}


def signed_up(browser, live_server, locale: str, viewport: dict, name: str) -> Page:
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


@pytest.mark.parametrize(
    ("locale", "viewport"), [("fr-FR", LAPTOP), ("en-GB", PHONE)], ids=["fr-laptop", "en-phone"]
)
def test_a_pack_from_creation_to_its_feed(browser, live_server, locale, viewport):
    words = WORDS[locale]
    name = f"Rédacteurs d’Angers {uuid.uuid4().hex[:6]}"
    founder = signed_up(browser, live_server, locale, viewport, "Fanny")
    founder.goto("/packs/new")
    founder.locator("form [name=name]").fill(name)
    founder.locator("[name=city]").fill("Angers")
    founder.locator("form [name=description]").fill("On relit les textes des uns et des autres.")
    founder.locator("input[name=join_policy][value=approval]").check()
    founder.locator("[name=join_question]").fill("Quel est votre métier ?")
    founder.get_by_role("button", name=words["create"], exact=True).click()
    expect(founder).to_have_url(re.compile(r"/packs/[a-z0-9-]+$"))
    expect(founder.get_by_role("heading", level=1)).to_have_text(name)
    pack_path = re.sub(r"^https?://[^/]+", "", founder.url)

    # A second person asks, with an answer; the organiser approves.
    joiner = signed_up(browser, live_server, locale, viewport, "Paul")
    joiner.goto(pack_path)
    expect(joiner.locator("#join-question")).to_have_text("Quel est votre métier ?")
    joiner.locator("[name=answer]").fill("Correcteur, 10 ans de métier.")
    joiner.get_by_role("button", name=words["ask"], exact=True).click()
    expect(joiner.locator("#my-status")).to_have_text(words["waiting"])
    founder.goto(f"{pack_path}/members")
    expect(founder.locator("main")).to_contain_text("Correcteur, 10 ans de métier.")
    founder.get_by_role("button", name=words["approve"], exact=True).click()
    joiner.goto(pack_path)
    expect(joiner.locator("#my-status")).to_have_text(words["member"])

    # The new member proposes a gathering into the pack from its page.
    joiner.locator("#propose-in-pack").click()
    slug = pack_path.rsplit("/", 1)[1]
    expect(joiner.locator("select[name=pack]")).to_have_value(slug)
    day = date.today() + timedelta(days=30)
    title = f"Relecture croisée {uuid.uuid4().hex[:6]}"
    for field, value in {
        "title": title,
        "city": "Angers",
        "venue_name": "Café Cheminée",
        "venue_address": "2 place du Ralliement",
        "starts_at": f"{day}T19:00",
        "ends_at": f"{day}T21:00",
    }.items():
        joiner.locator(f"[name={field}]").fill(value)
    joiner.get_by_role("button", name=words["propose"], exact=True).click()
    expect(joiner).to_have_url(re.compile(r"/events/\d+$"))
    line = joiner.locator("#in-pack")
    expect(line).to_contain_text(words["in_pack"])
    expect(line.get_by_role("link", name=name)).to_have_attribute("href", pack_path)

    # A third person, signed out, subscribes to the pack's feed.
    visitor = new_context(browser, live_server, locale=locale, viewport=viewport).new_page()
    visitor.goto(pack_path)
    expect(visitor.locator("#no-gatherings")).to_have_count(0)
    expect(visitor.locator("main")).to_contain_text(title)
    feed_url = visitor.locator(".subscribe .feed-url").input_value()
    assert visitor.locator(".subscribe-webcal").get_attribute("href").startswith("webcal://")
    body = visitor.request.get(re.sub(r"^https?://[^/]+", "", feed_url)).body()
    check_feed_bytes(body)
    # The four parsers read the same events (parse_all checks it): this one, in the pack.
    assert [event.summary for event in parse_all(body).values()] == [title]
    for page in (founder, joiner, visitor):
        page.context.close()
