"""Calendar feeds over HTTP: the city feed, one gathering's download, a person's own feed."""

from datetime import datetime

from flask import Blueprint, Response, abort, current_app, request
from flask_babel import force_locale
from flask_babel import gettext as _

from meetups.accounts.models import User
from meetups.dates import utcnow
from meetups.extensions import db
from meetups.feeds import cache, ical, queries
from meetups.gatherings.models import Gathering
from meetups.gatherings.models import Response as Answer
from meetups.places.models import City
from meetups.urls import absolute_url

bp = Blueprint("feeds", __name__)

PUBLIC = "public, max-age=900"
PRIVATE = "private, max-age=900"


@bp.route("/cities/<slug>/calendar.ics", methods=["GET", "HEAD"])
def city(slug: str):
    """A city's calendar to subscribe to; ?tag= narrows it, ?lang= picks its language."""
    city = db.first_or_404(db.select(City).filter_by(slug=slug))
    tag = (request.args.get("tag") or "").strip().lower()[:40] or None
    now, language = _hour(), _language()

    def build() -> cache.Built:
        with force_locale(language):
            gatherings = queries.feed_gatherings(city, tag, now)
            entries = [ical.Entry(g, _page(g), sequence=g.sequence) for g in gatherings]
            info = _city_info(city, tag, language)
            body = ical.calendar(entries, info, _("Cancelled:"))
            return _built(body, entries, now, queries.feed_changed_at(city, now))

    built = cache.cached(f"city:{city.id}:{tag}:{language}:{_stamp(now)}", build)
    return _respond(built, PUBLIC)


@bp.route("/events/<id:gathering_id>/calendar.ics", methods=["GET", "HEAD"])
def event(gathering_id: int):
    """One gathering as a file to import."""
    gathering = db.get_or_404(Gathering, gathering_id)
    language = _language()

    def build() -> cache.Built:
        with force_locale(language):
            entry = ical.Entry(gathering, _page(gathering), sequence=gathering.sequence)
            return _built(ical.single(entry, _("Cancelled:")), [entry], gathering.updated_at)

    built = cache.cached(f"event:{gathering.id}:{language}:{cache.current_version()}", build)
    response = _respond(built, PUBLIC)
    response.headers["Content-Disposition"] = f'attachment; filename="meute-{gathering.id}.ics"'
    return response


@bp.route("/feeds/<token>.ics", methods=["GET", "HEAD"])
def personal(token: str):
    """A person's own calendar: what they organise and attend (confirmed), wait for or might attend."""
    user = (
        db.session.scalar(db.select(User).filter_by(feed_token=token)) if len(token) < 80 else None
    )
    if user is None:
        abort(404)
    now, language = _hour(), _language()

    def build() -> cache.Built:
        with force_locale(language):
            entries = [_personal_entry(g, r) for g, r in queries.personal_feed(user, now)]
            info = ical.CalendarInfo(
                _("Meute: my gatherings"),
                _("The gatherings you organise, attend, wait for or might attend, on Meute."),
                absolute_url("feeds.personal", token=token, **_lang_arg(language)),
            )
            body = ical.calendar(entries, info, _("Cancelled:"))
            return _built(body, entries, now, queries.personal_feed_changed_at(user, now))

    built = cache.cached(f"personal:{token}:{language}:{_stamp(now)}", build)
    response = _respond(built, PRIVATE)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _personal_entry(gathering: Gathering, rsvp) -> ical.Entry:
    marker, status = "", ical.Status.CONFIRMED
    if rsvp.response == Answer.MAYBE:
        marker, status = _("[Maybe]"), ical.Status.TENTATIVE
    elif rsvp.is_waitlisted:
        marker, status = _("[Waitlist]"), ical.Status.TENTATIVE
    changed = max(gathering.updated_at, rsvp.updated_at or gathering.updated_at)
    return ical.Entry(
        gathering, _page(gathering), status, marker, gathering.sequence + rsvp.sequence, changed
    )


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


def _built(
    body: bytes, entries: list[ical.Entry], fallback: datetime, changed: datetime | None = None
) -> cache.Built:
    """The body with its validators; Last-Modified is the newest change shown, or `changed`
    when later (what left the feed changed too)."""
    stamps = [e.stamp or e.gathering.updated_at for e in entries]
    if changed is not None:
        stamps.append(changed)
    return cache.Built.of(body, max(stamps, default=fallback))


def _respond(built: cache.Built, cache_control: str) -> Response:
    response = Response(built.body, content_type="text/calendar; charset=utf-8")
    response.set_etag(built.etag)
    response.last_modified = built.last_modified
    response.headers["Cache-Control"] = cache_control
    return response.make_conditional(request)


def _page(gathering: Gathering) -> str:
    return absolute_url("gatherings.show", gathering_id=gathering.id)


def _language() -> str:
    wanted = request.args.get("lang", "")
    languages = current_app.config["LANGUAGES"]
    return wanted if wanted in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def _hour() -> datetime:
    """Now, to the hour: a feed's window moves hourly, so its body can be cached meanwhile."""
    return utcnow().replace(minute=0, second=0, microsecond=0)


def _stamp(now: datetime) -> str:
    return f"{cache.current_version()}:{int(now.timestamp())}"
