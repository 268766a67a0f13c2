"""Browser fixtures: a live Meute server (gunicorn, its own SQLite file, the local geocoder) and Chromium."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.geocoder_server import GeocoderServer
from tests.live_server import ROOT, serve

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
# Where the local geocoder places "20 rue de la République" (Lyon 2e).
VENUE_LATITUDE, VENUE_LONGITUDE = 45.763421, 4.836521


@pytest.fixture(scope="session")
def geocoder():
    server = GeocoderServer().start()
    server.answer("ban", "rue de la République", VENUE_LATITUDE, VENUE_LONGITUDE)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, geocoder):
    """The base URL of a gunicorn server on a fresh SQLite database, schema from the migrations."""
    directory = tmp_path_factory.mktemp("e2e")
    database_url = f"sqlite:///{directory / 'meetups.sqlite'}"
    instance = directory / "instance"
    instance.mkdir()
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MEETUPS_")},
        "DATABASE_URL": database_url,
        "MEETUPS_INSTANCE_PATH": str(instance),
    }
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
    )
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


@pytest.fixture
def new_page(browser, live_server):
    """new_page() -> a Page in a fresh browser context (a new person), on the live server."""
    contexts = []

    def make():
        context = browser.new_context(
            locale="en-GB", viewport={"width": 1280, "height": 800}, base_url=live_server
        )
        context.set_default_timeout(5_000)
        context.route("**/*", _local_only)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
