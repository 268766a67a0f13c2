"""Sign-up and sign-in forms."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, RadioField, SelectChoice, StringField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from meetups.accounts import passwords, services
from meetups.accounts.models import Visibility
from meetups.forms import SiteForm, strip
from meetups.places.forms import CityField

TAKEN = _l("An account already uses this e-mail address. Sign in instead?")


class RegisterForm(SiteForm):
    email = EmailField(
        _l("E-mail"),
        filters=[strip],
        validators=[
            InputRequired(_l("Enter your e-mail address.")),
            Email(
                _l("Enter a valid e-mail address, like name@example.org."),
                check_deliverability=False,
            ),
            Length(max=254, message=_l("At most 254 characters.")),
        ],
    )
    display_name = StringField(
        _l("Display name"),
        filters=[strip],
        validators=[
            InputRequired(_l("Enter the name people will see.")),
            Length(min=2, max=80, message=_l("Between 2 and 80 characters.")),
        ],
        description=_l("Shown to other members, e.g. “Camille D.”"),
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Choose a password.")), passwords.NewPassword()],
        description=passwords.DESCRIPTION,
    )
    trade = StringField(
        _l("Trade"),
        filters=[strip],
        validators=[Optional(), Length(max=80, message=_l("At most 80 characters."))],
        description=_l("What you do, e.g. web writer, proofreader, SEO consultant."),
    )
    city = CityField(
        _l("Home city"),
        filters=[strip],
        validators=[Optional(), Length(max=200, message=_l("At most 200 characters."))],
        description=_l("Where you meet people, e.g. Lyon."),
    )

    def validate_email(self, field) -> None:
        # Said with the other errors, not in a second round once they are fixed; the
        # database's unique index still decides between two sign-ups at once.
        if not field.errors and services.email_in_use(field.data):
            raise ValidationError(TAKEN)


class LoginForm(SiteForm):
    email = EmailField(
        _l("E-mail"),
        filters=[strip],
        validators=[
            InputRequired(_l("Enter your e-mail address.")),
            Length(max=254, message=_l("At most 254 characters.")),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(_l("Enter your password.")),
            Length(max=200, message=_l("At most 200 characters.")),
        ],
    )


class ProfileForm(SiteForm):
    display_name = RegisterForm.display_name
    trade = RegisterForm.trade
    city = RegisterForm.city
    visibility = RadioField(
        _l("Who sees my profile and my name"),
        choices=[
            SelectChoice(Visibility.PUBLIC, _l("Anyone")),
            SelectChoice(Visibility.MEMBERS, _l("Signed-in members")),
            SelectChoice(Visibility.HIDDEN, _l("Nobody: keep my name off attendee lists")),
        ],
        default=Visibility.MEMBERS,
        description=_l(
            "Hidden, others see you only in the counts and the trade mix. "
            "Organisers still see who is coming."
        ),
    )
