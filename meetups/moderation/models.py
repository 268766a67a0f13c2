"""Reports people make, and the audit line of each moderator's action."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetups.accounts.models import User
from meetups.dates import UTCDateTime, utcnow
from meetups.extensions import db
from meetups.gatherings.models import Gathering

MAX_REASON = 1000
OPEN = "resolved_at IS NULL"


class Action:
    """What an admin does with a report: HIDE a gathering, SUSPEND an account, or DISMISS."""

    HIDE = "hide"
    SUSPEND = "suspend"
    DISMISS = "dismiss"
    ALL = (HIDE, SUSPEND, DISMISS)


class Report(db.Model):
    """One person's report of a gathering or of a profile, open until an admin acts on it."""

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint("(gathering_id IS NULL) <> (person_id IS NULL)", name="one_target"),
        CheckConstraint("outcome IN ('hide', 'suspend', 'dismiss')", name="outcome_known"),
        # One open report per person and target: reporting again changes the reason.
        Index(
            "uq_reports_reporter_id_gathering_id_open",
            "reporter_id",
            "gathering_id",
            unique=True,
            sqlite_where=text(OPEN),
            postgresql_where=text(OPEN),
        ),
        Index(
            "uq_reports_reporter_id_person_id_open",
            "reporter_id",
            "person_id",
            unique=True,
            sqlite_where=text(OPEN),
            postgresql_where=text(OPEN),
        ),
        # The admins' queue: open reports, oldest first.
        Index(
            "ix_reports_open", "created_at", sqlite_where=text(OPEN), postgresql_where=text(OPEN)
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None once the reporter deleted their account: the report stands, nobody's.
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    gathering_id: Mapped[int | None] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), index=True
    )
    # A reported profile; its reports go with the account.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(16))

    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    person: Mapped[User | None] = relationship(foreign_keys=[person_id])
    gathering: Mapped[Gathering | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def __repr__(self) -> str:
        target = (
            f"gathering {self.gathering_id}" if self.gathering_id else f"person {self.person_id}"
        )
        return f"<Report {self.id} on {target}>"


class AuditLine(db.Model):
    """Who did what, when: one line per moderator action, kept when the reports are gone.
    Ids only, no names: a deleted account leaves no trace here but a NULL."""

    __tablename__ = "moderation_log"
    __table_args__ = (
        CheckConstraint("action IN ('hide', 'suspend', 'dismiss')", name="action_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(16))
    gathering_id: Mapped[int | None] = mapped_column(
        ForeignKey("gatherings.id", ondelete="SET NULL")
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reports_closed: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    person: Mapped[User | None] = relationship(foreign_keys=[person_id])
    gathering: Mapped[Gathering | None] = relationship()

    def __repr__(self) -> str:
        return f"<AuditLine {self.id} {self.action} by {self.actor_id}>"
