"""The JSON schemas of the OpenAPI document's components: what each answer of /api/v1 holds."""

SCHEMAS = "#/components/schemas/"


def ref(name: str) -> dict:
    return {"$ref": SCHEMAS + name}


def nullable(schema: dict) -> dict:
    return {**schema, "type": [schema["type"], "null"]}


def object_schema(properties: dict, description: str = "") -> dict:
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

CITY = object_schema(
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

EVENT = object_schema(
    {
        "id": {"type": "integer", "minimum": 1},
        "url": {**URL, "description": "The gathering's page."},
        "title": TEXT,
        "description": {**TEXT, "description": "Plain text, with line breaks."},
        "status": {
            "type": "string",
            "enum": ["scheduled", "tentative", "cancelled"],
            "description": "tentative: waiting for min_going people to be going.",
        },
        "starts_at": LOCAL_TIME,
        "ends_at": LOCAL_TIME,
        "timezone": {**TEXT, "description": "The city's IANA time zone."},
        "city": object_schema({"slug": TEXT, "name": TEXT}),
        "pack": {
            "oneOf": [object_schema({"slug": TEXT, "name": TEXT}), {"type": "null"}],
            "description": "The pack it was proposed in; null: none.",
        },
        "series": nullable(
            {
                "type": "integer",
                "minimum": 1,
                "description": "The recurring series it is an occurrence of; null: none.",
            }
        ),
        "venue": object_schema(
            {
                "name": TEXT,
                "address": TEXT,
                "latitude": nullable(LATITUDE),
                "longitude": nullable(LONGITUDE),
            },
            "Coordinates are both null until the address is located.",
        ),
        "capacity": nullable({"type": "integer", "minimum": 1, "description": "null: no limit"}),
        "min_going": nullable(
            {
                "type": "integer",
                "minimum": 2,
                "description": "The quorum: tentative until this many are going; null: none.",
            }
        ),
        "going_count": {**COUNT, "description": "People holding a seat, the organiser included."},
        "seats_left": nullable({**COUNT, "description": "null: no limit; 0 when full."}),
        "waitlist_count": {**COUNT, "description": "People waiting for a seat."},
        "tags": {"type": "array", "items": TEXT},
        "organiser": nullable(
            object_schema(
                {
                    "display_name": TEXT,
                    "trade": nullable({**TEXT, "description": "null: not given"}),
                },
                "null: its organiser deleted their account.",
            )
        ),
        "ical_url": {**URL, "description": "The gathering as an iCalendar (.ics) download."},
    }
)

PACK = object_schema(
    {
        "slug": {**TEXT, "examples": ["redacteurs-de-lyon"]},
        "name": {**TEXT, "examples": ["Rédacteurs de Lyon"]},
        "city": object_schema({"slug": TEXT, "name": TEXT}),
        "member_count": {**COUNT, "description": "Active members (pending requests not counted)."},
        "upcoming_count": {**COUNT, "description": "Scheduled gatherings not over yet."},
        "url": {**URL, "description": "The pack's page."},
        "ical_url": {**URL, "description": "The pack's calendar feed (iCalendar) to subscribe to."},
    },
    "A standing group of freelancers in one city, with its own gatherings.",
)
PACK_LIST = object_schema({"packs": {"type": "array", "items": ref("Pack")}})

PLACE = object_schema(
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

PLACE_LOOKUP = object_schema(
    {
        "match": {
            "oneOf": [ref("Place"), {"type": "null"}],
            "description": "The city the text resolves to, as the forms would; null if none.",
        },
        "suggestions": {
            "type": "array",
            "items": ref("Place"),
            "maxItems": 5,
            "description": "Without a match: the closest known names, closest first.",
        },
    }
)

TRADE = object_schema(
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
TRADE_LIST = object_schema({"trades": {"type": "array", "items": ref("Trade")}})

ERROR = object_schema({"error": {**TEXT, "description": "What went wrong, for people."}})

EVENT_PAGE = object_schema(
    {
        "events": {"type": "array", "items": ref("Event")},
        "next": nullable(
            {**URL, "description": "The next page (same filters, a cursor); null on the last."}
        ),
    }
)

COMPONENTS = {
    "City": CITY,
    "Event": EVENT,
    "EventPage": EVENT_PAGE,
    "Pack": PACK,
    "Place": PLACE,
    "PlaceLookup": PLACE_LOOKUP,
    "Trade": TRADE,
    "Error": ERROR,
}
