"""Forms of packs: creating or editing one, and asking to join it."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, ValidationError

from meetups.forms import SiteForm, strip
from meetups.packs.models import (
    MAX_ANSWER,
    MAX_DESCRIPTION,
    MAX_NAME,
    MAX_QUESTION,
    MIN_NAME,
    JoinPolicy,
)
from meetups.packs.services import PackData
from meetups.places import gazetteer
from meetups.places.forms import CityField


class PackForm(SiteForm):
    """Creating a pack, or editing one (its slug never changes)."""

    name = StringField(
        _l("Name"),
        filters=[strip],
        validators=[
            DataRequired(_l("Give the pack a name.")),
            Length(
                min=MIN_NAME,
                max=MAX_NAME,
                message=_l("Between %(min)d and %(max)d characters.", min=MIN_NAME, max=MAX_NAME),
            ),
        ],
        description=_l("E.g. “Web writers of Lyon”."),
    )
    city = CityField(
        _l("City"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter the city.")),
            Length(max=200, message=_l("At most 200 characters.")),
        ],
        description=_l("Where the pack meets, e.g. Lyon."),
    )
    description = TextAreaField(
        _l("Description"),
        filters=[strip],
        validators=[Length(max=MAX_DESCRIPTION, message=_l("At most 5,000 characters."))],
        description=_l("Who it is for, what you do together. Line breaks and links are kept."),
    )
    join_policy = RadioField(
        _l("Who may join"),
        choices=[
            SelectChoice(JoinPolicy.OPEN, _l("Anyone signed in, at once")),
            SelectChoice(JoinPolicy.APPROVAL, _l("Those an organiser approves")),
        ],
        default=JoinPolicy.OPEN,
        # Our own sentence for a value not offered, rather than WTForms' "Not a valid choice".
        validate_choice=False,
        validators=[
            InputRequired(_l("Choose who may join.")),
            AnyOf(JoinPolicy.ALL, message=_l("Choose who may join.")),
        ],
    )
    join_question = StringField(
        _l("Question to people who ask to join (optional)"),
        filters=[strip],
        validators=[Optional(), Length(max=MAX_QUESTION, message=_l("At most 200 characters."))],
        description=_l("E.g. “What do you write, and for whom?”"),
    )

    @classmethod
    def for_pack(cls, pack, **kwargs) -> "PackForm":
        """A form filled with a pack's current values."""
        data = {
            "name": pack.name,
            "city": pack.city.name,
            "description": pack.description,
            "join_policy": pack.join_policy,
            "join_question": pack.join_question or "",
        }
        form = cls(data=data, **kwargs)
        form.city.current = gazetteer.by_geonameid(pack.city.geonameid)
        return form

    def pack_data(self) -> PackData:
        """The validated data as the services take it."""
        return PackData(
            name=self.name.data,
            place=self.city.place,
            description=self.description.data or "",
            join_policy=self.join_policy.data,
            join_question=self.join_question.data or None,
        )


class JoinForm(SiteForm):
    """Asking to join a pack: an answer, required when the pack asks a question."""

    answer = TextAreaField(
        _l("Your answer"),
        filters=[strip],
        validators=[Length(max=MAX_ANSWER, message=_l("At most 1,000 characters."))],
    )

    question: str | None = None  # the pack's, set by the view

    def validate_answer(self, field) -> None:
        if self.question and not field.data:
            raise ValidationError(_l("Answer the question to ask to join."))
