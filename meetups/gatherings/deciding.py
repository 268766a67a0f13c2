"""`tick`'s quorum decisions: at decide_at, a tentative gathering is confirmed if enough
people are going, else called off; everyone who answered is told (signals)."""

from datetime import datetime
from typing import NamedTuple

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from meetups.extensions import db
from meetups.gatherings import quorum, services, signals
from meetups.gatherings.models import Gathering, Status


class Decided(NamedTuple):
    """What one run decided: how many gatherings were confirmed, and how many called off."""

    confirmed: int = 0
    called_off: int = 0


def decide(now: datetime) -> Decided:
    """Confirm or call off each tentative gathering whose decide_at has come (tick's step)."""
    services.write_lock()  # SQLite: the database's write lock first, as every RSVP takes it
    due = (
        db.select(Gathering.id)
        .where(Gathering.status == Status.TENTATIVE, Gathering.decide_at <= now)
        .order_by(Gathering.id)  # PostgreSQL: rows locked in one order, as any other tick does
    )
    confirmed = called_off = 0
    for gathering_id in db.session.scalars(due).all():
        outcome = _decide_one(gathering_id)
        confirmed, called_off = confirmed + (outcome is True), called_off + (outcome is False)
    return Decided(confirmed, called_off)


def _decide_one(gathering_id: int) -> bool | None:
    """Under its lock, counted again: True confirmed, False called off, None decided meanwhile."""
    gathering = services.locked(gathering_id)
    if gathering is None or not gathering.is_tentative:  # an answer or an edit came first
        return None
    going = services.seats_taken(gathering)
    if quorum.is_reached(gathering.min_going, going):
        services.confirm(gathering)
        signals.report(signals.confirmed, gathering=gathering)
        return True
    services.cancel(gathering, _shortfall(gathering, going))
    signals.report(signals.cancelled, gathering=gathering, by=None)
    return False


def _shortfall(gathering: Gathering, going: int) -> str:
    """Why it was called off, in its organiser's language (the page and the mails quote it)."""
    organiser = gathering.organiser  # None once they deleted their account
    language = (organiser.language if organiser else None) or current_app.config[
        "BABEL_DEFAULT_LOCALE"
    ]
    with force_locale(language):
        return _(
            "Not enough people: %(going)d of the %(needed)d needed.",
            going=going,
            needed=gathering.min_going,
        )


def describe(decided: Decided) -> str:
    """tick's line for this step."""
    total = decided.confirmed + decided.called_off
    return (
        f"Decided {total} quorum gathering(s): {decided.confirmed} confirmed,"
        f" {decided.called_off} called off."
    )
