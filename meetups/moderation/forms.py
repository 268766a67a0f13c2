"""The report form (the admins' buttons carry a CSRF token and nothing else)."""

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from meetups.forms import SiteForm, strip
from meetups.moderation.models import MAX_REASON

MIN_REASON = 3


class ReportForm(SiteForm):
    """Why a gathering or a profile should be looked at by the moderators."""

    reason = TextAreaField(
        _l("Reason"),
        filters=[strip],
        validators=[
            DataRequired(_l("Say what is wrong, in a few words.")),
            Length(
                min=MIN_REASON,
                max=MAX_REASON,
                message=_l(
                    "Between %(min)d and %(max)d characters.", min=MIN_REASON, max=MAX_REASON
                ),
            ),
        ],
        description=_l(
            "E.g. “Spam: an ad for a paid course, not a gathering.” Only moderators read it."
        ),
    )
