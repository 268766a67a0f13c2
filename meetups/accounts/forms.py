"""Sign-up, sign-in, password reset and profile forms."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from meetups.accounts import links, passwords, services
from meetups.accounts.models import MAX_LINKS, MAX_PROFILE_TEXT, Visibility
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


class ResetForm(SiteForm):
    email = LoginForm.email


class NewPasswordForm(SiteForm):
    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(_l("Choose a password.")), passwords.NewPassword()],
        description=passwords.DESCRIPTION,
    )


class LinksField(Field):
    """Up to MAX_LINKS web addresses, each posted as its own `links` value (blanks ignored)."""

    def process_data(self, value) -> None:
        self.data = list(value or [])
        self.typed = list(self.data)

    def process_formdata(self, valuelist) -> None:
        if not valuelist:  # not posted at all (a script's form): the saved links stay
            return
        self.typed = [value.strip() for value in valuelist]
        self.data = [value for value in self.typed if value]

    def shown(self) -> list[str]:
        """What the inputs show: what was typed (or saved), padded to MAX_LINKS inputs."""
        typed = [value for value in self.typed if value]
        return typed + [""] * (MAX_LINKS - len(typed))


class LanguageField(SelectField):
    """The page language: '' (the browser's) stands for None, stored or not posted."""

    def process_data(self, value) -> None:
        super().process_data(value or "")


PROFILE_TEXT_LENGTH = Length(max=MAX_PROFILE_TEXT, message=_l("At most 280 characters."))
WRONG_PASSWORD = _l("This is not your current password.")


class ProfileForm(SiteForm):
    display_name = RegisterForm.display_name
    trade = RegisterForm.trade
    city = RegisterForm.city
    offers = TextAreaField(
        _l("I offer"),
        filters=[strip],
        validators=[Optional(), PROFILE_TEXT_LENGTH],
        description=_l("A line or two, e.g. “Proofreading of long texts, in French and English.”"),
    )
    looking_for = TextAreaField(
        _l("I’m looking for"),
        filters=[strip],
        validators=[Optional(), PROFILE_TEXT_LENGTH],
        description=_l("E.g. “A web designer to work with on small business sites.”"),
    )
    links = LinksField(
        _l("Links"),
        description=_l("Up to 3 addresses: your portfolio, Malt, LinkedIn…"),
    )
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
    suggestions = BooleanField(
        _l("Suggest people to meet"),
        description=_l(
            "At a gathering, people going whose trade completes yours and who also said yes "
            "will see your name and trade, and you theirs."
        ),
    )
    language = LanguageField(
        _l("Language of the site"),
        choices=[
            SelectChoice("", _l("As my browser says")),
            SelectChoice("fr", "Français"),
            SelectChoice("en", "English"),
        ],
    )
    current_password = PasswordField(
        _l("Current password"),
        validators=[Length(max=passwords.MAX_LENGTH, message=_l("At most 200 characters."))],
        description=_l("Only to change your password; leave both empty otherwise."),
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[Optional(), passwords.NewPassword()],
        description=passwords.DESCRIPTION,
    )

    def __init__(self, user, **kwargs):
        super().__init__(obj=user, suggestions=user.wants_suggestions, **kwargs)
        self.user = user

    def validate_links(self, field) -> None:
        if len(field.data) > MAX_LINKS:
            raise ValidationError(_l("At most 3 links: keep the ones that say most about you."))
        for url in field.data:
            if (refused := links.problem(url)) is not None:
                raise ValidationError(refused)

    def validate_suggestions(self, field) -> None:
        if field.data and self.visibility.data == Visibility.HIDDEN:
            raise ValidationError(
                _l("With a hidden profile nobody can see your name, so you cannot be suggested.")
            )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return self._password_change_valid() and valid

    def _password_change_valid(self) -> bool:
        """Both password fields empty (no change), or the current one right and a new one."""
        current, new = self.current_password, self.new_password
        if not current.data and not new.data:
            return True
        if not new.data:
            new.errors.append(_l("Choose a new password, or empty the current one."))
        elif not current.data:
            current.errors.append(_l("Enter your current password to choose a new one."))
        elif not (current.errors or new.errors) and not self.user.check_password(current.data):
            current.errors.append(WRONG_PASSWORD)
        return not (current.errors or new.errors)
