"""Meute: in-person gatherings for freelancers, city by city."""

import os
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: config -> extensions -> blueprints, error handlers, CLI."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        # Operators may keep the instance folder (database, secret key) elsewhere.
        instance_path=os.environ.get("MEETUPS_INSTANCE_PATH") or None,
        template_folder=str(ROOT / "templates"),
    )
    from meetups import config

    config.load(app, test_config)
    _init_extensions(app)
    _register_blueprints(app)

    from meetups import cli, edge, errors, i18n, security, templating
    from meetups.packs import proposing

    edge.register(app)
    errors.register(app)
    i18n.register(app)
    templating.register(app)
    security.register(app)
    cli.register(app)
    proposing.register(app)
    from meetups.notifications import digest
    from meetups.notifications import services as notifications

    notifications.init_app(app)
    digest.init_app(app)
    _wrap(app)
    return app


def _wrap(app: Flask) -> None:
    """WSGI middleware: the feeds' fast path, behind the proxy fix that must see requests first."""
    from meetups.feeds import fast

    fast.init_app(app)
    if app.config["PROXY_FIX"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _init_extensions(app: Flask) -> None:
    from meetups import database
    from meetups.extensions import babel, csrf, db, limiter, login_manager, mail, migrate
    from meetups.i18n import select_locale
    from meetups.places import geocoding

    db.init_app(app)
    database.configure(app)
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        compare_type=True,
        render_as_batch=True,  # SQLite can only ALTER a table by copying it
        render_item=database.render_item,
    )
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    mail.init_app(app)
    from meetups import cache

    cache.init_app(app)
    geocoding.init_app(app)  # builds the chain only: no request until a venue is located


class IdConverter(IntegerConverter):
    """A database id in a URL: a positive integer that fits the id columns (no 500 for 10**30)."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=2**31 - 1)


def _register_blueprints(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
    import meetups.packs.models  # noqa: F401 - mapped before any query: gatherings name Pack
    from meetups.accounts.trade_map import bp as trade_map_bp
    from meetups.accounts.views import auth_bp, profile_bp
    from meetups.api.views import bp as api_bp
    from meetups.feeds.views import bp as feeds_bp
    from meetups.gatherings.encounters import bp as encounters_bp
    from meetups.gatherings.views import bp as gatherings_bp
    from meetups.moderation.views import bp as moderation_bp
    from meetups.notifications.reminders import bp as reminders_bp
    from meetups.notifications.views import bp as notifications_bp
    from meetups.packs.views import bp as packs_bp
    from meetups.people.views import bp as people_bp
    from meetups.places.views import vendor_bp
    from meetups.privacy.views import bp as privacy_bp
    from meetups.site import site_bp

    blueprints = (site_bp, auth_bp, profile_bp, trade_map_bp, gatherings_bp, encounters_bp)
    for blueprint in (*blueprints, packs_bp, people_bp, feeds_bp, vendor_bp, api_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(reminders_bp)
    app.register_blueprint(moderation_bp)  # and with it, every table is mapped
    app.register_blueprint(privacy_bp)
