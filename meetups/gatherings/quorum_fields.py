"""The form fields of quorum gatherings: how many must be going, and when it is decided."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms.validators import NumberRange, Optional, ValidationError

from meetups.dates import utc_to_local
from meetups.forms import LocalDateTimeField, WholeNumberField
from meetups.gatherings import quorum

MAX_QUORUM = 100_000  # as many as the most seats


class QuorumFields:
    """Mixed into the gathering form: `min_going` and `decide_at`, checked against the start."""

    min_going = WholeNumberField(
        _l("Takes place if at least"),
        validators=[
            Optional(),
            NumberRange(
                min=2, message=_l("At least 2 people (you included), or leave empty: no minimum.")
            ),
            NumberRange(max=MAX_QUORUM, message=_l("At most 100,000 people.")),
        ],
        description=_l(
            "Optional: how many people going (you included) it needs. "
            "Until then it is tentative; short of it, it is called off."
        ),
    )
    decide_at = LocalDateTimeField(
        _l("Decided on"),
        description=_l(
            "Local time, before the start. If not enough people are going by then, "
            "it is called off and everyone is told. Empty: 48 hours before the start."
        ),
    )

    current_decide_at: datetime | None = None  # an edit may keep its own, even once passed
    decide_at_utc: datetime | None = None  # after validation

    def validate_min_going(self, field) -> None:
        seats = self.capacity.data
        if field.data is not None and seats is not None and field.data > seats:
            raise ValidationError(
                _l("At most the number of seats (%(seats)d), or more seats.", seats=seats)
            )

    def check_decide_at(self, zone: str | None, now: datetime) -> None:
        """Set decide_at_utc, or put an error beside the field (called once the start is known)."""
        self.decide_at_utc = None
        field, start = self.decide_at, self.starts_at_utc
        if self.min_going.data is None:
            if field.data is not None:
                field.errors.append(_l("Set a minimum number of people, or leave this empty."))
            return
        if start is None or field.errors:
            return
        if field.data is None:
            self.decide_at_utc = quorum.default_decide_at(start, now)
            return
        decide_at = self._to_utc(field, zone)
        if decide_at is None:
            return
        if decide_at <= now and decide_at != self.current_decide_at:
            field.errors.append(_l("This time has already passed. Pick a time in the future."))
        elif decide_at >= start:
            field.errors.append(_l("Pick a time before the start."))
        else:
            self.decide_at_utc = decide_at


def quorum_values(gathering) -> dict:
    """A gathering's quorum fields as the form holds them, decide_at in its city's zone."""
    decide_at = gathering.decide_at
    if decide_at is not None:
        decide_at = utc_to_local(decide_at, gathering.city.timezone).replace(tzinfo=None)
    return {"min_going": gathering.min_going, "decide_at": decide_at}
