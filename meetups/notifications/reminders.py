""" "Still coming?": the page a reminder links to, with its two buttons. It works without
signing in (the signed link names the person); a GET changes nothing, as mail scanners
follow links."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import AnyOf

from meetups.accounts.models import User
from meetups.extensions import db, limiter
from meetups.forms import SiteForm
from meetups.gatherings import seating, services, signals
from meetups.gatherings.models import Gathering, Response, Rsvp
from meetups.gatherings.queries import shown_or_410
from meetups.gatherings.views import RSVP_LIMIT
from meetups.notifications import tokens

bp = Blueprint("reminders", __name__)

COMING, CANNOT = "coming", "cannot"


class AnswerForm(SiteForm):
    """One of the two buttons: still coming, or cannot come."""

    class Meta:
        csrf = False  # CSRFProtect checked the token of the POST before the view ran

    answer = StringField(
        _l("Your answer"),
        validators=[AnyOf((COMING, CANNOT), message=_l("Answer “coming” or “cannot”."))],
    )


@bp.route("/r/<token>", methods=["GET", "POST"])
@limiter.limit(RSVP_LIMIT, methods=["POST"])
def answer(token: str):
    gathering_id, user_id = tokens.reminder_target(token) or abort(404)
    form = AnswerForm()
    if form.is_submitted():
        if not form.validate():
            abort(400, description=" ".join(map(str, form.answer.errors)))
        # Locked before anything is read: a freed seat goes to the next person in line.
        gathering = services.lock(gathering_id) if form.answer.data == CANNOT else None
        gathering = shown_or_410(gathering or db.session.get(Gathering, gathering_id))
        _answer(form.answer.data, gathering, _person(user_id))
        return redirect(url_for(".answer", token=token), 303)
    gathering = shown_or_410(db.session.get(Gathering, gathering_id))
    rsvp = _rsvp(gathering, _person(user_id))
    return render_template(
        "reminders/answer.html",
        gathering=gathering,
        rsvp=rsvp,
        can_answer=_holds_seat(gathering, rsvp),
    )


def _answer(answer: str, gathering: Gathering, user: User) -> None:
    """Thank someone still coming; free the seat of someone who cannot come (under the lock)."""
    if not _holds_seat(gathering, _rsvp(gathering, user)):
        db.session.rollback()
        return  # the page says where things stand now
    if answer == COMING:
        flash(_("Thank you! See you there."), "success")
        return
    outcome = services.respond(gathering, user, Response.NO)
    signals.report(signals.answered, gathering=gathering, user=user, outcome=outcome)
    db.session.commit()
    flash(_("Noted: you are not coming. Your seat is free for someone else."), "success")


def _person(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


def _rsvp(gathering: Gathering, user: User) -> Rsvp | None:
    return db.session.scalar(db.select(Rsvp).filter_by(gathering_id=gathering.id, user_id=user.id))


def _holds_seat(gathering: Gathering, rsvp: Rsvp | None) -> bool:
    """The answer holds a seat of a gathering still to come (the organiser's is not theirs to free)."""
    if rsvp is None:
        return False
    is_organiser = gathering.organiser_id == rsvp.user_id
    closed = seating.refusal(gathering.is_cancelled, gathering.is_past(), is_organiser)
    return closed is None and seating.holds_seat(rsvp.response, rsvp.is_waitlisted)


@bp.after_request
def _private(response):
    # A personal page reached by a secret link: not for shared or back-button caches.
    response.headers.setdefault("Cache-Control", "no-store")
    return response
