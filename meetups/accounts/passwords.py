"""What a new password must be: one validator for every form that sets one (ASVS 6.2)."""

from functools import cache

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

MIN_LENGTH = 10
# Well above the 64 characters ASVS asks to allow; a bound all the same, since hashing cost
# grows with the length.
MAX_LENGTH = 200
DESCRIPTION = _l("At least 10 characters, and not one of the most common passwords.")


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 passwords people choose most often (zxcvbn's list, in lower case)."""
    # Imported here: only a form that sets a password pays for reading the list, once.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    """Whether an attacker would try this password among the first, whatever its case."""
    return password.lower() in common_passwords()


class NewPassword:
    """A password someone chooses: 10 to 200 characters, and not one of the most common."""

    field_flags = {"minlength": MIN_LENGTH, "maxlength": MAX_LENGTH}

    def __call__(self, form, field) -> None:
        password = field.data or ""
        if len(password) < MIN_LENGTH:
            raise ValidationError(_l("At least 10 characters."))
        if len(password) > MAX_LENGTH:
            raise ValidationError(_l("At most 200 characters."))
        if is_common(password):
            raise ValidationError(
                _l(
                    "This password is one of the most common ones, the first an attacker tries. "
                    "Pick another: a few words together work well."
                )
            )
