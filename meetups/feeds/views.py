"""Calendar feeds over HTTP: the city feed, one gathering's download, a person's own feed.

Each answers from its own freshness (one query): a 304 when the client has the current
version, else the body kept under that freshness, else one built from kept events.
"""

from collections.abc import Callable
from datetime import datetime

from flask import Blueprint, Response, abort, current_app, request
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.http import is_resource_modified

from meetups.dates import utcnow
from meetups.extensions import db
from meetups.feeds import cache, ical, queries
from meetups.gatherings.models import Response as Answer
from meetups.places.models import City
from meetups.urls import absolute_url

bp = Blueprint("feeds", __name__)

PUBLIC = "public, max-age=900"
PRIVATE = "private, max-age=900"


@bp.route("/cities/<slug>/calendar.ics", methods=["GET", "HEAD"])
def city(slug: str):
    """A city's calendar to subscribe to; ?tag= narrows it, ?lang= picks its language."""
    tag = (request.args.get("tag") or "").strip().lower()[:40] or None
    now, language = _hour(), _language()
    fresh = queries.city_freshness(slug, now) or abort(404)

    def build() -> bytes:
        with force_locale(language):
            city = db.session.get(City, fresh.owner)
            rows = queries.city_rows(city.id, tag, now)
            slots = [cache.Slot(row, _page(row.id), sequence=row.sequence) for row in rows]
            pieces = cache.pieces(slots, _("Cancelled:"))
            return ical.assemble(pieces, _city_info(city, tag, language))

    return _respond(f"city:{tag}:{language}", fresh, now, build, PUBLIC)


@bp.route("/events/<id:gathering_id>/calendar.ics", methods=["GET", "HEAD"])
def event(gathering_id: int):
    """One gathering as a file to import."""
    language = _language()
    fresh = queries.event_freshness(gathering_id) or abort(404)

    def build() -> bytes:
        with force_locale(language):
            gathering = queries.gatherings([gathering_id])[gathering_id]
            entry = ical.Entry(gathering, _page(gathering.id), sequence=gathering.sequence)
            return ical.single(entry, _("Cancelled:"))

    response = _respond(f"event:{language}", fresh, None, build, PUBLIC)
    response.headers["Content-Disposition"] = f'attachment; filename="meute-{gathering_id}.ics"'
    return response


@bp.route("/feeds/<token>.ics", methods=["GET", "HEAD"])
def personal(token: str):
    """A person's own calendar: what they organise and attend (confirmed), wait for or might attend."""
    now, language = _hour(), _language()
    fresh = (queries.personal_freshness(token, now) if len(token) < 80 else None) or abort(404)

    def build() -> bytes:
        with force_locale(language):
            slots = [_personal_slot(row) for row in queries.personal_rows(fresh.owner, now)]
            info = ical.CalendarInfo(
                _("Meute: my gatherings"),
                _("The gatherings you organise, attend, wait for or might attend, on Meute."),
                absolute_url("feeds.personal", token=token, **_lang_arg(language)),
            )
            return ical.assemble(cache.pieces(slots, _("Cancelled:")), info)

    response = _respond(f"personal:{token}:{language}", fresh, now, build, PRIVATE)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _personal_slot(row: queries.Row) -> cache.Slot:
    rsvp = row.answer
    marker, status = "", ical.Status.CONFIRMED
    if rsvp.response == Answer.MAYBE:
        marker, status = _("[Maybe]"), ical.Status.TENTATIVE
    elif rsvp.is_waitlisted:
        marker, status = _("[Waitlist]"), ical.Status.TENTATIVE
    changed = max(row.updated_at, rsvp.updated_at or row.updated_at)
    sequence = row.sequence + rsvp.sequence
    return cache.Slot(row, _page(row.id), status, marker, sequence, changed)


def _city_info(city: City, tag: str | None, language: str) -> ical.CalendarInfo:
    name = f"Meute · {city.name}" + (f" · {tag}" if tag else "")
    description = _("Freelance gatherings in %(city)s, from Meute.", city=city.name)
    source = absolute_url(
        "feeds.city", slug=city.slug, **({"tag": tag} if tag else {}), **_lang_arg(language)
    )
    return ical.CalendarInfo(name, description, source)


def _lang_arg(language: str) -> dict:
    """?lang= for a feed's own URL (SOURCE), as the subscribe links write it: only when not the default."""
    return {} if language == current_app.config["BABEL_DEFAULT_LOCALE"] else {"lang": language}


def _respond(
    kind: str,
    fresh: queries.Freshness,
    now: datetime | None,
    build: Callable[[], bytes],
    cache_control: str,
) -> Response:
    """304 from the feed's freshness alone when the client is current, else the body."""
    origin = current_app.config.get("BASE_URL") or request.host_url
    served = cache.served(f"{kind}:{origin}:{fresh}", build)
    last_modified = fresh.changed_at or now
    response = Response(content_type="text/calendar; charset=utf-8")
    response.headers["Cache-Control"] = cache_control
    response.last_modified = last_modified
    if is_resource_modified(request.environ, served.etag, last_modified=last_modified):
        response.set_data(served.body())
    response.set_etag(served.etag)
    return response.make_conditional(request)


def _page(gathering_id: int) -> str:
    return absolute_url("gatherings.show", gathering_id=gathering_id)


def _language() -> str:
    wanted = request.args.get("lang", "")
    languages = current_app.config["LANGUAGES"]
    return wanted if wanted in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def _hour() -> datetime:
    """Now, to the hour: a feed's window moves hourly, so its body can be kept meanwhile."""
    return utcnow().replace(minute=0, second=0, microsecond=0)
