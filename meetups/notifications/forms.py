"""The e-mail choices form of /me/notifications."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectChoice

from meetups.forms import SiteForm
from meetups.notifications import preferences
from meetups.notifications.models import Rhythm


def _rhythms() -> list[SelectChoice]:
    return [
        SelectChoice(Rhythm.OFF, _l("Never")),
        SelectChoice(Rhythm.INSTANT, _l("Each one at once")),
        SelectChoice(Rhythm.WEEKLY, _l("A weekly digest")),
    ]


class SettingsForm(SiteForm):
    reminders = BooleanField(
        _l("Remind me the day before a gathering I am going to"),
        description=_l("One click in it frees your seat if you cannot come."),
    )
    pack_news = RadioField(_l("New gatherings in my packs"), choices=_rhythms())
    city_news = RadioField(
        _l("New gatherings in my city"),
        choices=_rhythms(),
        description=_l("Your city is the one on your profile."),
    )
    join_requests = BooleanField(
        _l("Requests to join the packs I organise"),
        description=_l("Who asks and a link to answer them; never their e-mail address."),
    )

    def choices(self) -> dict:
        """What the person chose, as preferences.save takes it."""
        return {name: self[name].data for name in preferences.CHOICES}
