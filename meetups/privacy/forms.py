"""The account deletion form: the password, asked again."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField
from wtforms.validators import InputRequired, Length, ValidationError

from meetups.forms import SiteForm


class DeleteAccountForm(SiteForm):
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(_l("Enter your password.")),
            Length(max=200, message=_l("At most 200 characters.")),
        ],
        description=_l("Your password, to be sure it is you."),
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_password(self, field) -> None:
        if not self.user.check_password(field.data):
            raise ValidationError(_l("This is not your password. Nothing was deleted."))
