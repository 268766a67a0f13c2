"""The proposal form, shared by proposing and editing a gathering."""

from datetime import datetime, timedelta
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from wtforms import Form, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from meetups.dates import (
    AmbiguousTimeError,
    NonexistentTimeError,
    local_to_utc,
    utc_to_local,
    utcnow,
)
from meetups.forms import (
    DecimalNumberField,
    LocalDateTimeField,
    OnceKeyField,
    SiteForm,
    WholeNumberField,
    strip,
)
from meetups.gatherings.models import (
    MAX_AHEAD,
    MAX_DURATION,
    MAX_TAG_LENGTH,
    YEARS_AHEAD,
    Response,
    Tag,
)
from meetups.gatherings.queries import tag_filter
from meetups.gatherings.quorum_fields import QuorumFields, quorum_values
from meetups.gatherings.repeating import FOLLOWING, RepeatFields, scope_field
from meetups.gatherings.services import Proposal
from meetups.i18n import country_name, place_label
from meetups.places import gazetteer
from meetups.places.forms import CityField

MAX_TAGS = 10
FAR_AHEAD = _l("Pick a date within the next %(years)d years.", years=YEARS_AHEAD)
# How far a wall-clock time may be off, in any zone (UTC-12 to UTC+14, DST shifts included):
# checks on times whose zone is unknown allow this much, so as to say nothing false.
ANY_ZONE = timedelta(days=1)
AT_MOST_200 = _l("At most 200 characters.")
# Far above any room, and far below the 32-bit INTEGER PostgreSQL refuses to overflow.
MAX_CAPACITY = 100_000


class OfferedPack(NamedTuple):
    """A pack the proposal form offers: its id, slug (the field's value) and name."""

    id: int
    slug: str
    name: str


def packs_of(user_id: int) -> list[OfferedPack]:
    """The packs this person may propose into (active member), by name; none without packs."""
    # Packs sit above gatherings, so gatherings may not import them: packs hand this in
    # (meetups.packs.proposing.register) as a callable user_id -> [(id, slug, name), ...].
    provider = current_app.extensions.get("meetups.packs")
    return [OfferedPack(*row) for row in provider(user_id)] if provider else []


def parse_tags(text: str | None) -> list[str]:
    """Split "seo, Rédaction ,seo" into ["seo", "rédaction"]: lower case, one space, no repeats."""
    tags = (Tag.normalise(part) for part in (text or "").split(","))
    return list(dict.fromkeys(tag for tag in tags if tag))


class TagFilterField(StringField):
    """A ?tag= read as tags are stored (queries.tag_filter); one longer than any tag is an error."""

    def __init__(self, *args, message: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        self.data = None
        try:
            self.data = tag_filter(valuelist[0] if valuelist else None)
        except ValueError:
            raise ValueError(self.message) from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


A_MINIMUM_STANDS_ALONE = _l(
    "A minimum is for a gathering of its own: choose “Does not repeat”, or no minimum."
)


class GatheringForm(QuorumFields, SiteForm):
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[
            DataRequired(_l("Give the gathering a title.")),
            Length(min=3, max=140, message=_l("Between 3 and 140 characters.")),
        ],
    )
    description = TextAreaField(
        _l("Description"),
        filters=[strip],
        validators=[Length(max=10_000, message=_l("At most 10,000 characters."))],
        description=_l("What it is about, who it is for. Line breaks and links are kept."),
    )
    city = CityField(
        _l("City"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the city.")), Length(max=200, message=AT_MOST_200)],
        description=_l("As you would write it: Lyon, Saint-Étienne, Montréal."),
    )
    venue_name = StringField(
        _l("Venue"),
        filters=[strip],
        validators=[DataRequired(_l("Name the place.")), Length(max=200, message=AT_MOST_200)],
        description=_l("The place's name, e.g. Café des Freelances."),
    )
    venue_address = StringField(
        _l("Address"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter the street address.")),
            Length(max=300, message=_l("At most 300 characters.")),
        ],
        description=_l("Street and number, e.g. 12 rue de la République."),
    )
    starts_at = LocalDateTimeField(
        _l("Starts"),
        validators=[DataRequired(_l("Enter the date and time it starts."))],
        description=_l("Local time in the gathering's city."),
    )
    ends_at = LocalDateTimeField(
        _l("Ends"),
        validators=[DataRequired(_l("Enter the date and time it ends."))],
    )
    capacity = WholeNumberField(
        _l("Seats"),
        validators=[
            Optional(),
            NumberRange(min=1, message=_l("At least 1 seat, or leave empty for no limit.")),
            NumberRange(max=MAX_CAPACITY, message=_l("At most 100,000 seats.")),
        ],
        description=_l("Leave empty for no limit."),
    )
    tags = StringField(
        _l("Tags"),
        filters=[strip],
        validators=[Length(max=400, message=_l("At most 400 characters."))],
        description=_l("Optional, separated by commas: seo, rédaction, correction."),
    )
    pack = SelectField(
        _l("Pack"),
        choices=[],
        validate_choice=False,  # validate_pack says why, beside the field
        description=_l("Optional: the gathering belongs to this pack, and shows in its calendar."),
    )
    # An occurrence of a series: edit this one alone, or the following ones too.
    scope = scope_field(_l("Change"))
    # The country code of a city abroad that the person confirmed (see validate_city).
    confirm_country = StringField(_l("Confirm the country"), filters=[strip])

    # The proposer's home country, set by the view: a city elsewhere asks to be confirmed.
    home_country: str | None = None
    city_abroad: gazetteer.Place | None = None  # after validation: the city to confirm, if any
    series_day = None  # the local date of the occurrence edited, when it is one

    def __init__(
        self, *args, current_start: datetime | None = None, seats_taken: int = 0, **kwargs
    ):
        super().__init__(*args, **kwargs)
        # An edit may keep a start that has since passed (fixing a typo after the event).
        self.current_start = current_start
        # People holding a seat now: the capacity may not go below it.
        self.seats_taken = seats_taken
        self.starts_at_utc: datetime | None = None
        self.ends_at_utc: datetime | None = None
        self.offered_packs: dict[str, OfferedPack] = {}

    def offer_packs(self, packs: list[OfferedPack], current: OfferedPack | None = None) -> None:
        """The packs the select offers: the organiser's; an edit keeps its pack even if they left."""
        if current is not None and current.slug not in {pack.slug for pack in packs}:
            packs = [*packs, current]
        self.offered_packs = {pack.slug: pack for pack in packs}
        self.pack.choices = [SelectChoice("", _l("No pack"))]
        self.pack.choices += [SelectChoice(pack.slug, pack.name) for pack in packs]

    def validate_pack(self, field) -> None:
        # Checked on the server: a script may post any slug.
        if field.data and field.data not in self.offered_packs:
            raise ValidationError(
                _l("Only the pack’s active members may propose a gathering in it.")
            )

    def validate_min_going(self, field) -> None:
        super().validate_min_going(field)
        if field.data is not None and self.series_day is not None:
            # Later occurrences would not carry it: the series has no quorum.
            raise ValidationError(A_MINIMUM_STANDS_ALONE)

    def validate_scope(self, field) -> None:
        start, day = self.starts_at.data, self.series_day
        if field.data == FOLLOWING and None not in (start, day) and start.date() != day:
            raise ValidationError(
                _l(
                    "The following ones keep their dates: only the time can change for them. "
                    "To move this date, change this one only."
                )
            )

    def validate_capacity(self, field) -> None:
        if field.data is not None and field.data < self.seats_taken:
            raise ValidationError(
                _ln(
                    "%(num)d person is already going: the seats can't be fewer.",
                    "%(num)d people are already going: the seats can't be fewer than that.",
                    self.seats_taken,
                )
            )

    def validate_city(self, field) -> None:
        """A city in another country than its address names, or than the person's home, is
        saved only once confirmed."""
        place = field.place
        self.city_abroad = None
        if place is None or place == field.current:
            return
        named = gazetteer.named_in_address(self.venue_address.data or "")
        if named is not None and named.country != place.country:
            question = _(
                "The address names %(named)s, but %(city)s is in %(country)s: propose it there anyway?",
                named=place_label(named),
                city=place.name,
                country=country_name(place.country),
            )
        elif self.home_country not in (None, place.country):
            question = _(
                "%(city)s is in %(country)s, not %(home)s: propose it there anyway?",
                city=place.name,
                country=country_name(place.country),
                home=country_name(self.home_country),
            )
        else:
            return
        self.city_abroad = place
        if self.confirm_country.data != place.country:  # a "yes" for Canada is not one for Peru
            raise ValidationError(question)

    def validate_tags(self, field) -> None:
        tags = parse_tags(field.data)
        if len(tags) > MAX_TAGS:
            raise ValidationError(_l("At most %(count)d tags.", count=MAX_TAGS))
        if any(len(tag) > MAX_TAG_LENGTH for tag in tags):
            raise ValidationError(_l("Each tag is at most %(max)d characters.", max=MAX_TAG_LENGTH))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        zone = self.city.place.timezone if self.city.place else None
        # Every time error at once: an unknown city or an unreadable time hides no other.
        self.starts_at_utc = self._to_utc(self.starts_at, zone)
        self.ends_at_utc = self._to_utc(self.ends_at, zone)
        self._check_times()
        self.check_decide_at(zone, utcnow())
        times = (self.starts_at, self.ends_at, self.decide_at)
        return valid and zone is not None and not any(field.errors for field in times)

    def _check_times(self) -> None:
        start, end = self.starts_at_utc, self.ends_at_utc
        if start is not None:
            self._check_start(start, utcnow())
        elif self.current_start is None:  # an edit may keep its past start: unknown here
            self._check_start(self.starts_at.data, utcnow().replace(tzinfo=None), ANY_ZONE)
        if start is not None and end is not None:
            self._check_span(start, end)
        else:
            self._check_span(self.starts_at.data, self.ends_at.data, ANY_ZONE)

    def _check_start(self, start: datetime | None, now: datetime, margin=timedelta()) -> None:
        """Not past, not too far ahead; margin: the most a wall-clock time may be off."""
        if start is None:
            return
        if start < now - margin and start != self.current_start:
            self.starts_at.errors.append(
                _l("This time has already passed. Pick a time in the future.")
            )
        if start > now + MAX_AHEAD + margin and FAR_AHEAD not in self.starts_at.errors:
            self.starts_at.errors.append(FAR_AHEAD)  # unless the zone's conversion said so

    def _check_span(self, start: datetime | None, end: datetime | None, margin=timedelta()) -> None:
        """The end after the start, within MAX_DURATION (plus margin for wall-clock times)."""
        # Wall-clock order is the real order within one zone (DST overlaps are refused).
        if start is None or end is None:
            return
        if end <= start:
            self.ends_at.errors.append(_l("The end must come after the start."))
        elif end - start > MAX_DURATION + margin:
            self.ends_at.errors.append(_l("A gathering lasts at most 7 days."))

    @staticmethod
    def _to_utc(field, tz_name: str | None) -> datetime | None:
        if field.data is None or tz_name is None:
            return None
        try:
            return local_to_utc(field.data, tz_name)
        except NonexistentTimeError:
            field.errors.append(
                _l(
                    "This time does not exist in %(zone)s: the clocks go forward that night. Pick another time.",
                    zone=tz_name,
                )
            )
        except OverflowError:  # year 9999 in Montréal, year 1 in Tokyo
            field.errors.append(FAR_AHEAD)
        except AmbiguousTimeError:
            field.errors.append(
                _l(
                    "This time happens twice in %(zone)s: the clocks go back that night. Pick another time.",
                    zone=tz_name,
                )
            )
        return None

    def proposal(self) -> Proposal:
        """The validated data as a service takes it."""
        return Proposal(
            title=self.title.data,
            description=self.description.data or "",
            place=self.city.place,
            venue_name=self.venue_name.data,
            venue_address=self.venue_address.data,
            starts_at=self.starts_at_utc,
            ends_at=self.ends_at_utc,
            capacity=self.capacity.data,
            tags=tuple(parse_tags(self.tags.data)),
            pack_id=pack.id if (pack := self.offered_packs.get(self.pack.data or "")) else None,
            min_going=self.min_going.data,
            decide_at=self.decide_at_utc,
        )

    @classmethod
    def for_gathering(cls, gathering, seats_taken: int = 0, **kwargs) -> "GatheringForm":
        """A form filled with a gathering's current values, times in its city's zone."""
        form = cls(
            current_start=gathering.starts_at,
            seats_taken=seats_taken,
            data=values_of(gathering),
            **kwargs,
        )
        form.city.current = gazetteer.by_geonameid(gathering.city.geonameid)
        form.series_day = gathering.series_day
        form.current_decide_at = gathering.decide_at
        # The organiser's packs, even when an admin edits: they are the one proposing.
        pack = gathering.pack
        form.offer_packs(
            packs_of(gathering.organiser_id),
            current=OfferedPack(pack.id, pack.slug, pack.name) if pack else None,
        )
        return form


def values_of(gathering) -> dict:
    """A gathering's values as the form's fields hold them, times in its city's zone."""
    zone = gathering.city.timezone
    return {
        "title": gathering.title,
        "description": gathering.description,
        "city": gathering.city.name,
        "venue_name": gathering.venue.name,
        "venue_address": gathering.venue.address,
        "starts_at": utc_to_local(gathering.starts_at, zone).replace(tzinfo=None),
        "ends_at": utc_to_local(gathering.ends_at, zone).replace(tzinfo=None),
        "capacity": gathering.capacity,
        "tags": ", ".join(tag.name for tag in gathering.tags),
        "pack": gathering.pack.slug if gathering.pack else "",
        **quorum_values(gathering),
    }


class ProposalForm(RepeatFields, GatheringForm):
    """Proposing a new gathering: the same fields, and a key that makes one submit one gathering."""

    idempotency_key = OnceKeyField()

    PREFILLED = ("title", "city", "tags")  # links may suggest these (the trade map does)

    def prefill(self, args) -> None:
        """Fill the suggested fields from a link's query string, each cut to its longest."""
        for name in self.PREFILLED:
            value = " ".join(args.get(name, "").split())
            if value:
                field = self[name]
                longest = min(v.max for v in field.validators if isinstance(v, Length))
                field.data = value[:longest]
        if args.get("pack", "") in self.offered_packs:  # the pack page's link; others are ignored
            self.pack.data = args["pack"]

    def validate_min_going(self, field) -> None:
        super().validate_min_going(field)
        if field.data is not None and self.repeats:
            raise ValidationError(A_MINIMUM_STANDS_ALONE)

    def copy(self, gathering) -> None:
        """Fill the fields from another gathering, dates left empty; its pack only if offered."""
        values = values_of(gathering) | {"starts_at": None, "ends_at": None, "decide_at": None}
        if values["pack"] not in self.offered_packs:
            values["pack"] = ""
        for name, value in values.items():
            self[name].data = value


class RsvpForm(SiteForm):
    """One of the three RSVP buttons: going, maybe or no."""

    class Meta:
        # CSRFProtect has checked the token of every POST before any view runs; checking it
        # again here, and signing a new one, only costs time.
        csrf = False

    response = StringField(
        # A label of our own: without one, WTForms loads its catalogue to translate "Response".
        _l("Your answer"),
        validators=[AnyOf(Response.ALL, message=_l("Answer “going”, “maybe” or “no”."))],
    )


MAX_CANCEL_MESSAGE = 1_000


class CancelForm(SiteForm):
    """Cancelling a gathering, with an optional word to the people coming."""

    message = TextAreaField(
        _l("Message to the people coming (optional)"),
        filters=[strip],
        validators=[
            Length(max=MAX_CANCEL_MESSAGE, message=_l("At most 1,000 characters.")),
        ],
        description=_l("Why, and what next: it shows on the gathering's page and in calendars."),
    )
    scope = scope_field(_l("Cancel"))


NEARBY_CHOICES_KM = (10, 25, 50)
MAX_NEARBY_KM = 200


MAX_PAGE = 10_000


class CityFilterForm(Form):
    """The city page's query string: ?tag=, ?within=<km> and ?page=<n>."""

    tag = TagFilterField(message=_l("A tag is at most %(max)d characters.", max=MAX_TAG_LENGTH))
    page = WholeNumberField(
        validators=[
            Optional(),
            NumberRange(min=1, max=MAX_PAGE, message=_l("Pages are numbered from 1.")),
        ],
    )
    within = DecimalNumberField(
        invalid_message=_l("Choose a distance between 0.1 and %(max)d km.", max=MAX_NEARBY_KM),
        validators=[
            Optional(),
            NumberRange(
                min=0.1,
                max=MAX_NEARBY_KM,
                message=_l("Choose a distance between 0.1 and %(max)d km.", max=MAX_NEARBY_KM),
            ),
        ],
    )
