"""Fixtures: a fresh database per test (a SQLite file, or PostgreSQL when TEST_DATABASE_URL is set)."""

import contextlib
import importlib.util
import os
import re
import shutil
import subprocess
import time
import types
from datetime import datetime, timedelta
from html import unescape
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import make_url

import meetups.packs.models  # noqa: F401 - mapped for tests that use models without an app
from meetups import create_app
from meetups.dates import local_to_utc, utcnow
from meetups.extensions import db
from tests.live_server import free_port
from tests.scratch import postgres_database

PASSWORD = "correct horse battery"
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"


def pytest_report_header(config):
    url = os.environ.get("TEST_DATABASE_URL")
    return f"database: {'PostgreSQL ' + make_url(url).render_as_string(hide_password=True) if url else 'SQLite file per test'}"


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL database for this test session (and xdist worker), or None."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield None
        return
    with postgres_database(base, f"meetups_test_{os.getpid()}") as url:
        yield url


@pytest.fixture
def database_url(tmp_path, postgres_url):
    return postgres_url or f"sqlite:///{tmp_path / 'meetups.sqlite'}"


@pytest.fixture
def app_config(database_url, tmp_path):
    """Settings for the test app; a test may change them before asking for `app`."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "GEOCODERS": "offline",
        "RATELIMIT_ENABLED": False,
    }


@pytest.fixture
def app(app_config, tmp_path, monkeypatch):
    for key in [k for k in os.environ if k.startswith("MEETUPS_") or k == "DATABASE_URL"]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("MEETUPS_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(app_config)
    with app.app_context():
        db.create_all()
        seed_trade_pairs()
    yield app
    dispose_app(app)


def module_app(tmp, database_url: str | None, **config) -> Flask:
    """An app of its own on a fresh database, for a module's shared set-up."""
    with pytest.MonkeyPatch.context() as env:
        for key in [k for k in os.environ if k.startswith("MEETUPS_") or k == "DATABASE_URL"]:
            env.delenv(key)
        env.setenv("MEETUPS_INSTANCE_PATH", str(tmp / "instance"))
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test-secret-key",
                "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{tmp / 'meetups.sqlite'}",
                "WTF_CSRF_ENABLED": False,
                "GEOCODERS": "offline",
                "RATELIMIT_ENABLED": False,
                **config,
            }
        )
    with app.app_context():
        db.create_all()
        seed_trade_pairs()
    return app


def dispose_app(app: Flask) -> None:
    """Close a test app's database (dropping PostgreSQL's tables: the next test starts empty)."""
    with app.app_context():
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            db.drop_all()
        db.engine.dispose()


def seed_trade_pairs() -> None:
    """The complementary pairs a migrated database holds: create_all makes tables, not data."""
    from meetups.accounts.models import TradePair

    path = next(MIGRATIONS.glob("*_trades_profiles_encounters_*.py"))
    spec = importlib.util.spec_from_file_location("seeding_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    db.session.add_all(TradePair(first=a, second=b) for a, b in map(sorted, migration.SEEDED_PAIRS))
    db.session.commit()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def create_user(app):
    """Make an account: create_user(email=..., display_name=..., trade=..., is_admin=...)."""
    from meetups.accounts import services
    from meetups.accounts.models import User

    counter = iter(range(1, 10_000))

    def make(
        email=None, display_name=None, trade="web writer", is_admin=False, password=PASSWORD
    ) -> User:
        n = next(counter)
        with app.app_context():
            user = services.register(
                email or f"person{n}@example.org", password, display_name or f"Person {n}", trade
            )
            user.is_admin = is_admin
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


@pytest.fixture
def login(client):
    """Sign the test client in: login(user) or login(email, password)."""

    def do(user_or_email, password=PASSWORD):
        email = getattr(user_or_email, "email", user_or_email)
        response = client.post("/auth/login", data={"email": email, "password": password})
        assert response.status_code == 302, response.text
        return response

    return do


def future_local(days=30, hour=19, minute=0) -> datetime:
    """A naive wall-clock time some days from now, as the form takes it."""
    day = (utcnow() + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, minute)


def form_data(**overrides) -> dict:
    """A valid proposal form, as a browser would post it."""
    start = overrides.pop("start", None) or future_local()
    data = {
        "title": "Apéro freelance",
        "description": "On parle tarifs.\nhttps://example.org",
        "city": "Lyon",
        "venue_name": "Café des Freelances",
        "venue_address": "12 rue de la République, 69002 Lyon",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "12",
        "tags": "seo, rédaction",
    }
    data.update(overrides)
    return data


def proposal_from(**overrides):
    """A services.Proposal from form fields (form_data's, overridden), as the form gives it."""
    from meetups.gatherings import services
    from meetups.gatherings.forms import parse_tags
    from meetups.places import gazetteer

    data = form_data(**overrides)
    place = gazetteer.lookup(data["city"])
    start = datetime.fromisoformat(data["starts_at"])
    end = datetime.fromisoformat(data["ends_at"])
    return services.Proposal(
        title=data["title"],
        description=data["description"],
        place=place,
        venue_name=data["venue_name"],
        venue_address=data["venue_address"],
        starts_at=local_to_utc(start, place.timezone),
        ends_at=local_to_utc(end, place.timezone),
        capacity=int(data["capacity"]) if data["capacity"] else None,
        tags=tuple(parse_tags(data["tags"])),
    )


@pytest.fixture
def create_gathering(app, create_user):
    """Propose a gathering through the service: create_gathering(organiser=None, **form fields)."""
    from meetups.accounts.models import User
    from meetups.gatherings import services
    from meetups.gatherings.models import Gathering

    def make(organiser=None, **overrides) -> Gathering:
        organiser = organiser or create_user()
        proposal = proposal_from(**overrides)
        with app.app_context():
            gathering = services.propose(db.session.get(User, organiser.id), proposal)
            db.session.commit()
            return db.session.get(Gathering, gathering.id)

    return make


def place_venue(app, venue_id, point, provider="ban", precision="housenumber"):
    """Give a venue coordinates, as the geocoder would have."""
    from meetups.places.models import Venue

    with app.app_context():
        venue = db.session.get(Venue, venue_id)
        venue.latitude, venue.longitude = point
        venue.geocode_status, venue.geocoded_by, venue.geocode_precision = (
            "located",
            provider,
            precision,
        )
        db.session.commit()


@pytest.fixture
def count_queries(app, client):
    """count_queries(path) -> (SQL statements one GET of path runs, the response); expects 200."""

    def run(path):
        statements = []

        def record(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            response = client.get(path)
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
        assert response.status_code == 200, (path, response.text)
        return len(statements), response

    return run


@pytest.fixture
def other_process(app_config):
    """other_process(**config): an app standing for another worker process, closed afterwards."""
    apps = []

    def make(**config):
        apps.append(create_app({**app_config, **config}))
        return apps[-1]

    yield make
    for other in apps:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


class Statements:
    """Counts (and keeps) the SQL statements an app sends, from every thread."""

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.count = 0
        self.sql: list[str] = []
        sa.event.listen(self.engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, *_args):
        self.count += 1
        self.sql.append(statement)

    def during(self, action):
        before = self.count
        result = action()
        return self.count - before, result

    def close(self):
        sa.event.remove(self.engine, "before_cursor_execute", self._record)


@pytest.fixture
def statements():
    opened = []

    def watch(app) -> Statements:
        opened.append(Statements(app))
        return opened[-1]

    yield watch
    for watcher in opened:
        watcher.close()


@pytest.fixture
def held_minute(monkeypatch):
    """The clock listings and the cities' counts read, held still (a test may move .now): the
    counts are kept for a minute, so a test that counts queries must not cross into the next."""
    from meetups.gatherings import counts, queries

    clock = types.SimpleNamespace(now=utcnow())
    for module in (counts, queries):
        monkeypatch.setattr(module, "utcnow", lambda: clock.now)
    return clock


@pytest.fixture
def get_gathering(app):
    """Read a gathering fresh from the database, as the next request would."""
    from meetups.gatherings.models import Gathering

    def get(gathering_id):
        with app.app_context():
            gathering = db.session.get(Gathering, gathering_id)
            if gathering is not None:
                # Touch what tests read so it survives the context.
                _ = (gathering.city, gathering.venue, gathering.tags, gathering.organiser)
                db.session.expunge_all()
            return gathering

    return get


def text_of(html: str) -> str:
    """A page's visible-ish text: tags removed, entities read (&#39; is '), whitespace collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def assert_script_only_enhances(html: str, path: str) -> None:
    """Scripts come from files of our own (deferred) or are JSON data; no inline code, no on*=."""
    for tag in re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE):
        assert re.search(r'type="application/(ld\+)?json"', tag) or re.search(r'src="/[^/]', tag), (
            path,
            tag,
        )
    assert not re.search(
        r"<script\b[^>]*>\s*[^\s\[{<]", html.replace('type="application/json"', "")
    ), path
    assert not re.search(r"\son[a-z]+=", html, flags=re.IGNORECASE), path


@pytest.fixture
def redis_url():
    """A Redis server of our own on a free port, stopped afterwards."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for_port(port: int, timeout: float = 10) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"redis-server did not listen on {port}")


@pytest.fixture(scope="session")
def smtp_inbox():
    """A real SMTP server on loopback for the whole session; `mail_app` empties it per test."""
    from tests.smtp import Inbox

    inbox = Inbox()
    inbox.start()
    yield inbox
    inbox.stop()


@pytest.fixture
def mail_config(app_config, smtp_inbox):
    """The test app's settings with the loopback SMTP server and a public base URL."""
    smtp_inbox.stop()  # a test may have left it stopped (an outage): always start afresh
    smtp_inbox.start()
    smtp_inbox.clear()
    app_config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_inbox.port,
        BASE_URL="https://meute.test",
        MAIL_DEFAULT_SENDER="Meute <noreply@meute.test>",
    )
    return app_config
