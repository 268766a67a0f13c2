"""The form fields of recurring gatherings: how a proposal repeats, and what an edit touches."""

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SelectField
from wtforms.validators import AnyOf, ValidationError

from meetups.dates import utcnow
from meetups.forms import LocalDateField
from meetups.gatherings import series as rules

NONE = "none"
THIS, FOLLOWING = "this", "following"
# A series ends within about two years: further than that, plans are not plans.
UNTIL_AHEAD = timedelta(days=2 * 365 + 1)


class RepeatFields:
    """Mixed into the proposal form: `repeat` and `repeat_until`, checked against the start."""

    repeat = SelectField(
        _l("Repeat"),
        choices=[
            SelectChoice(NONE, _l("Does not repeat")),
            SelectChoice(rules.WEEKLY, _l("Every week")),
            SelectChoice(rules.BIWEEKLY, _l("Every other week")),
            SelectChoice(
                rules.MONTHLY, _l("Every month, on the same weekday (e.g. first Thursday)")
            ),
            SelectChoice(rules.MONTHLY_LAST, _l("Every month, on the last such weekday")),
        ],
        default=NONE,
        validate_choice=False,  # AnyOf says it in our words
        validators=[AnyOf([NONE, *rules.FREQUENCIES], message=_l("Choose how it repeats."))],
        description=_l("Each date becomes a gathering of its own, with its own answers."),
    )
    repeat_until = LocalDateField(
        _l("Repeat until"),
        description=_l("Optional: the last possible date. Empty: it goes on until you stop it."),
    )

    @property
    def repeats(self) -> bool:
        """Whether the person asked for a series."""
        return self.repeat.data not in (None, "", NONE)

    def validate_repeat(self, field) -> None:
        start = self.starts_at.data
        if field.data != rules.MONTHLY_LAST or start is None:
            return
        if start.date() != rules.last_weekday(start.year, start.month, start.weekday()):
            raise ValidationError(
                _l(
                    "The start date is not the last such weekday of its month: "
                    "pick that date, or “Every month, on the same weekday”."
                )
            )

    def validate_repeat_until(self, field) -> None:
        until, start = field.data, self.starts_at.data
        if until is None:
            return
        if not self.repeats:
            raise ValidationError(_l("Choose how it repeats, or leave this empty."))
        if start is not None and until <= start.date():
            raise ValidationError(_l("The last date must come after the first one."))
        if until > utcnow().date() + UNTIL_AHEAD:
            raise ValidationError(_l("Pick a last date within the next two years."))

    def repeat_until_date(self) -> date | None:
        """The series' last possible date, when it repeats."""
        return self.repeat_until.data if self.repeats else None


def scope_field(label) -> RadioField:
    """What an edit or a cancellation of an occurrence touches: this one, or the following too."""
    return RadioField(
        label,
        choices=[
            SelectChoice(THIS, _l("This one only")),
            SelectChoice(FOLLOWING, _l("This one and the following ones")),
        ],
        default=THIS,
        filters=[lambda value: value or THIS],  # sent empty: the default
        validate_choice=False,
        validators=[AnyOf([THIS, FOLLOWING], message=_l("Choose “this one” or “the following”."))],
    )
