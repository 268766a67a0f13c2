"""Reporting a gathering or a profile, and the admins' page of open reports and actions."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from meetups.accounts.models import User
from meetups.extensions import db, limiter
from meetups.gatherings.models import Gathering
from meetups.gatherings.queries import shown_or_410
from meetups.moderation import queries, services, signals
from meetups.moderation.forms import ReportForm
from meetups.moderation.models import Action, Report

bp = Blueprint("moderation", __name__)

# Reports per address: a few in a sitting; a flood is itself abuse.
REPORT_LIMIT = "5 per minute; 30 per hour"


@bp.route("/events/<id:gathering_id>/report", methods=["GET", "POST"])
@limiter.limit(REPORT_LIMIT, methods=["POST"])
@login_required
def report_gathering(gathering_id: int):
    gathering = shown_or_410(db.session.get(Gathering, gathering_id))
    back = url_for("gatherings.show", gathering_id=gathering.id)
    return _report(services.Target(gathering=gathering), back)


@bp.route("/people/<id:person_id>/report", methods=["GET", "POST"])
@limiter.limit(REPORT_LIMIT, methods=["POST"])
@login_required
def report_person(person_id: int):
    person = db.session.get(User, person_id)
    if person is None or not person.profile_visible_to(current_user) or person.is_suspended:
        abort(404)
    back = url_for("people.show", person_id=person.id)
    return _report(services.Target(person=person), back)


def _report(target: services.Target, back: str):
    """The report form for this target: shown, or saved and the moderators told."""
    form = ReportForm()
    try:
        if form.validate_on_submit():
            report = services.report(current_user, target, form.reason.data)
            signals.report(signals.reported, report=report)
            db.session.commit()
            flash(_("Thank you: moderators will look at it."), "success")
            return redirect(back, 303)
        services.check_not_own(current_user, target)
    except services.Refused as refusal:
        db.session.rollback()
        abort(403, description=str(refusal))
    page = render_template("moderation/report.html", form=form, target=target, back=back)
    return page, {"Cache-Control": "private"}


@bp.get("/admin/reports")
@login_required
def reports():
    _admins_only()
    page = render_template(
        "moderation/reports.html",
        cases=queries.open_cases(),
        log=queries.audit_log(),
    )
    return page, {"Cache-Control": "private, no-store"}


@bp.post("/admin/reports/<id:report_id>/<action>")
@login_required
def act(report_id: int, action: str):
    _admins_only()
    if action not in Action.ALL:
        abort(404)
    report = db.get_or_404(Report, report_id)  # CSRFProtect checked the form's token
    try:
        done = services.act(report, action, current_user)
    except services.AlreadyHandled:
        db.session.rollback()
        flash(_("This report was already handled."), "info")
    except services.Refused as refusal:
        db.session.rollback()
        abort(400, description=str(refusal))
    else:
        if done.hidden:  # the people who answered hear of it, in the same commit
            signals.report(signals.removed, gatherings=done.hidden, by=current_user)
        db.session.commit()
        flash(_done_message(done), "success")
    return redirect(url_for(".reports"), 303)


def _admins_only() -> None:
    if not current_user.is_admin:
        abort(403)


def _done_message(done: services.Done) -> str:
    if done.action == Action.HIDE:
        return _("Hidden: it has left every list and feed. Reports closed: %(n)d.", n=done.closed)
    if done.action == Action.SUSPEND:
        return _(
            "%(name)s is suspended: signed out everywhere, their gatherings hidden. "
            "Reports closed: %(n)d.",
            name=done.suspended.display_name,
            n=done.closed,
        )
    return _("Dismissed. Reports closed: %(n)d.", n=done.closed)
