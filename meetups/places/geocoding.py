"""Locating venues: the geocoder chain from MEETUPS_GEOCODERS (ban, nominatim, offline), cached."""

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from urllib.parse import urlsplit

from flask import Flask, current_app
from geopy.adapters import URLLibAdapter
from geopy.exc import GeopyError
from geopy.geocoders import BANFrance, Nominatim
from sqlalchemy.exc import IntegrityError

from meetups.extensions import db
from meetups.places import throttle
from meetups.places.distance import distance_km
from meetups.places.gazetteer import normalise
from meetups.places.models import City, GeocodeResult, GeocodeStatus, Venue

logger = logging.getLogger(__name__)

EXTENSION = "meetups.geocoders"
OFFLINE = "offline"
MAX_DISTANCE_KM = 50  # farther from the city's centre, it is a namesake street elsewhere
MIN_CALL_SECONDS = 0.2  # less time than this left is not worth a request
NOMINATIM_INTERVAL = 1.0  # the public server's policy: at most one request a second
# What the French address base covers: France, its overseas departments and a few collectivities.
BAN_COUNTRIES = frozenset({"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF"})
_BAN_PRECISION = {"housenumber": "housenumber", "street": "street", "locality": "locality"}
_OSM_PRECISION = {
    **dict.fromkeys(
        ("house", "building", "amenity", "shop", "tourism", "leisure", "office", "craft"),
        "housenumber",
    ),
    **dict.fromkeys(("road", "pedestrian", "square"), "street"),
    **dict.fromkeys(
        ("suburb", "quarter", "neighbourhood", "hamlet", "isolated_dwelling"), "locality"
    ),
    **dict.fromkeys(("city", "town", "village", "municipality"), "city"),
}
# Failures a provider is expected to have: HTTP errors and time-outs (geopy), sockets, and the
# plain errors geopy's parsers raise on malformed JSON served with a 200.
_EXPECTED_FAILURES = (GeopyError, OSError, TypeError, KeyError, ValueError, IndexError)


@dataclass(frozen=True, slots=True)
class Query:
    """What providers are asked: a street address in a known city."""

    address: str
    city: str
    country: str  # ISO 3166 alpha-2, upper case
    latitude: float  # the city's centre
    longitude: float

    @classmethod
    def for_venue(cls, venue: Venue) -> "Query":
        city = venue.city
        return cls(venue.address, city.name, city.country, city.latitude, city.longitude)

    @property
    def text(self) -> str:
        """The address with its city name, unless it already says it (typed with a postcode)."""
        if f" {normalise(self.city)} " in f" {normalise(self.address)} ":
            return self.address
        return f"{self.address}, {self.city}"


@dataclass(frozen=True, slots=True)
class Match:
    latitude: float
    longitude: float
    precision: str  # housenumber, street, locality or city
    label: str | None


# A provider answers a query before `until` (a time.monotonic() deadline), or gives None.
Provider = Callable[[Query, float], Match | None]


class OutOfTime(Exception):
    """The budget left for a provider is too short to ask it."""


@dataclass(frozen=True)
class Chain:
    """The app's geocoders in order, sharing one time budget per venue."""

    providers: tuple[tuple[str, Provider], ...]
    budget: float  # seconds, every provider together

    def find(self, query: Query) -> tuple[str, Match] | None:
        """The first match near the city, with its provider's name; None when none found one."""
        deadline = time.monotonic() + self.budget
        remote = sum(name != OFFLINE for name, _ in self.providers)
        for name, provider in self.providers:
            until = deadline
            if name != OFFLINE:  # an even share of what is left, so one hang cannot starve the rest
                until = time.monotonic() + (deadline - time.monotonic()) / remote
                remote -= 1
            match = _attempt(name, provider, query, until)
            if match is not None:
                return name, match
        return None


def _attempt(name: str, provider: Provider, query: Query, until: float) -> Match | None:
    """Ask one provider; a failure or a far-off match is logged, never raised."""
    try:
        match = provider(query, until)
    except _EXPECTED_FAILURES as error:
        logger.warning(
            "Geocoder %s failed on %r: %s: %s", name, query.text, type(error).__name__, error
        )
        return None
    except OutOfTime as reason:
        logger.warning("Geocoder %s skipped for %r: %s", name, query.text, reason)
        return None
    except Exception:  # a bug in one provider must not cost the proposal, nor the next provider
        logger.exception("Geocoder %s crashed on %r", name, query.text)
        return None
    if match is not None and _distance(query, match) > MAX_DISTANCE_KM:
        logger.warning("Geocoder %s placed %r too far from %s", name, query.text, query.city)
        return None
    return match


def _distance(query: Query, match: Match) -> float:
    return distance_km(query.latitude, query.longitude, match.latitude, match.longitude)


def _time_left(until: float) -> float:
    left = until - time.monotonic()
    if left < MIN_CALL_SECONDS:
        raise OutOfTime("no time left")
    return left


# Providers ---------------------------------------------------------------------------------


def _ban(app: Flask) -> Provider:
    geocoder = BANFrance(**_geopy_options(app, app.config["BAN_URL"]))

    def ban(query: Query, until: float) -> Match | None:
        if query.country not in BAN_COUNTRIES:
            return None
        found = geocoder.geocode(query.text, limit=1, timeout=_time_left(until))
        if found is None:
            return None
        precision = _BAN_PRECISION.get(found.raw["properties"]["type"], "city")  # "municipality"
        return Match(found.latitude, found.longitude, precision, found.address)

    return ban


def _nominatim(app: Flask) -> Provider:
    options = _geopy_options(app, app.config["NOMINATIM_URL"])
    geocoder = Nominatim(**options)
    turns = throttle.for_app(
        app, f"meetups:nominatim:{options['domain']}", NOMINATIM_INTERVAL, MIN_CALL_SECONDS
    )

    def nominatim(query: Query, until: float) -> Match | None:
        if not turns.wait(until):
            raise OutOfTime("its next free turn comes too late")
        found = geocoder.geocode(
            query.text, country_codes=query.country.lower(), timeout=_time_left(until)
        )
        if found is None:
            return None
        return Match(found.latitude, found.longitude, _osm_precision(found.raw), found.address)

    return nominatim


def _osm_precision(place: dict) -> str:
    """House, street, locality or city, from a Nominatim place's class, type and addresstype."""
    if (place.get("class"), place.get("type")) == ("place", "house"):
        return "housenumber"
    for kind in (place.get("addresstype"), place.get("type"), place.get("class")):
        if kind in _OSM_PRECISION:
            return _OSM_PRECISION[kind]
    return "street" if place.get("class") == "highway" else "locality"


def _offline(app: Flask) -> Provider:
    def offline(query: Query, until: float) -> Match:
        return Match(query.latitude, query.longitude, "city", query.city)  # approximate by design

    return offline


_BUILDERS = {"ban": _ban, "nominatim": _nominatim, OFFLINE: _offline}


def _geopy_options(app: Flask, url: str) -> dict:
    parts = urlsplit(url if "//" in url else f"https://{url}")
    return {
        "scheme": parts.scheme,
        "domain": (parts.netloc + parts.path).rstrip("/"),  # geopy appends /search
        "user_agent": _user_agent(app),
        "timeout": float(app.config["GEOCODER_TIMEOUT"]),  # each call passes what is left
        "proxies": {},  # no proxy from the environment
        "adapter_factory": URLLibAdapter,  # requests' adapter would retry thrice, past the budget
    }


def _user_agent(app: Flask) -> str:
    if app.config.get("NOMINATIM_USER_AGENT"):
        return app.config["NOMINATIM_USER_AGENT"]
    try:
        version = metadata.version("meetups")
    except metadata.PackageNotFoundError:
        version = "dev"
    return f"Meute/{version} (+{app.config.get('BASE_URL') or 'self-hosted'})"


# The app's chain and the public API --------------------------------------------------------


def init_app(app: Flask) -> None:
    """Build the app's geocoder chain from GEOCODERS; no request is made until a venue is located."""
    names = app.config["GEOCODERS"]
    if isinstance(names, str):
        names = names.split(",")
    names = [name.strip().lower() for name in names if name.strip()]
    unknown = sorted(set(names) - set(_BUILDERS))
    if unknown:
        raise ValueError(
            f"MEETUPS_GEOCODERS: unknown geocoder {', '.join(unknown)}; use {', '.join(_BUILDERS)}"
        )
    providers = tuple((name, _BUILDERS[name](app)) for name in names)
    app.extensions[EXTENSION] = Chain(providers, float(app.config["GEOCODER_TIMEOUT"]))


def cache_key(city: City, address: str) -> str:
    """How the cache knows an address: its city, then the address folded (case, accents, punctuation)."""
    return f"{city.geonameid or city.slug}:{normalise(address)}"[:500]


def locate(venue: Venue) -> bool:
    """Give a pending venue coordinates, from the cache or the geocoders; False when none found it.

    A venue only placed at its city's centre (offline) is tried again, to find the real spot.
    """
    found = find(venue)
    return found is not None and put(venue, found)


def find(venue: Venue) -> tuple[str, Match] | None:
    """Where a venue still to locate is, with the provider's name; writes nothing to the venue."""
    if not _needs_locating(venue):
        return None  # located already, or placed by a person
    found = _lookup(venue)
    if found is None or (found[0] == OFFLINE and venue.geocoded_by == OFFLINE):
        return None
    return found


def put(venue: Venue, found: tuple[str, Match]) -> bool:
    """Give a venue the coordinates find() returned, unless someone placed it meanwhile."""
    # Read again under its lock: a person may have placed the pin while the geocoders answered.
    db.session.refresh(venue, with_for_update=True)
    if not _needs_locating(venue):
        return False
    provider, match = found
    venue.latitude, venue.longitude = match.latitude, match.longitude
    venue.geocode_status = GeocodeStatus.LOCATED
    venue.geocoded_by, venue.geocode_precision = provider, match.precision
    db.session.flush()
    return True


def _needs_locating(venue: Venue) -> bool:
    approximate = venue.geocode_status == GeocodeStatus.LOCATED and venue.geocoded_by == OFFLINE
    return venue.geocode_status == GeocodeStatus.PENDING or approximate


def _lookup(venue: Venue) -> tuple[str, Match] | None:
    key = cache_key(venue.city, venue.address)
    cached = db.session.scalar(db.select(GeocodeResult).filter_by(query_key=key))
    if cached is not None:
        return cached.provider, Match(
            cached.latitude, cached.longitude, cached.precision, cached.label
        )
    found = current_app.extensions[EXTENSION].find(Query.for_venue(venue))
    if found is not None and found[0] != OFFLINE:  # the city's centre is a fallback, not an answer
        _remember(key, *found)
    return found


def _remember(key: str, provider: str, match: Match) -> None:
    row = GeocodeResult(
        query_key=key,
        provider=provider,
        latitude=match.latitude,
        longitude=match.longitude,
        precision=match.precision,
        label=match.label and match.label[:500],
    )
    with contextlib.suppress(IntegrityError), db.session.begin_nested():
        db.session.add(row)  # a concurrent request may have cached the same address: keep theirs


def pending_venue_ids() -> list[int]:
    """The ids of every venue still waiting for coordinates (or only at its city's centre)."""
    approximate = (Venue.geocode_status == GeocodeStatus.LOCATED) & (Venue.geocoded_by == OFFLINE)
    waiting = (Venue.geocode_status == GeocodeStatus.PENDING) | approximate
    query = db.select(Venue.id).where(waiting).order_by(Venue.id)
    return list(db.session.scalars(query))
