"""The OpenAPI 3.1 document of /api/v1, built from the same limits the code enforces."""

from meetups.api.forms import DEFAULT_LIMIT, MAX_ID, MAX_LIMIT, MAX_PLACE_QUERY, MAX_WITHIN_KM
from meetups.api.schemas import COMPONENTS, PACK_LIST, TEXT, TRADE_LIST, object_schema, ref

DESCRIPTION = """\
Meute's public, read-only data: cities, packs, the in-person gatherings held there, and trades.

- Times are ISO 8601 with the city's local UTC offset on that date; `timezone` names the zone.
- Lists page with a cursor: follow `next` (an absolute URL with the same filters) until it is
  null. Pages do not lose or repeat gatherings when others are added meanwhile. Without
  `from`, the first page's "now" is written into `next`, so one walk sees one window.
- Errors are JSON `{"error": "..."}`: 400 for a wrong parameter (the message, in English,
  names it), 404 for an unknown id, city or pack. Generic messages (405, 429, 500) follow
  `Accept-Language` (French or English).
- Successful answers carry `Cache-Control: public, max-age=60`; every answer carries
  `Access-Control-Allow-Origin: *`. No answer holds an e-mail address.
"""


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
    _parameter("pack", TEXT, "A pack's slug: only its gatherings. An unknown slug answers 404."),
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
    return _json(ref("Error"), description)


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
                    object_schema({"cities": {"type": "array", "items": ref("City")}}),
                    "Cities.",
                    True,
                ),
                {},
            ),
            "/packs": _operation(
                "listPacks",
                "Every pack with its member and upcoming counts, by city name then pack name.",
                _json(PACK_LIST, "Packs.", True),
                {},
            ),
            "/events": _operation(
                "listEvents",
                "Gatherings by start time (then id), cancelled ones included, one page at a time.",
                _json(ref("EventPage"), "A page of gatherings.", True),
                {
                    "400": _error("A parameter is wrong; the message names it."),
                    "404": _error("No city or pack with the slug given in `city` or `pack`."),
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
                    _json(ref("Event"), "The gathering.", True),
                    {"404": _error("No gathering with this id.")},
                ),
            },
            "/places": _operation(
                "lookUpPlace",
                "What a typed city name resolves to, or the closest known names.",
                _json(ref("PlaceLookup"), "The match, or suggestions.", True),
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
        "components": {"schemas": COMPONENTS},
    }
