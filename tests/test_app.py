"""The application as operators and clients meet it: factory, configuration, health, errors, CLI."""

import os
import stat

import pytest
import sqlalchemy as sa

from meetups import create_app
from meetups.extensions import db
from tests.conftest import text_of

DEAD_POSTGRES = "postgresql+psycopg://x@127.0.0.1:1/x"


@pytest.fixture
def client(app):
    """A test client that asks for English pages, so text assertions do not depend on catalogues."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """An empty instance folder, with no MEETUPS_* or DATABASE_URL left from the environment."""
    for key in [k for k in os.environ if k.startswith("MEETUPS_") or k == "DATABASE_URL"]:
        monkeypatch.delenv(key)
    path = tmp_path / "instance"
    path.mkdir()
    monkeypatch.setenv("MEETUPS_INSTANCE_PATH", str(path))
    return path


@pytest.fixture
def build(instance):
    """Build apps with create_app and dispose of their engines afterwards."""
    apps = []

    def make(test_config=None):
        app = create_app(test_config)
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- factory and configuration -------------------------------------------------------------


def test_factory_takes_a_test_dict(build):
    app = build({"TESTING": True, "SECRET_KEY": "k", "GEOCODERS": "offline"})
    assert app.testing
    assert app.config["GEOCODERS"] == "offline"
    assert app.config["SECRET_KEY"] == "k"


def test_defaults_apply_when_nothing_overrides_them(build, instance):
    app = build()
    assert app.config["GEOCODERS"] == "ban,nominatim"
    assert app.config["BAN_URL"] == "https://data.geopf.fr/geocodage"
    assert app.config["GEOCODER_TIMEOUT"] == 5
    assert app.config["RATELIMIT_ENABLED"] is True
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'meetups.sqlite'}"


def test_config_precedence(build, instance, monkeypatch):
    """defaults < instance/config.py < MEETUPS_* < DATABASE_URL < test dict, one layer at a time."""
    (instance / "config.py").write_text(
        "GEOCODER_TIMEOUT = 7\n"
        "BASE_URL = 'https://instance.example'\n"
        "NOMINATIM_URL = 'https://nominatim.instance.example'\n"
        "SQLALCHEMY_DATABASE_URI = 'sqlite:///instance.sqlite'\n"
    )
    monkeypatch.setenv("MEETUPS_BASE_URL", "https://env.example")
    monkeypatch.setenv("MEETUPS_NOMINATIM_URL", "https://nominatim.env.example")
    monkeypatch.setenv("MEETUPS_SQLALCHEMY_DATABASE_URI", "sqlite:///env.sqlite")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///database-url.sqlite")

    app = build({"NOMINATIM_URL": "https://nominatim.test.example"})

    assert app.config["GEOCODERS"] == "ban,nominatim"  # default, untouched
    assert app.config["GEOCODER_TIMEOUT"] == 7  # instance file beats the default
    assert app.config["BASE_URL"] == "https://env.example"  # MEETUPS_* beats the instance file
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///database-url.sqlite"
    assert app.config["NOMINATIM_URL"] == "https://nominatim.test.example"  # test dict wins


def test_test_dict_beats_database_url(build, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///database-url.sqlite")
    app = build({"SQLALCHEMY_DATABASE_URI": "sqlite:///from-test.sqlite"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///from-test.sqlite"


def test_env_values_are_parsed(build, monkeypatch):
    """MEETUPS_RATELIMIT_ENABLED=false is False (not the truthy string "false"); numbers are numbers."""
    monkeypatch.setenv("MEETUPS_RATELIMIT_ENABLED", "false")
    monkeypatch.setenv("MEETUPS_GEOCODER_TIMEOUT", "2")
    app = build()
    assert app.config["RATELIMIT_ENABLED"] is False
    assert app.config["GEOCODER_TIMEOUT"] == 2


@pytest.mark.parametrize(
    "url",
    ["postgres://meute:pw@db.example:5432/meute", "postgresql://meute:pw@db.example:5432/meute"],
)
def test_postgres_urls_get_the_psycopg_driver(build, monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    app = build()
    assert (
        app.config["SQLALCHEMY_DATABASE_URI"]
        == "postgresql+psycopg://meute:pw@db.example:5432/meute"
    )


def test_secret_key_is_generated_once_into_the_instance(build, instance):
    first = build()
    key_file = instance / "secret_key"
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 32
    assert key_file.read_text().strip() == first.config["SECRET_KEY"]

    second = build()
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_another_instance_gets_another_secret_key(build, tmp_path, monkeypatch):
    first = build()
    other = tmp_path / "other-instance"
    monkeypatch.setenv("MEETUPS_INSTANCE_PATH", str(other))
    second = build()
    assert (other / "secret_key").is_file()
    assert second.config["SECRET_KEY"] != first.config["SECRET_KEY"]


def test_env_secret_key_overrides_the_instance_one(build, monkeypatch):
    generated = build().config["SECRET_KEY"]
    monkeypatch.setenv("MEETUPS_SECRET_KEY", "from-the-environment")
    assert build().config["SECRET_KEY"] == "from-the-environment" != generated


def test_building_the_app_runs_no_query(build, monkeypatch):
    """A database nobody listens on does not stop the app from being built."""
    monkeypatch.setenv("DATABASE_URL", DEAD_POSTGRES)
    app = build()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == DEAD_POSTGRES
    assert "make-admin" in app.cli.list_commands(None)


# --- health --------------------------------------------------------------------------------


def test_healthz_says_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.text == "ok"
    assert response.mimetype == "text/plain"


def test_healthz_answers_503_when_the_database_is_down(build):
    app = build({"TESTING": True, "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": DEAD_POSTGRES})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.mimetype == "text/plain"
    assert response.text != "ok"


# --- error pages ---------------------------------------------------------------------------


def test_unknown_page_is_an_html_404(client):
    response = client.get("/nope")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<html" in response.text
    assert "See upcoming gatherings" in text_of(response.text)


def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/nope")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert isinstance(response.json["error"], str) and response.json["error"]


def test_editing_someone_elses_gathering_is_forbidden(client, create_user, create_gathering, login):
    gathering = create_gathering()
    login(create_user())
    response = client.get(f"/events/{gathering.id}/edit")
    assert response.status_code == 403
    assert response.mimetype == "text/html"
    assert "not allowed" in text_of(response.text)


@pytest.fixture
def failing_app(app):
    """The test app behaving as in production: exceptions become 500 pages, not tracebacks."""
    app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    def boom():
        raise RuntimeError("kaboom")

    app.add_url_rule("/boom", "boom", boom)
    app.add_url_rule("/api/boom", "api_boom", boom)
    return app


def test_a_crash_renders_the_friendly_500_page(failing_app, caplog):
    client = failing_app.test_client()
    response = client.get("/boom", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    page = text_of(response.text)
    assert "Something went wrong on our side" in page
    assert "kaboom" not in response.text and "Traceback" not in response.text
    assert "kaboom" in caplog.text  # logged for the operator, not shown to the visitor


def test_a_crash_under_api_is_json(failing_app):
    response = failing_app.test_client().get("/api/boom")
    assert response.status_code == 500
    assert response.mimetype == "application/json"
    assert set(response.json) == {"error"}
    assert "kaboom" not in response.text


def test_html_pages_carry_security_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp


def test_other_responses_carry_nosniff(client):
    for path in ("/healthz", "/api/nope"):
        assert client.get(path).headers["X-Content-Type-Options"] == "nosniff", path


# --- command line --------------------------------------------------------------------------


def test_make_admin_is_case_insensitive(app, runner, create_user):
    from meetups.accounts.models import User

    user = create_user(email="camille@example.org")
    result = runner.invoke(args=["make-admin", "Camille@Example.ORG"])
    assert result.exit_code == 0, result.output
    assert "camille@example.org" in result.output
    with app.app_context():
        assert db.session.get(User, user.id).is_admin is True


def test_make_admin_refuses_an_unknown_email(app, runner, create_user):
    from meetups.accounts.models import User

    create_user(email="camille@example.org")
    result = runner.invoke(args=["make-admin", "nobody@example.org"])
    assert result.exit_code != 0
    assert "nobody@example.org" in result.output
    with app.app_context():
        assert not db.session.scalar(sa.select(User).where(User.is_admin))


def test_demo_fills_an_empty_database(app, runner, client):
    from meetups.accounts.models import User
    from meetups.gatherings.models import Gathering
    from meetups.packs.models import Membership, MemberStatus, Pack
    from meetups.places.models import City, Venue

    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert count(app, User) > 0
    assert count(app, City) > 1
    assert count(app, Gathering) > 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(Venue.latitude.is_(None))) == 0
        titles = db.session.scalars(sa.select(Gathering.title)).all()
        packs = dict(db.session.execute(sa.select(Pack.slug, Pack.join_policy)).all())
        in_packs = db.session.scalars(
            sa.select(Gathering.id).where(Gathering.pack_id.is_not(None)).order_by(Gathering.id)
        ).all()
        pending = db.session.scalar(
            sa.select(sa.func.count()).where(Membership.status == MemberStatus.PENDING)
        )
    assert packs["redacteurs-web-de-lyon"] == "open" and packs["tech-lille"] == "approval"
    assert len(packs) >= 3 and len(in_packs) >= 3 and pending >= 1
    assert "/packs/redacteurs-web-de-lyon" in client.get(f"/events/{in_packs[0]}").text

    home = text_of(client.get("/").text)
    assert titles[0] in home
    assert "Lyon" in home


def test_demo_refuses_a_non_empty_database(app, runner, create_user):
    from meetups.accounts.models import User
    from meetups.gatherings.models import Gathering

    create_user()
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0
    assert "not empty" in result.output
    assert count(app, User) == 1
    assert count(app, Gathering) == 0


def test_demo_if_empty_leaves_a_filled_database_alone(app, runner):
    from meetups.accounts.models import User
    from meetups.gatherings.models import Gathering

    assert runner.invoke(args=["demo"]).exit_code == 0
    before = (count(app, User), count(app, Gathering))
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert (count(app, User), count(app, Gathering)) == before
