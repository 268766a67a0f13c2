"""What the admins' page reads: open reports grouped by what they are about, and the audit log."""

from dataclasses import dataclass, field

from sqlalchemy.orm import joinedload

from meetups.accounts.models import User
from meetups.extensions import db
from meetups.gatherings.models import Gathering
from meetups.moderation.models import AuditLine, Report

OPEN_SHOWN = 500  # reports on the page at most: the oldest first, the rest after these are handled
AUDIT_SHOWN = 50


@dataclass
class Case:
    """The open reports on one gathering or one profile, oldest first."""

    gathering: Gathering | None
    person: User | None
    reports: list[Report] = field(default_factory=list)

    @property
    def first(self) -> Report:
        return self.reports[0]


def open_cases(limit: int = OPEN_SHOWN) -> list[Case]:
    """Open reports grouped by target, the target reported longest ago first."""
    query = (
        db.select(Report)
        .where(Report.resolved_at.is_(None))
        .order_by(Report.created_at, Report.id)
        .limit(limit)
        .options(
            joinedload(Report.reporter),
            joinedload(Report.person),
            joinedload(Report.gathering).joinedload(Gathering.city),
            joinedload(Report.gathering).joinedload(Gathering.organiser),
        )
    )
    cases: dict[tuple, Case] = {}
    for report in db.session.scalars(query):
        key = (report.gathering_id, report.person_id)
        cases.setdefault(key, Case(report.gathering, report.person)).reports.append(report)
    return list(cases.values())


def audit_log(limit: int = AUDIT_SHOWN) -> list[AuditLine]:
    """The latest moderator actions, newest first."""
    query = (
        db.select(AuditLine)
        .order_by(AuditLine.created_at.desc(), AuditLine.id.desc())
        .limit(limit)
        .options(
            joinedload(AuditLine.actor),
            joinedload(AuditLine.gathering),
            joinedload(AuditLine.person),
        )
    )
    return list(db.session.scalars(query))
