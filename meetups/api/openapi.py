"""The OpenAPI 3.1 document of /api/v1, built from the same limits the code enforces."""

from meetups.api.forms import DEFAULT_LIMIT, MAX_ID, MAX_LIMIT, MAX_PLACE_QUERY, MAX_WITHIN_KM

DESCRIPTION = """\
Meute's public, read-only data: cities, the in-person gatherings held there, and trades.

- Times are ISO 8601 with the city's local UTC offset on that date; `timezone` names the zone.
- Lists page with a cursor: follow `next` (an absolute URL with the same filters) until it is
  null. Pages do not lose or repeat gatherings when others are added meanwhile. Without
  `from`, the first page's "now" is written into `next`, so one walk sees one window.
- Errors are JSON `{"error": "..."}`: 400 for a wrong parameter (the message, in English,
  names it), 404 for an unknown id or city. Generic messages (405, 429, 500) follow
  `Accept-Language` (French or English).
- Successful answers carry `Cache-Control: public, max-age=60`; every answer carries
  `Access-Control-Allow-Origin: *`. No answer holds an e-mail address.
"""

SCHEMAS = "#/components/schemas/"


def _ref(name: str) -> dict:
    return {"$ref": SCHEMAS + name}


def _nullable(schema: dict) -> dict:
    return {**schema, "type": [schema["type"], "null"]}


def _object(properties: dict, description: str = "") -> dict:
    schema = {
        "type": "object",
        "required": list(properties),
        "additionalProperties": False,
        "properties": properties,
    }
    return {"description": description, **schema} if description else schema


TEXT = {"type": "string"}
COUNT = {"type": "integer", "minimum": 0}
LATITUDE = {"type": "number", "minimum": -90, "maximum": 90}
LONGITUDE = {"type": "number", "minimum": -180, "maximum": 180}
URL = {"type": "string", "format": "uri"}
LOCAL_TIME = {
    "type": "string",
    "format": "date-time",
    "description": "ISO 8601 local time with the city's UTC offset on that date.",
    "examples": ["2027-03-28T19:00:00+02:00"],
}

CITY = _object(
    {
        "slug": {**TEXT, "examples": ["lyon"]},
        "name": {**TEXT, "examples": ["Lyon"]},
        "country": {**TEXT, "pattern": "^[A-Z]{2}$", "description": "ISO 3166-1 alpha-2."},
        "latitude": LATITUDE,
        "longitude": LONGITUDE,
        "timezone": {**TEXT, "description": "IANA time zone.", "examples": ["Europe/Paris"]},
        "upcoming_count": {**COUNT, "description": "Scheduled gatherings not over yet."},
    }
)

EVENT = _object(
    {
        "id": {"type": "integer", "minimum": 1},
        "url": {**URL, "description": "The gathering's page."},
        "title": TEXT,
        "description": {**TEXT, "description": "Plain text, with line breaks."},
        "status": {"type": "string", "enum": ["scheduled", "cancelled"]},
        "starts_at": LOCAL_TIME,
        "ends_at": LOCAL_TIME,
        "timezone": {**TEXT, "description": "The city's IANA time zone."},
        "city": _object({"slug": TEXT, "name": TEXT}),
        "venue": _object(
            {
                "name": TEXT,
                "address": TEXT,
                "latitude": _nullable(LATITUDE),
                "longitude": _nullable(LONGITUDE),
            },
            "Coordinates are both null until the address is located.",
        ),
        "capacity": _nullable({"type": "integer", "minimum": 1, "description": "null: no limit"}),
        "going_count": {**COUNT, "description": "People holding a seat, the organiser included."},
        "seats_left": _nullable({**COUNT, "description": "null: no limit; 0 when full."}),
        "waitlist_count": {**COUNT, "description": "People waiting for a seat."},
        "tags": {"type": "array", "items": TEXT},
        "organiser": _object(
            {"display_name": TEXT, "trade": _nullable({**TEXT, "description": "null: not given"})}
        ),
        "ical_url": {**URL, "description": "The gathering as an iCalendar (.ics) download."},
    }
)

PLACE = _object(
    {
        "name": {**TEXT, "examples": ["Lyon"]},
        "country": {**TEXT, "pattern": "^[A-Z]{2}$", "description": "ISO 3166-1 alpha-2."},
        "timezone": {**TEXT, "description": "IANA time zone.", "examples": ["Europe/Paris"]},
        "slug": {**TEXT, "examples": ["lyon"]},
        "label": {
            **TEXT,
            "description": "Name and country in the asked language.",
            "examples": ["Lyon, France"],
        },
    },
    "A known city (from the offline GeoNames gazetteer), with or without gatherings.",
)

PLACE_LOOKUP = _object(
    {
        "match": {
            "oneOf": [_ref("Place"), {"type": "null"}],
            "description": "The city the text resolves to, as the forms would; null if none.",
        },
        "suggestions": {
            "type": "array",
            "items": _ref("Place"),
            "maxItems": 5,
            "description": "Without a match: the closest known names, closest first.",
        },
    }
)

TRADE = _object(
    {
        "slug": {**TEXT, "examples": ["correcteur"]},
        "label": {**TEXT, "description": "In the asked language.", "examples": ["proofreader"]},
        "complements": {
            "type": "array",
            "items": TEXT,
            "description": "Slugs of the trades completing this one, in the vocabulary's order.",
        },
    },
    "A trade of the vocabulary (people may also write one of their own, not listed here).",
)
TRADE_LIST = _object({"trades": {"type": "array", "items": _ref("Trade")}})

ERROR = _object({"error": {**TEXT, "description": "What went wrong, for people."}})

EVENT_PAGE = _object(
    {
        "events": {"type": "array", "items": _ref("Event")},
        "next": _nullable(
            {**URL, "description": "The next page (same filters, a cursor); null on the last."}
        ),
    }
)


def _parameter(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


EVENT_FILTERS = [
    _parameter("city", TEXT, "A city's slug. An unknown slug answers 404."),
    _parameter(
        "tag",
        TEXT,
        "Only gatherings with this tag (case and extra spaces ignored; at most 40 characters).",
    ),
    _parameter(
        "from",
        TEXT,
        "ISO 8601 date or date and time; only gatherings not over by then (ending after it). "
        "Defaults to now. A time without an offset is UTC; a date alone is 00:00 UTC that day. "
        "From 1900 to 9000.",
    ),
    _parameter(
        "to",
        TEXT,
        "ISO 8601 date or date and time; only gatherings starting before it. A time without an "
        "offset is UTC; a date alone includes that whole day (UTC). Must come after `from`. "
        "From 1900 to 9000.",
    ),
    _parameter(
        "near",
        {**TEXT, "examples": ["45.76,4.83"]},
        "`<latitude>,<longitude>` in decimal degrees: only gatherings whose venue is located "
        "within `within` km of that point (great-circle distance). Needs `within`.",
    ),
    _parameter(
        "within",
        {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_WITHIN_KM},
        "Distance in km for `near`, which it needs.",
    ),
    _parameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        "Most gatherings on one page.",
    ),
    _parameter("cursor", TEXT, "Opaque; comes with the `next` link. Do not build it yourself."),
]


def _json(schema: dict, description: str, cached: bool = False) -> dict:
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    if cached:
        response["headers"] = {
            "Cache-Control": {"schema": {**TEXT, "examples": ["public, max-age=60"]}},
            "Access-Control-Allow-Origin": {"schema": {**TEXT, "enum": ["*"]}},
        }
    return response


def _error(description: str) -> dict:
    return _json(_ref("Error"), description)


def _operation(operation_id: str, summary: str, ok: dict, errors: dict, **extra) -> dict:
    responses = {"200": ok, **errors, "default": _error("Any other error (405, 429, 500, 503).")}
    return {
        "get": {"operationId": operation_id, "summary": summary, "responses": responses, **extra}
    }


def document() -> dict:
    """The OpenAPI document: paths relative to the server /api/v1."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Meute", "version": "1.0.0", "description": DESCRIPTION},
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/cities": _operation(
                "listCities",
                "Every known city with its count of upcoming gatherings, busiest first.",
                _json(
                    _object({"cities": {"type": "array", "items": _ref("City")}}), "Cities.", True
                ),
                {},
            ),
            "/events": _operation(
                "listEvents",
                "Gatherings by start time (then id), cancelled ones included, one page at a time.",
                _json(_ref("EventPage"), "A page of gatherings.", True),
                {
                    "400": _error("A parameter is wrong; the message names it."),
                    "404": _error("No city with the slug given in `city`."),
                },
                parameters=EVENT_FILTERS,
            ),
            "/events/{id}": {
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                    }
                ],
                **_operation(
                    "getEvent",
                    "One gathering, whatever its date or status.",
                    _json(_ref("Event"), "The gathering.", True),
                    {"404": _error("No gathering with this id.")},
                ),
            },
            "/places": _operation(
                "lookUpPlace",
                "What a typed city name resolves to, or the closest known names.",
                _json(_ref("PlaceLookup"), "The match, or suggestions.", True),
                {"400": _error("`q` is too long.")},
                parameters=[
                    _parameter(
                        "q",
                        {**TEXT, "maxLength": MAX_PLACE_QUERY, "examples": ["Lyon"]},
                        "A city name as people type it, optionally followed by a country "
                        "(`Valence, ES`). Empty: no match, no suggestions.",
                    )
                ],
            ),
            "/trades": _operation(
                "listTrades",
                "The trades vocabulary, named in the `Accept-Language` (French or English).",
                _json(TRADE_LIST, "Trades, in the vocabulary's order.", True),
                {},
            ),
            "/openapi.json": _operation(
                "getOpenAPI", "This document.", _json({"type": "object"}, "OpenAPI 3.1.", True), {}
            ),
        },
        "components": {
            "schemas": {
                "City": CITY,
                "Event": EVENT,
                "EventPage": EVENT_PAGE,
                "Place": PLACE,
                "PlaceLookup": PLACE_LOOKUP,
                "Trade": TRADE,
                "Error": ERROR,
            }
        },
    }
