"""Migrations build the schema the models describe, from an empty database, on both engines."""

import logging
import os
import sys

import pytest
import sqlalchemy as sa

from meetups import create_app
from meetups.extensions import db, migrate
from tests.scratch import postgres_database

EXPECTED_TABLES = {
    "cities",
    "venues",
    "users",
    "tags",
    "gatherings",
    "gathering_tags",
    "rsvps",
    "geocode_results",
}


@pytest.fixture(autouse=True)
def restore_logging():
    """migrations/env.py calls logging.fileConfig, which disables loggers and binds handlers to
    the CLI runner's streams; put logging back as it was for the tests that follow."""

    def loggers():
        items = logging.root.manager.loggerDict.items()
        return {name: lg for name, lg in items if isinstance(lg, logging.Logger)}

    def state(lg):
        return lg.disabled, lg.level, lg.handlers[:], lg.propagate

    before = {name: state(lg) for name, lg in loggers().items()}
    root = state(logging.root)
    yield
    for lg, (disabled, level, handlers, propagate) in [
        (logging.root, root),
        *(
            (lg, before.get(name, (False, logging.NOTSET, [], True)))
            for name, lg in loggers().items()
        ),
    ]:
        lg.disabled, lg.propagate = disabled, propagate
        lg.setLevel(level)
        lg.handlers[:] = handlers


@pytest.fixture(autouse=True)
def alembic_prints_to_the_runner():
    """Alembic prints (e.g. "No new upgrade operations detected.") to the sys.stdout it saw at
    import time; send it to the current one, which the CLI runner captures."""

    def configure(config):
        config.stdout = sys.stdout
        return config

    migrate.configure_callbacks.append(configure)
    yield
    migrate.configure_callbacks.remove(configure)


@pytest.fixture
def empty_app(tmp_path, monkeypatch):
    """Build an app on a database URL with nothing in it (no create_all)."""
    for key in [k for k in os.environ if k.startswith("MEETUPS_") or k == "DATABASE_URL"]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("MEETUPS_INSTANCE_PATH", str(tmp_path / "instance"))
    apps = []

    def build(url):
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test-secret-key",
                "SQLALCHEMY_DATABASE_URI": url,
                "WTF_CSRF_ENABLED": False,
                "GEOCODERS": "offline",
                "RATELIMIT_ENABLED": False,
            }
        )
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def tables(app) -> set[str]:
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


def upgrade_check_downgrade(app):
    """flask db upgrade on an empty database, db check, then db downgrade base."""
    assert tables(app) == set()
    runner = app.test_cli_runner()

    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert EXPECTED_TABLES | {"alembic_version"} <= tables(app)

    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
    assert "No new upgrade operations detected" in result.output

    use_the_migrated_schema(app)

    result = runner.invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output
    assert tables(app) <= {"alembic_version"}


def use_the_migrated_schema(app):
    """The app works on the migrated schema: propose a gathering over HTTP and read it back."""
    from meetups.accounts import services as accounts
    from meetups.gatherings.models import Gathering, Rsvp
    from tests.conftest import PASSWORD, form_data, future_local

    with app.app_context():
        accounts.register("migrated@example.org", PASSWORD, "Migrated", "developer")
        db.session.commit()
    client = app.test_client()
    login = client.post("/auth/login", data={"email": "migrated@example.org", "password": PASSWORD})
    assert login.status_code == 302
    response = client.post("/events/new", data=form_data(start=future_local(), capacity="3"))
    assert response.status_code in (302, 303), response.text
    assert client.get(response.headers["Location"]).status_code == 200
    with app.app_context():
        gathering = db.session.scalar(db.select(Gathering))
        assert (gathering.sequence, gathering.status, gathering.capacity) == (0, "scheduled", 3)
        assert db.session.scalar(db.select(Rsvp.response)) == "going"
        db.session.remove()


def test_sqlite_upgrade_check_downgrade(empty_app, tmp_path):
    app = empty_app(f"sqlite:///{tmp_path / 'migrated.sqlite'}")
    upgrade_check_downgrade(app)


def test_db_check_notices_a_schema_that_drifted(empty_app, tmp_path):
    # Guards the guard: a database missing an index the models declare fails the check.
    app = empty_app(f"sqlite:///{tmp_path / 'drifted.sqlite'}")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("DROP INDEX ix_gatherings_starts_at_id"))
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code != 0
    assert "New upgrade operations detected" in result.output


@pytest.mark.postgres
def test_postgresql_upgrade_check_downgrade(empty_app):
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the migration test on PostgreSQL: set TEST_DATABASE_URL.")
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL migrations not tested")
    with postgres_database(base, "meetups_migrations") as url:
        app = empty_app(url)
        try:
            upgrade_check_downgrade(app)
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
