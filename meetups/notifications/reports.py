"""Admins told of each new report by e-mail: what was reported, why, and where to act."""

from flask import Flask
from sqlalchemy import select

from meetups.accounts.models import User
from meetups.extensions import db
from meetups.moderation.models import Report
from meetups.notifications import mail
from meetups.notifications.models import Kind
from meetups.urls import absolute_url


def reported(_app, report: Report) -> None:
    """One mail per report to every admin who is not suspended, the reporter excepted (a
    changed reason is the same report: no second mail)."""
    from meetups.notifications.services import queue

    admins = select(User.id).where(
        User.is_admin.is_(True),
        User.suspended_at.is_(None),
        User.id != (report.reporter_id or -1),
    )
    key = f"{Kind.REPORT}:{report.id}:{{user}}"
    queue(
        Kind.REPORT, db.session.scalars(admins.order_by(User.id)), key, data={"report": report.id}
    )


def context(outbox) -> dict:
    """What a report mail shows: the target's title or name and link, the reason, the queue."""
    report = db.session.get(Report, (outbox.data or {}).get("report") or 0)
    if report is None or not report.is_open:
        raise mail.Gone(outbox.key)  # handled (or gone) before the mail left: nothing to do
    if report.gathering is not None:
        what = report.gathering.title
        url = absolute_url("gatherings.show", gathering_id=report.gathering.id)
    else:
        what = report.person.display_name
        url = absolute_url("people.show", person_id=report.person.id)
    reporter = report.reporter.display_name if report.reporter else None
    return {
        "what": what,
        "target_url": url,
        "is_gathering": report.gathering is not None,
        "reason": report.reason,
        "reporter": reporter,
        "reports_url": absolute_url("moderation.reports"),
    }


def init_app(_app: Flask) -> None:
    """Let the mail renderer write report mails."""
    mail.register_extra(Kind.REPORT, context)
