"""What every form shares: the edge rule, stripped input, numbers and times with readable errors."""

import math
import re
import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, FloatField, HiddenField, IntegerField
from wtforms.validators import StopValidation

from meetups import edge

CONTROLS_REFUSED = _l(
    "This contains invisible control characters; they were taken out. "
    "Check the text and send it again."
)


class SiteForm(FlaskForm):
    """Every form people post: a field that carried control characters is refused, shown
    again without them (meetups.edge), before any validator or query sees its value."""

    _with_controls: frozenset[str] = frozenset()

    class Meta:
        def wrap_formdata(self, form, formdata):
            formdata = super().wrap_formdata(form, formdata)
            if formdata is not None:
                form._with_controls, formdata = edge.cleaned(formdata)
            return formdata

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for name in self._with_controls & self._fields.keys():
            self[name].errors.append(CONTROLS_REFUSED)
        return valid and not (self._with_controls & self._fields.keys())


# What a form's key may be: URL-safe characters, as secrets.token_urlsafe makes them (43 of
# them), a UUID, or a script's own; bounded, as the column is.
ONCE_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")


def strip(value):
    """Trim surrounding whitespace from text input; leave other values alone."""
    return value.strip() if isinstance(value, str) else value


class WholeNumberField(IntegerField):
    """An integer field whose only error for "abc" or "2.5" is one clear sentence."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a whole number, like 12.")) from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


class _BlankOrParsed:
    """A date or time input: empty is None, a bad value one clear error (`unreadable`), and no
    "not a valid choice" piled on top of it."""

    unreadable = _l("Enter a date and time, like 2027-01-14T19:00.")

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            super().process_formdata([valuelist[0].strip()])
        except ValueError:
            raise ValueError(self.unreadable) from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


class LocalDateTimeField(_BlankOrParsed, DateTimeLocalField):
    """A datetime-local input (YYYY-MM-DDTHH:MM), naive wall-clock time, with a clear error."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])
        super().__init__(*args, **kwargs)


class LocalDateField(_BlankOrParsed, DateField):
    """A date input (YYYY-MM-DD), empty allowed, with a clear error."""

    unreadable = _l("Enter a date, like 2027-06-30.")


class DecimalNumberField(FloatField):
    """A decimal number ("45.7578", "4,83"): one clear error for text, nothing for blanks."""

    def __init__(self, *args, invalid_message=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message or _l("Enter a number, like 45.7578.")

    def process_formdata(self, valuelist):
        text = valuelist[0].strip().replace(",", ".") if valuelist else ""
        self.data = None
        if not text:
            return
        try:
            self.data = float(text)
        except ValueError:
            raise ValueError(self.invalid_message) from None
        if not math.isfinite(self.data):
            self.data = None
            raise ValueError(self.invalid_message)

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


class Present:
    """Required, judged on the parsed value: blank or spaces are missing, 0 is a value."""

    field_flags = {"required": True}

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data is None:
            field.errors[:] = []
            raise StopValidation(self.message)


class OnceKeyField(HiddenField):
    """A form's idempotency key: new each time the form is shown, then sent back unchanged with
    it (and kept when it comes back with errors), so that the same form sent twice counts once.

    A value not shaped like a key counts as no key at all: the form then works as without one.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", lambda: secrets.token_urlsafe(32))
        # A browser must not put an earlier page's key back into a form it loads anew.
        kwargs.setdefault("render_kw", {"autocomplete": "off"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        value = valuelist[0] if valuelist else ""
        self.data = value if ONCE_KEY.fullmatch(value) else None
