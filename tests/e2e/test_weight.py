"""Light pages from this server only, that work with JavaScript off."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .conftest import LONG_TITLE, LONG_VENUE
from .helpers import SCREEN_BY_NAME, SCREENS, Screen, sqlite_pass_only

pytestmark = sqlite_pass_only

BUDGET = 100 * 1024  # bytes of our own HTML, CSS and JS per page, headers included
TILES = re.compile(r"^([a-z0-9-]+\.)*tile\.openstreetmap\.org$")


def _is_ours_to_weigh(request) -> bool:
    """The page's own HTML, CSS and JS as received: not images (tiles, the favicon), not the
    vendored Leaflet, not what was cancelled or refused before an answer (nothing transferred)."""
    response = request.response() if request.failure is None else None
    if response is None:
        return False
    image = request.resource_type == "image" or response.headers.get("content-type", "").startswith(
        "image/"
    )
    return not image and not urlsplit(request.url).path.startswith("/vendor/leaflet/")


@pytest.mark.parametrize("screen", SCREENS, ids=str)
def test_page_weight_and_no_third_parties(visit, live_server, screen):
    requests, sessions = [], []

    def on_request(request):
        requests.append(request)

    def record(page):
        page.on("request", on_request)
        session = page.context.new_cdp_session(page)  # Chromium's own switch: nothing cached
        session.send("Network.enable")
        session.send("Network.setCacheDisabled", {"cacheDisabled": True})
        sessions.append(session)

    page = visit(screen, slot="weight", before=record)
    page.remove_listener("request", on_request)

    ours = urlsplit(live_server).netloc
    elsewhere = [
        r.url
        for r in requests
        if urlsplit(r.url).netloc != ours and not TILES.match(urlsplit(r.url).hostname or "")
    ]
    assert not elsewhere, f"{screen} asked other hosts than this server: {elsewhere}"

    # The screen as shown: from its last document (a form sent empty loads two).
    documents = [i for i, r in enumerate(requests) if r.resource_type == "document"]
    shown = requests[documents[-1] :]
    weighed = {}
    for request in filter(_is_ours_to_weigh, shown):
        sizes = request.sizes()
        weighed[urlsplit(request.url).path] = (
            sizes["responseHeadersSize"] + sizes["responseBodySize"]
        )
    sessions[0].detach()
    total = sum(weighed.values())
    detail = ", ".join(f"{path} {size / 1024:.1f}" for path, size in weighed.items())
    print(f"\n{screen}: {total / 1024:.1f} KB ({detail})")
    assert total < BUDGET, f"{screen} weighs {total / 1024:.1f} KB: {detail}"


@pytest.mark.parametrize("screen", SCREENS, ids=str)
def test_every_page_works_without_javascript(visit, screen):
    page = visit(screen, java_script_enabled=False)  # what it shows will not change: no waiting
    assert page.get_by_role("main").get_by_role("heading", level=1).is_visible()
    assert page.get_by_role("navigation", name="Menu principal").is_visible()
    # Nothing shown that needs a script to work: the map stays hidden, the copy button too.
    assert not page.get_by_role("img", name=re.compile("^Carte")).is_visible()
    copy = page.get_by_role("button", name="Copier")
    assert copy.count() == 0, f"{screen}: a Copy button that cannot work without JavaScript"


def test_city_page_without_javascript_lists_gatherings_and_map_links(visit):
    page = visit(SCREEN_BY_NAME["city"], java_script_enabled=False)
    listed = page.get_by_role("region", name="Rencontres à venir")
    expect(listed.get_by_role("link", name=LONG_TITLE)).to_be_visible()
    on_the_map = page.get_by_role("region", name="Carte").get_by_role("link", name=LONG_VENUE)
    expect(on_the_map).to_be_visible()
    expect(on_the_map).to_have_attribute(
        "href", re.compile(r"^https://www\.openstreetmap\.org/\?mlat=45\.76\d+&mlon=4\.83\d+")
    )
    expect(page.get_by_role("link", name="M’abonner dans mon agenda")).to_be_visible()


def test_rsvp_without_javascript(visit):
    page = visit(Screen("open", "rsvper", "{open_gathering}"), java_script_enabled=False)
    seats = page.locator("#seats-left")
    before = int(re.search(r"\d+", seats.inner_text()).group())
    page.get_by_role("button", name="J’y vais", exact=True).click()
    expect(page.locator("#my-status")).to_have_text("Vous y allez.")
    expect(seats).to_contain_text(str(before - 1))
    page.get_by_role("button", name="Peut-être", exact=True).click()
    expect(page.locator("#my-status")).to_have_text(
        "Vous viendrez peut-être (sans place réservée)."
    )
    expect(seats).to_contain_text(str(before))
