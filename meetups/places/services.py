"""Turning what people type into City and Venue rows."""

from meetups.database import inserted_or_found
from meetups.extensions import db
from meetups.places import gazetteer
from meetups.places.models import City, GeocodeStatus, Venue


def city_for(place: gazetteer.Place) -> City:
    """Return the City row for a gazetteer place, creating it the first time anyone uses it."""
    query = db.select(City).filter_by(geonameid=place.geonameid)
    city = db.session.scalar(query)
    if city is not None:
        return city
    city = City(
        geonameid=place.geonameid,
        slug=place.slug,
        name=place.name,
        country=place.country,
        latitude=place.latitude,
        longitude=place.longitude,
        timezone=place.timezone,
    )
    return inserted_or_found(city, query)  # another request may be creating the same city


def venue_for(city: City, name: str, address: str, owner_id: int | None = None) -> Venue:
    """Return this person's own venue of this name and address, else the shared one, made if new."""
    if owner_id is not None:
        own = db.session.scalar(_at(city.id, name, address).filter_by(owner_id=owner_id))
        if own is not None:
            return own
    # FOR SHARE: a venue being made someone's own meanwhile is waited for, then passed over.
    shared = _at(city.id, name, address).filter_by(owner_id=None).with_for_update(read=True)
    venue = db.session.scalar(shared)
    return venue or inserted_or_found(Venue(city=city, name=name, address=address), shared)


def own_venue(venue: Venue, owner_id: int) -> Venue | None:
    """This person's own placement of a venue's name and address (the venue, if theirs), or None."""
    if venue.owner_id == owner_id:
        return venue
    return db.session.scalar(
        _at(venue.city_id, venue.name, venue.address).filter_by(owner_id=owner_id)
    )


def copy_venue(venue: Venue, owner_id: int) -> Venue:
    """Return this person's own placement of a venue's name and address, creating it if new."""
    query = _at(venue.city_id, venue.name, venue.address).filter_by(owner_id=owner_id)
    copy = Venue(city_id=venue.city_id, name=venue.name, address=venue.address, owner_id=owner_id)
    return db.session.scalar(query) or inserted_or_found(copy, query)


def place_venue(venue: Venue, latitude: float, longitude: float) -> None:
    """Put a venue where a person says it is; it is never geocoded again."""
    venue.latitude, venue.longitude = latitude, longitude
    venue.geocode_status = GeocodeStatus.MANUAL
    venue.geocoded_by, venue.geocode_precision = "manual", "manual"
    db.session.flush()


def _at(city_id: int, name: str, address: str):
    return db.select(Venue).filter_by(city_id=city_id, name=name, address=address)
