"""The read-only JSON API (/api/v1): cities, packs, gatherings, trades, and the OpenAPI document."""

from flask import Blueprint, abort, current_app, request
from flask_babel import get_locale

from meetups.accounts import trades
from meetups.api import openapi, serialize
from meetups.api import queries as api_queries
from meetups.api.forms import DEFAULT_LIMIT, MAX_PLACE_QUERY, EventFilterForm, cursor_for
from meetups.dates import utcnow
from meetups.extensions import db, limiter
from meetups.gatherings import queries
from meetups.gatherings.counts import city_counts
from meetups.gatherings.models import Gathering
from meetups.packs import queries as pack_queries
from meetups.packs.models import Pack
from meetups.places import gazetteer
from meetups.places.models import City
from meetups.urls import absolute_url

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Public data that changes slowly: shared caches may keep it a minute, any site may read it.
CACHE_CONTROL = "public, max-age=60"
# What a next link carries over from the request (the cursor is its own).
FILTERS = ("city", "pack", "tag", "from", "to", "near", "within", "limit")
# A close-name search costs up to 0.1 s of CPU: enough for anyone typing, not for a flood.
PLACES_LIMIT = "120 per minute"


@bp.after_request
def _public_headers(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    if response.status_code == 200:
        response.headers.setdefault("Cache-Control", CACHE_CONTROL)
    return response


@bp.get("/cities")
def cities():
    counts = city_counts()

    def body() -> bytes:
        listed = [serialize.city(c, n) for c, n in counts.listed()]
        return current_app.json.response({"cities": listed}).get_data()

    return current_app.response_class(counts.kept("api", body), mimetype="application/json")


@bp.get("/packs")
def packs():
    return {"packs": [serialize.pack(listed) for listed in pack_queries.listed()]}


@bp.get("/events")
def events():
    filters = EventFilterForm(request.args)
    if not filters.validate():
        abort(400, description=filters.error_message())
    city = None
    if filters.city.data:
        city = db.first_or_404(
            db.select(City).filter_by(slug=filters.city.data),
            description=f"No city with the slug “{filters.city.data}”.",
        )
    pack = None
    if filters.pack.data:
        pack = db.first_or_404(
            db.select(Pack).filter_by(slug=filters.pack.data),
            description=f"No pack with the slug “{filters.pack.data}”.",
        )
    window = filters.window(city, now=utcnow(), pack=pack)
    page, more = api_queries.events(window, filters.limit.data or DEFAULT_LIMIT)
    return {
        "events": _events_json(page),
        "next": _next_url(window, page[-1]) if more else None,
    }


@bp.get("/events/<id:gathering_id>")
def event(gathering_id: int):
    gathering = db.get_or_404(
        Gathering, gathering_id, description=f"No event with the id {gathering_id}."
    )
    if gathering.is_hidden:
        abort(410, description="This event was removed by moderators.")
    return _events_json([gathering])[0]


@bp.get("/places")
@limiter.limit(PLACES_LIMIT)
def places():
    text = request.args.get("q", "")
    if len(text) > MAX_PLACE_QUERY:
        abort(400, description=f"q must be at most {MAX_PLACE_QUERY} characters.")
    text = text.strip()
    match = gazetteer.lookup(text) if text else None
    close = gazetteer.suggest(text) if text and match is None else []
    response = current_app.json.response(
        {
            "match": serialize.place(match) if match else None,
            "suggestions": [serialize.place(p) for p in close],
        }
    )
    response.vary.update(("Accept-Language", "Cookie"))  # labels are in the person's language
    return response


@bp.get("/trades")
def trade_list():
    language, pairs = get_locale().language, trades.pairs()
    listed = [serialize.trade(trade, language, pairs) for trade in trades.VOCABULARY]
    response = current_app.json.response({"trades": listed})
    response.vary.update(("Accept-Language", "Cookie"))  # labels are in the person's language
    return response


@bp.get("/openapi.json")
def openapi_document():
    return openapi.document()


def _events_json(gatherings: list[Gathering]) -> list[dict]:
    ids = [g.id for g in gatherings]
    going, waiting = queries.going_counts(ids), queries.waitlist_counts(ids)
    return [serialize.event(g, going.get(g.id, 0), waiting.get(g.id, 0)) for g in gatherings]


def _next_url(window: api_queries.EventWindow, last: Gathering) -> str:
    """The same query from just after the last gathering shown; from stays as first asked."""
    args = {name: value for name, value in request.args.items() if name in FILTERS and value}
    args.setdefault("from", window.start.isoformat())  # a walk keeps one "now"
    return absolute_url("api.events", **args, cursor=cursor_for(last))
