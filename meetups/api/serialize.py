"""Cities, packs, gatherings and trades as the JSON API shows them: public fields, never an e-mail address."""

from meetups.accounts import trades
from meetups.accounts.vocabulary import Trade
from meetups.gatherings.counts import ListedCity
from meetups.gatherings.models import Gathering
from meetups.gatherings.seating import seats_left
from meetups.i18n import format_local, place_label
from meetups.packs.queries import ListedPack
from meetups.places.gazetteer import Place
from meetups.urls import absolute_url


def city(city: ListedCity, upcoming_count: int) -> dict:
    """A city with its number of upcoming scheduled gatherings."""
    return {
        "slug": city.slug,
        "name": city.name,
        "country": city.country.upper(),
        "latitude": city.latitude,
        "longitude": city.longitude,
        "timezone": city.timezone,
        "upcoming_count": upcoming_count,
    }


def pack(listed: ListedPack) -> dict:
    """A pack with its active members and its upcoming scheduled gatherings counted."""
    pack = listed.pack
    return {
        "slug": pack.slug,
        "name": pack.name,
        "city": {"slug": pack.city.slug, "name": pack.city.name},
        "member_count": listed.member_count,
        "upcoming_count": listed.upcoming_count,
        # The pack's page, packs.show, is /packs/<slug>; its blueprint is not in this package's
        # reach yet (built beside it), so its path is written here.
        "url": absolute_url("packs.show", slug=pack.slug),
        "ical_url": absolute_url("feeds.pack", slug=pack.slug),
    }


def place(place: Place) -> dict:
    """A known city from the gazetteer, with its label in the asked language."""
    return {
        "name": place.name,
        "country": place.country,
        "timezone": place.timezone,
        "slug": place.slug,
        "label": place_label(place),
    }


def trade(trade: Trade, language: str, pairs: trades.Pairs) -> dict:
    """A trade of the vocabulary, its name in this language, and the slugs of those completing it."""
    return {
        "slug": trade.slug,
        "label": trade.label(language),
        "complements": trades.complements(trade.slug, pairs),
    }


def event(gathering: Gathering, going: int, waiting: int) -> dict:
    """A gathering, its times with its city's local offset, and its seats counted elsewhere."""
    zone = gathering.city.timezone
    return {
        "id": gathering.id,
        "url": absolute_url("gatherings.show", gathering_id=gathering.id),
        "title": gathering.title,
        "description": gathering.description,
        "status": gathering.status,
        "starts_at": format_local(gathering.starts_at, zone, "iso"),
        "ends_at": format_local(gathering.ends_at, zone, "iso"),
        "timezone": zone,
        "city": {"slug": gathering.city.slug, "name": gathering.city.name},
        "pack": _pack_of(gathering),
        "series": gathering.series_id,
        "venue": _venue(gathering.venue),
        "capacity": gathering.capacity,
        "min_going": gathering.min_going,
        "going_count": going,
        "seats_left": seats_left(gathering.capacity, going),
        "waitlist_count": waiting,
        "tags": [tag.name for tag in gathering.tags],
        "organiser": _organiser(gathering.organiser),
        "ical_url": absolute_url("feeds.event", gathering_id=gathering.id),
    }


def _pack_of(gathering: Gathering) -> dict | None:
    pack = gathering.pack  # loaded with the gathering (api.queries.events), or none to load
    return {"slug": pack.slug, "name": pack.name} if pack is not None else None


def _venue(venue) -> dict:
    located = venue.is_located
    return {
        "name": venue.name,
        "address": venue.address,
        "latitude": venue.latitude if located else None,
        "longitude": venue.longitude if located else None,
    }


def _organiser(user) -> dict | None:
    if user is None:  # its organiser deleted their account
        return None
    return {"display_name": user.display_name, "trade": user.trade.strip() or None}
