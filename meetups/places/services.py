"""Turning what people type into City and Venue rows."""

from sqlalchemy.exc import IntegrityError

from meetups.extensions import db
from meetups.places import gazetteer
from meetups.places.models import City, GeocodeStatus, Venue


def city_for(place: gazetteer.Place) -> City:
    """Return the City row for a gazetteer place, creating it the first time anyone uses it."""
    city = db.session.scalar(db.select(City).filter_by(geonameid=place.geonameid))
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
    try:
        with db.session.begin_nested():  # another request may be creating the same city
            db.session.add(city)
    except IntegrityError:
        city = db.session.scalar(db.select(City).filter_by(geonameid=place.geonameid))
    return city


def venue_for(city: City, name: str, address: str) -> Venue:
    """Return the venue with this name and address in this city, creating it if new."""
    query = db.select(Venue).filter_by(city_id=city.id, name=name, address=address)
    venue = db.session.scalar(query)
    if venue is not None:
        return venue
    venue = Venue(city=city, name=name, address=address)
    try:
        with db.session.begin_nested():
            db.session.add(venue)
    except IntegrityError:
        venue = db.session.scalar(query)
    return venue


def place_venue(venue: Venue, latitude: float, longitude: float) -> None:
    """Put a venue where a person says it is; it is never geocoded again."""
    venue.latitude, venue.longitude = latitude, longitude
    venue.geocode_status = GeocodeStatus.MANUAL
    venue.geocoded_by, venue.geocode_precision = "manual", "manual"
    db.session.flush()
