"""Forms for places: a city typed as people type it (resolved offline), a venue placed by hand."""

import math

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField, ValidationError
from wtforms.validators import NumberRange

from meetups.forms import DecimalNumberField, Present, SiteForm
from meetups.i18n import place_label
from meetups.places import gazetteer
from meetups.places.distance import distance_km
from meetups.places.geocoding import MAX_DISTANCE_KM


class CityField(StringField):
    """A city name resolved through the gazetteer; `place` holds the match after validation."""

    place: gazetteer.Place | None = None
    # The place already chosen (when editing): its name, sent back unchanged, keeps it, even
    # if a bigger homonym would win a fresh lookup.
    current: gazetteer.Place | None = None

    def pre_validate(self, form) -> None:
        self.place = None
        text = (self.data or "").strip()
        if not text:
            return
        if self.current is not None and text == self.current.name:
            self.place = self.current
            return
        self.place = gazetteer.lookup(text)
        if self.place is None:
            raise ValidationError(unknown_city_message(text))


SUGGESTED_IN_MESSAGES = 3


def unknown_city_message(text: str) -> str:
    """Say that no known city has this name, and which known names come closest."""
    message = _(
        "We don't know a city called “%(name)s”. Check the spelling, or try a nearby larger town.",
        name=_shortened(text),
    )
    close = gazetteer.suggest(text, limit=SUGGESTED_IN_MESSAGES)
    if close:
        places = _(" or ").join(place_label(place) for place in close)
        message += " " + _("Did you mean %(places)s?", places=places)
    return message


def _shortened(name: str, most: int = 60) -> str:
    # A page repeats what was typed in the field already: the message needs only its start.
    return name if len(name) <= most else name[: most - 1].rstrip() + "…"


class LocationForm(SiteForm):
    """A venue's position set by hand, which must lie near its city."""

    latitude = DecimalNumberField(
        _l("Latitude"),
        validators=[
            Present(_l("Enter the latitude.")),
            NumberRange(-90, 90, message=_l("Between -90 and 90.")),
        ],
        description=_l("Decimal degrees, north positive: 45.7578"),
    )
    longitude = DecimalNumberField(
        _l("Longitude"),
        validators=[
            Present(_l("Enter the longitude.")),
            NumberRange(-180, 180, message=_l("Between -180 and 180.")),
        ],
        description=_l("Decimal degrees, east positive: 4.8320"),
    )

    def __init__(self, *args, city=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.near_city = city

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        city = self.near_city
        km = distance_km(city.latitude, city.longitude, self.latitude.data, self.longitude.data)
        if km > MAX_DISTANCE_KM:
            self.latitude.errors.append(
                _l(
                    "This point is %(km)d km from %(city)s: a venue must lie within %(max)d km of its city.",
                    km=math.ceil(km),  # %d would cut 50.4 down to "50 km", read as within 50 km
                    city=city.name,
                    max=MAX_DISTANCE_KM,
                )
            )
            return False
        return True
