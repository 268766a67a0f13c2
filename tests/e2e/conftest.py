"""Browser fixtures: a live Meute server (gunicorn, its own SQLite file, the local geocoder) and Chromium."""

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.geocoder_server import GeocoderServer
from tests.live_server import ROOT, serve

from .helpers import LAPTOP, PASSWORD, SCREENS, SETTINGS, Screen, post_form

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_SCRIPT = Axe().axe_script  # axe-core, as axe-playwright-python ships it
# Where the local geocoder places "20 rue de la République" (Lyon 2e).
VENUE_LATITUDE, VENUE_LONGITUDE = 45.763421, 4.836521
# Demo-like content at its longest, for the layout tests.
LONG_TITLE = (
    "Apéro freelance mensuel des rédacteurs, correcteurs, traducteurs et consultants SEO "
    "de la métropole lyonnaise"
)
LONG_VENUE = "Café-librairie coopératif des Indépendants de la Presqu’île et des Pentes"
LONG_DESCRIPTION = (
    "On parle tarifs, clients et outils.\n\nLe programme complet : "
    "https://example.org/evenements/lyon/apero-freelance-mensuel-redacteurs-correcteurs"
    "-traducteurs?utm_source=meute&utm_medium=calendrier&utm_campaign=apero-lyon-2027\n\n"
    "Mot-clé du mois : anticonstitutionnellementintergouvernementalisation."
)


@pytest.fixture(scope="session")
def geocoder():
    server = GeocoderServer().start()
    server.answer("ban", "rue de la République", VENUE_LATITUDE, VENUE_LONGITUDE)
    yield server
    server.stop()


DATABASE_FILE = "meetups.sqlite"  # in the folder _fresh_database is given


def _fresh_database(directory: Path, *commands: list[str]) -> tuple[str, Path]:
    """A SQLite file in directory, migrated, then each flask command run on it; its URL, instance."""
    database_url = f"sqlite:///{directory / DATABASE_FILE}"
    instance = directory / "instance"
    instance.mkdir()
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MEETUPS_")},
        "DATABASE_URL": database_url,
        "MEETUPS_INSTANCE_PATH": str(instance),
    }
    for command in (["db", "upgrade"], *commands):
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *command],
            cwd=ROOT,
            env=environment,
            check=True,
            capture_output=True,
        )
    return database_url, instance


@pytest.fixture(scope="session")
def live_folder(tmp_path_factory) -> Path:
    """The folder of the live server's database and instance."""
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def live_server(live_folder, geocoder):
    """The base URL of a gunicorn server on a fresh SQLite database, schema from the migrations."""
    database_url, instance = _fresh_database(live_folder)
    with serve(
        database_url,
        instance,
        workers=2,
        threads=2,
        MEETUPS_GEOCODERS="ban",
        MEETUPS_BAN_URL=f"{geocoder.url}/ban",
        MEETUPS_GEOCODER_TIMEOUT="2",
    ) as base:
        yield base


@pytest.fixture(scope="session")
def live_database(live_server, live_folder) -> Path:
    """The live server's SQLite file, for what no form may do (move a gathering into the past)."""
    return live_folder / DATABASE_FILE


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = "Chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()
    playwright.stop()


def _local_only(route):
    """Let requests to this machine through; abort the rest (OSM tiles, anything else)."""
    if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
        route.continue_()
    else:
        route.abort()


def new_context(browser, base_url: str, locale: str = "en-GB", viewport=LAPTOP, **options):
    """A fresh browser context (a new person) on base_url that reaches nothing off this machine."""
    context = browser.new_context(locale=locale, viewport=viewport, base_url=base_url, **options)
    context.set_default_timeout(5_000)
    context.route("**/*", _local_only)  # routing also turns the HTTP cache off
    return context


@pytest.fixture
def new_page(browser, live_server):
    """new_page() -> a Page in a fresh browser context (a new person), on the live server."""
    contexts = []

    def make():
        context = new_context(browser, live_server)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def _in_days(days: int, hour: int) -> str:
    day = date.today() + timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00"


@dataclass
class Site:
    """What the `site` fixture put on the live server, and the browsers of the people in it."""

    gathering: str  # path of a full gathering with long names, an unbroken URL and a waitlist
    open_gathering: str  # path of a gathering with free seats, for RSVP tests
    states: dict  # signed-in browser storage by role: organiser, member, waiting, rsvper, keyboard
    keyboard_email: str  # an account for the keyboard test, that has not answered yet


@pytest.fixture(scope="session")
def site(browser, live_server) -> Site:
    """Demo-like content, made once per session with the site's own forms (over HTTP: fast).

    The organiser's gathering has a long title, a long venue name, a description with a long
    unbroken URL and 2 seats: the organiser holds one, the member the other, and a third
    person waits. The journeys test the same forms click by click.
    """
    states, emails = {}, {}
    for role, name, trade in (
        ("organiser", "Marie-Charlotte Delacroix-Vasseur", "rédactrice web et correctrice"),
        ("member", "Sam Lefebvre", "SEO consultant"),
        ("waiting", "Finn Moreau", "developer"),
        ("rsvper", "Noor Haddad", "translator"),
        ("keyboard", "Kim Laurent", "proofreader"),
    ):
        context = new_context(browser, live_server)
        emails[role] = f"{role}-{uuid.uuid4().hex[:8]}@example.org"
        account = {"email": emails[role], "password": PASSWORD, "city": "Lyon"}
        post_form(context, "/auth/register", {**account, "display_name": name, "trade": trade})
        states[role] = context.storage_state()
        context.close()

    proposal = {
        "city": "Lyon",
        "venue_address": "20 rue de la République, 69002 Lyon",  # the local geocoder knows it
        "tags": "apéro, rédaction, correction, traduction-technique-et-localisation",
    }
    context = new_context(browser, live_server, storage_state=states["organiser"])
    gathering = post_form(
        context,
        "/events/new",
        {
            **proposal,
            "title": LONG_TITLE,
            "description": LONG_DESCRIPTION,
            "venue_name": LONG_VENUE,
            "starts_at": _in_days(40, 19),
            "ends_at": _in_days(40, 22),
            "capacity": "2",
        },
    )
    open_gathering = post_form(
        context,
        "/events/new",
        {
            **proposal,
            "title": "Atelier tarifs",
            "description": "Combien facturer une journée ?",
            "venue_name": "Café des Freelances",
            "starts_at": _in_days(45, 18),
            "ends_at": _in_days(45, 20),
            "capacity": "8",
        },
    )
    context.close()
    for role in ("member", "waiting"):  # the last seat, then the waitlist
        context = new_context(browser, live_server, storage_state=states[role])
        post_form(context, f"{gathering}/rsvp", {"response": "going"}, form_page=gathering)
        context.close()
    return Site(gathering, open_gathering, states, emails["keyboard"])


@pytest.fixture(scope="session")
def visit(live_server, browser, site):
    """visit(screen, locale=, viewport=, **context options) -> a Page showing that screen.

    The page belongs to a browser signed in as the screen's role (see `site`), with axe-core
    loaded in every document it opens, kept for the session and shared by every test asking for
    the same settings and slot (a name: a fixture that keeps a page takes a slot of its own, so
    that no other test moves it). before(page) runs before the page loads. Other keyword
    arguments are browser context options (java_script_enabled=False, ...).
    """
    shared = {}

    def go(
        screen: Screen,
        *,
        locale="fr-FR",
        viewport=LAPTOP,
        slot="",
        before=None,
        **options,
    ) -> Page:
        key = (slot, screen.who, locale, viewport["width"], viewport["height"], *options.items())
        page = shared.get(key)
        if page is None:
            context = new_context(
                browser,
                live_server,
                locale=locale,
                viewport=viewport,
                storage_state=site.states.get(screen.who),
                **options,
            )
            context.add_init_script(script=AXE_SCRIPT)
            page = shared[key] = context.new_page()
        if before:
            before(page)
        response = page.goto(
            screen.path.format(gathering=site.gathering, open_gathering=site.open_gathering)
        )
        assert response.status == screen.status, (screen.name, response.status)
        if screen.submit:  # the page's one form, sent empty
            with page.expect_navigation():
                page.get_by_role("main").get_by_role("button").click()
        return page

    yield go
    for page in shared.values():
        page.context.close()


@pytest.fixture(
    scope="session",
    params=[(screen, setting) for screen in SCREENS for setting in SETTINGS],
    ids=lambda pair: f"{pair[0]}-{pair[1]}",
)
def shown(request, visit):
    """(screen, setting, page): each screen in each setting, loaded once for every test that only
    looks at it (axe-core, names, landmarks, overflow: pytest runs them together)."""
    screen, setting = request.param
    locale, viewport = SETTINGS[setting]
    return screen, setting, visit(screen, locale=locale, viewport=viewport, slot="shown")


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    """The base URL of a gunicorn server on a fresh SQLite database holding the demo data."""
    database_url, instance = _fresh_database(tmp_path_factory.mktemp("demo"), ["demo"])
    # Feed addresses as an instance would show them, rather than 127.0.0.1 and a random port.
    with serve(
        database_url, instance, workers=1, threads=4, MEETUPS_BASE_URL="https://meute.example.org"
    ) as base:
        yield base
