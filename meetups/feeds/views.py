"""Calendar feeds over HTTP: a city's and a pack's feeds, one gathering's download, a person's own feed.

Each answers from its own freshness (one query): a 304 when the client has the current
version, else the body kept under that freshness, else one built from kept events.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, Response, abort, current_app, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.http import is_resource_modified
from werkzeug.wrappers import Request

from meetups.dates import utcnow
from meetups.extensions import db
from meetups.feeds import cache, ical, queries
from meetups.gatherings.models import MAX_TAG_LENGTH
from meetups.gatherings.models import Response as Answer
from meetups.gatherings.queries import REMOVED, tag_filter
from meetups.packs.models import Pack
from meetups.places.models import City
from meetups.urls import absolute_url

bp = Blueprint("feeds", __name__)

PUBLIC = "public, max-age=900"
PRIVATE = "private, max-age=900"


@dataclass(frozen=True)
class Feed:
    """What a feed request asks for, known from one query before anything is built."""

    key: str  # names the content: kind, parameters, language, origin of links, freshness
    last_modified: datetime
    cache_control: str
    headers: dict
    build: Callable[[], bytes]  # in a request context (translations, links)


def city_feed(req: Request, slug: str) -> Feed | None:
    """A city's calendar to subscribe to; ?tag= narrows it, ?lang= picks its language."""
    return _group_feed(
        req, "city", slug, queries.city_freshness, City, queries.city_rows, _city_info
    )


def pack_feed(req: Request, slug: str) -> Feed | None:
    """A pack's calendar to subscribe to, as a city's: ?tag= narrows it, ?lang= picks its language."""
    return _group_feed(
        req, "pack", slug, queries.pack_freshness, Pack, queries.pack_rows, _pack_info
    )


def _group_feed(
    req: Request,
    kind: str,
    slug: str,
    freshness: Callable[[str, datetime], queries.Freshness | None],
    model: type[City] | type[Pack],
    rows: Callable[[int, str | None, datetime], list[queries.Row]],
    info: Callable[..., ical.CalendarInfo],
) -> Feed | None:
    """The calendar of a group of gatherings (a city's, a pack's), one rule for both: its
    freshness (one query), its rows in the window, and what the calendar is called."""
    try:
        tag = tag_filter(req.args.get("tag"))
    except ValueError:
        # Lazy: the fast path, outside any request, hands this refusal on to the app to word.
        abort(400, description=_l("A tag is at most %(max)d characters.", max=MAX_TAG_LENGTH))
    now, language = _hour(), _language(req)
    fresh = freshness(slug, now)
    if fresh is None:
        return None

    def build() -> bytes:
        with force_locale(language):
            group = db.session.get(model, fresh.owner)
            slots = [
                cache.Slot(row, _page(row.id), sequence=row.sequence)
                for row in rows(group.id, tag, now)
            ]
            pieces = cache.pieces(slots, _("Cancelled:"))
            return ical.assemble(pieces, info(group, tag, language))

    key = f"{kind}:{tag}:{language}:{_origin(req)}:{fresh}"
    return Feed(key, fresh.changed_at or now, PUBLIC, {}, build)


def event_feed(req: Request, gathering_id: int) -> Feed | None:
    """One gathering as a file to import."""
    language = _language(req)
    try:
        fresh = queries.event_freshness(gathering_id)
    except queries.Hidden:
        abort(410, description=REMOVED)
    if fresh is None:
        return None

    def build() -> bytes:
        with force_locale(language):
            gathering = queries.gatherings([gathering_id])[gathering_id]
            entry = ical.Entry(gathering, _page(gathering.id), sequence=gathering.sequence)
            return ical.single(entry, _("Cancelled:"))

    key = f"event:{language}:{_origin(req)}:{fresh}"
    disposition = f'attachment; filename="meute-{gathering_id}.ics"'
    return Feed(key, fresh.changed_at, PUBLIC, {"Content-Disposition": disposition}, build)


def personal_feed(req: Request, token: str) -> Feed | None:
    """A person's own calendar: what they organise and attend (confirmed), wait for or might attend."""
    now, language = _hour(), _language(req)
    fresh = queries.personal_freshness(token, now) if len(token) < 80 else None
    if fresh is None:
        return None

    def build() -> bytes:
        with force_locale(language):
            slots = [_personal_slot(row) for row in queries.personal_rows(fresh.owner, now)]
            info = ical.CalendarInfo(
                _("Meute: my gatherings"),
                _("The gatherings you organise, attend, wait for or might attend, on Meute."),
                absolute_url("feeds.personal", token=token, **_lang_arg(language)),
            )
            return ical.assemble(cache.pieces(slots, _("Cancelled:")), info)

    key = f"personal:{token}:{language}:{_origin(req)}:{fresh}"
    robots = {"X-Robots-Tag": "noindex, nofollow"}
    return Feed(key, fresh.changed_at or now, PRIVATE, robots, build)


# Each feed endpoint and what describes its request: the views here, and feeds.fast.
FEEDS = {
    "feeds.city": city_feed,
    "feeds.pack": pack_feed,
    "feeds.event": event_feed,
    "feeds.personal": personal_feed,
}
DESCRIBED = "meetups.feed"  # in the WSGI environ: the feed feeds.fast described, to build


@bp.route("/cities/<slug>/calendar.ics", methods=["GET", "HEAD"])
def city(slug: str):
    return answer(_described() or city_feed(request, slug) or abort(404), request)


@bp.route("/packs/<slug>/calendar.ics", methods=["GET", "HEAD"])
def pack(slug: str):
    return answer(_described() or pack_feed(request, slug) or abort(404), request)


@bp.route("/events/<id:gathering_id>/calendar.ics", methods=["GET", "HEAD"])
def event(gathering_id: int):
    return answer(_described() or event_feed(request, gathering_id) or abort(404), request)


@bp.route("/feeds/<token>.ics", methods=["GET", "HEAD"])
def personal(token: str):
    return answer(_described() or personal_feed(request, token) or abort(404), request)


def _described() -> Feed | None:
    return request.environ.pop(DESCRIBED, None)


def answer(feed: Feed, req: Request, build: bool = True) -> Response | None:
    """304 from the feed's freshness alone when the client is current, else the body kept,
    else (unless told not to build: then None) the body built now."""
    served = cache.served(feed.key, feed.build)
    response = Response(content_type="text/calendar; charset=utf-8", headers=feed.headers)
    response.headers["Cache-Control"] = feed.cache_control
    response.last_modified = feed.last_modified
    if is_resource_modified(req.environ, served.etag, last_modified=feed.last_modified):
        body = served.body() if build else served.kept()
        if body is None:
            return None
        response.set_data(body)
    response.set_etag(served.etag)
    return response.make_conditional(req)


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


def _pack_info(pack: Pack, tag: str | None, language: str) -> ical.CalendarInfo:
    name = f"Meute · {pack.name}" + (f" · {tag}" if tag else "")
    description = _(
        "Gatherings of the pack %(pack)s, in %(city)s, from Meute.",
        pack=pack.name,
        city=pack.city.name,
    )
    source = absolute_url(
        "feeds.pack", slug=pack.slug, **({"tag": tag} if tag else {}), **_lang_arg(language)
    )
    return ical.CalendarInfo(name, description, source)


def _lang_arg(language: str) -> dict:
    """?lang= for a feed's own URL (SOURCE), as the subscribe links write it: only when not the default."""
    return {} if language == current_app.config["BABEL_DEFAULT_LOCALE"] else {"lang": language}


def _page(gathering_id: int) -> str:
    return absolute_url("gatherings.show", gathering_id=gathering_id)


def _origin(req: Request) -> str:
    """Where the feed's links point: the configured base URL, else the request's own host."""
    return current_app.config.get("BASE_URL") or req.host_url


def _language(req: Request) -> str:
    wanted = req.args.get("lang", "")
    languages = current_app.config["LANGUAGES"]
    return wanted if wanted in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def _hour() -> datetime:
    """Now, to the hour: a feed's window moves hourly, so its body can be kept meanwhile."""
    return utcnow().replace(minute=0, second=0, microsecond=0)
