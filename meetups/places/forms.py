"""Form fields for places: a city typed as people type it, resolved offline."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField, ValidationError

from meetups.places import gazetteer


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
            raise ValidationError(
                _l(
                    "We don't know a city called “%(name)s”. Check the spelling, or try a nearby larger town.",
                    name=text,
                )
            )
