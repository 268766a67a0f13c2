"""Distances on the Earth, and the box of coordinates that holds every point within a distance."""

from math import asin, cos, degrees, radians, sin

from geopy.distance import EARTH_RADIUS as EARTH_RADIUS_KM  # the radius great_circle uses
from geopy.distance import great_circle

from meetups.places.models import Venue

BOX_MARGIN = 1.001  # a box a hair too wide costs nothing: the exact distance decides


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (geopy's, on the mean Earth radius)."""
    return great_circle((lat1, lon1), (lat2, lon2)).km


def half_box(latitude: float, km: float) -> tuple[float, float]:
    """Half the height and width, in degrees, of a box holding every point within km.

    Measured on the sphere distance_km uses (111.2 km a degree, not 111.32, or points just
    inside the radius fall outside the box). A circle is widest in longitude poleward of its
    centre: asin(sin r / cos lat), not r / cos lat; when it reaches a pole, every longitude.
    """
    angle = km / EARTH_RADIUS_KM  # radians
    dlat = degrees(angle) * BOX_MARGIN
    stretch = sin(min(angle, radians(90))) / max(cos(radians(latitude)), 1e-12)
    dlon = degrees(asin(stretch)) * BOX_MARGIN if stretch < 1 else 360.0
    return dlat, dlon


def venue_box(latitude: float, longitude: float, km: float) -> tuple:
    """Bounds on the indexed venue coordinates around a point: a cheap first cut before the distance."""
    dlat, dlon = half_box(latitude, km)
    return (
        Venue.latitude.between(latitude - dlat, latitude + dlat),
        Venue.longitude.between(longitude - dlon, longitude + dlon),
    )
