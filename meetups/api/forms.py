"""The query string of /api/v1/events, validated; what is wrong is said in English, per parameter."""

import math
from base64 import urlsafe_b64decode, urlsafe_b64encode
from datetime import UTC, date, datetime, timedelta

from wtforms import Field, Form, StringField

from meetups.api.queries import EventWindow
from meetups.forms import strip
from meetups.gatherings.forms import MAX_NEARBY_KM, TagFilterField
from meetups.gatherings.models import MAX_TAG_LENGTH, Gathering
from meetups.packs.models import Pack
from meetups.places.models import City

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_PLACE_QUERY = 200  # /places?q=: longer than any city name with its country
MAX_WITHIN_KM = MAX_NEARBY_KM
# Ids are INTEGER columns: a larger number names nothing, and SQLite can't even bind it.
MAX_ID = 2**31 - 1
DISTANCE = f"a distance in km, more than 0 and at most {MAX_WITHIN_KM}"


# Instants the API reads: far enough either way for any question, near enough that the
# windows computed from them (a week before, a day after) stay within datetime's range.
EARLIEST, LATEST = datetime(1900, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC)


def parse_instant(text: str, day_end: bool = False) -> datetime:
    """An ISO 8601 date or date and time as aware UTC, from 1900 to 9000; naive ones are UTC.

    A date alone is the start of that day in UTC, or with day_end the start of the next one.
    """
    try:
        day = date.fromisoformat(text)
    except ValueError:
        moment = datetime.fromisoformat(text)
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    else:
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment += timedelta(days=1) if day_end else timedelta(0)
    if not EARLIEST <= moment <= LATEST:
        raise ValueError(text)
    return moment


def cursor_for(gathering: Gathering) -> str:
    """An opaque position just after this gathering in the (starts_at, id) order."""
    raw = f"{gathering.starts_at.isoformat()}|{gathering.id}".encode()
    return urlsafe_b64encode(raw).decode().rstrip("=")


def _read_cursor(text: str) -> tuple[datetime, int]:
    raw = urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    starts_at, _, gathering_id = raw.partition("|")
    moment = datetime.fromisoformat(starts_at)
    if moment.tzinfo is None or not gathering_id.isdigit() or int(gathering_id) > MAX_ID:
        raise ValueError(text)
    if not EARLIEST <= moment <= LATEST:
        raise ValueError(text)
    return moment.astimezone(UTC), int(gathering_id)


class _TextField(Field):
    """A single value parsed by parse(); empty means absent; a failure is one clear sentence."""

    message = "is not valid"

    def process_formdata(self, valuelist):
        text = valuelist[0].strip() if valuelist else ""
        self.data = None
        if text:
            try:
                self.data = self.parse(text)
            except (ValueError, OverflowError):
                raise ValueError(self.message) from None

    def parse(self, text: str):
        raise NotImplementedError


class InstantField(_TextField):
    message = (
        "must be an ISO 8601 date or date and time from 1900 to 9000, like 2027-03-28 or "
        "2027-03-28T19:00:00+02:00 (write + as %2B in a URL)"
    )

    def __init__(self, *args, day_end: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.day_end = day_end

    def parse(self, text: str) -> datetime:
        return parse_instant(text, self.day_end)


class PointField(_TextField):
    message = (
        "must be <latitude>,<longitude> in decimal degrees, latitude between -90 and 90 "
        "and longitude between -180 and 180, like 45.76,4.83"
    )

    def parse(self, text: str) -> tuple[float, float]:
        latitude, longitude = (float(part) for part in text.split(","))
        if not (math.isfinite(latitude) and math.isfinite(longitude)):
            raise ValueError(text)
        if abs(latitude) > 90 or abs(longitude) > 180:
            raise ValueError(text)
        return latitude, longitude


class DistanceField(_TextField):
    message = f"must be {DISTANCE}"

    def parse(self, text: str) -> float:
        km = float(text)
        if not 0 < km <= MAX_WITHIN_KM:  # also refuses nan
            raise ValueError(text)
        return km


class LimitField(_TextField):
    message = f"must be a whole number from 1 to {MAX_LIMIT}"

    def parse(self, text: str) -> int:
        number = int(text)
        if not 1 <= number <= MAX_LIMIT:
            raise ValueError(text)
        return number


class CursorField(_TextField):
    message = "is not a cursor this API gave out: follow the next link as it is"

    def parse(self, text: str) -> tuple[datetime, int]:
        return _read_cursor(text)


class EventFilterForm(Form):
    """?city= &pack= &tag= &from= &to= &near= &within= &limit= &cursor= (from and to are set below)."""

    city = StringField(filters=[strip])
    pack = StringField(filters=[strip])
    tag = TagFilterField(message=f"must be at most {MAX_TAG_LENGTH} characters")
    near = PointField()
    within = DistanceField()
    limit = LimitField()
    cursor = CursorField()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.near.data is not None and self.within.data is None and not self.within.errors:
            self.within.errors.append(f"is required with near: {DISTANCE}")
        if self.within.data is not None and self.near.data is None and not self.near.errors:
            self.near.errors.append("is required with within, as <latitude>,<longitude>")
        start, end = self["from"].data, self["to"].data
        if start and end and end <= start:
            self["to"].errors.append("must come after from")
        return valid and not any(field.errors for field in self)

    def error_message(self) -> str:
        """Every problem, named by its parameter: "limit: must be a whole number from 1 to 500"."""
        return "; ".join(
            f"{name} {error}" for name, errors in self.errors.items() for error in errors
        )

    def window(self, city: City | None, now: datetime, pack: Pack | None = None) -> EventWindow:
        """The validated filters as the events query takes them; from defaults to now."""
        return EventWindow(
            start=self["from"].data or now,
            end=self["to"].data,
            city=city,
            pack=pack,
            tag=self.tag.data or None,
            near=self.near.data,
            within_km=self.within.data,
            after=self.cursor.data,
        )


# "from" is a Python keyword, so these two can't be declared in the class body.
setattr(EventFilterForm, "from", InstantField())
setattr(EventFilterForm, "to", InstantField(day_end=True))  # noqa: B010
