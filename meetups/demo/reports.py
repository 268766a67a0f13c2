"""The demo's moderation: an admin, two open reports and one already dismissed, so that
/admin/reports shows what it is for."""

from datetime import timedelta

from meetups.accounts import services as accounts
from meetups.accounts.models import User
from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings.models import Gathering
from meetups.moderation.models import Action, AuditLine, Report

ADMIN = ("moderation@example.org", "Margaux (modération)")
# (reporter's e-mail, gathering title or a person's e-mail, reason, hours ago, dismissed)
REPORTS = [
    (
        "sarah@example.org",
        "Tarifs 2027 : on en parle",
        "Doublon de la rencontre du mois dernier ?",
        30,
        True,
    ),
    (
        "hugo@example.org",
        "Freelances tech du Nord",
        "Le lien de la description mène vers une formation payante : de la publicité ?",
        5,
        False,
    ),
    (
        "lea@example.org",
        "Freelances tech du Nord",
        "Annonce commerciale plus que rencontre, à vérifier.",
        2,
        False,
    ),
    (
        "yanis@example.org",
        "malik@example.org",
        "Message insistant après la dernière rencontre.",
        1,
        False,
    ),
]


def load(password: str) -> User:
    """Add the admin (no trade, no city: listed nowhere) and the reports; the admin."""
    admin = accounts.register(ADMIN[0], password, ADMIN[1], "", None)
    admin.is_admin = True
    db.session.flush()
    now = utcnow()
    for reporter, about, reason, hours, dismissed in REPORTS:
        report = Report(reporter=_by_email(reporter), reason=reason)
        if "@" in about:
            report.person = _by_email(about)
        else:
            report.gathering = db.session.scalar(db.select(Gathering).filter_by(title=about))
        report.created_at = now - timedelta(hours=hours)
        if dismissed:
            report.resolved_at, report.outcome = now - timedelta(hours=hours - 1), Action.DISMISS
            db.session.add(
                AuditLine(
                    actor=admin,
                    action=Action.DISMISS,
                    gathering=report.gathering,
                    reports_closed=1,
                    created_at=report.resolved_at,
                )
            )
        db.session.add(report)
    db.session.flush()
    return admin


def _by_email(email: str) -> User:
    return db.session.scalar(db.select(User).filter_by(email=email))
