"""The outbox (every e-mail, queued in the transaction of the change it reports) and what
each person chose to receive."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetups.accounts.models import User
from meetups.dates import UTCDateTime, utcnow
from meetups.extensions import db
from meetups.gatherings.models import Gathering


class Kind:
    """What an e-mail reports; the first ones always go out, the OPTIONAL ones as people chose."""

    SEAT = "seat"  # an answer "going" took a seat
    PROMOTED = "promoted"  # a freed seat went to someone waiting
    WAITLISTED = "waitlisted"
    CHANGED = "changed"  # time, venue, title or status
    CANCELLED = "cancelled"
    RESET = "reset"
    REMINDER = "reminder"  # "still coming?"
    NEW_GATHERING = "new_gathering"
    DIGEST = "digest"
    JOIN_REQUEST = "join_request"
    HANDED_OVER = "handed_over"  # a pack gathering whose organiser left Meute is yours now
    REPORT = "report"  # to admins: someone reported a gathering or a profile
    REMOVED = "removed"  # a gathering one answered was hidden by moderators
    WITH_ICS = (SEAT, PROMOTED, CHANGED, CANCELLED, REMOVED)


class Mail(db.Model):
    """One e-mail to one person, sent by `send-mail`; rendered when it is sent, from its kind,
    its gathering and its data, in the recipient's language."""

    __tablename__ = "outbox"
    __table_args__ = (
        # What send-mail looks for: the mails still to send, soonest due first.
        Index(
            "ix_outbox_due_at_waiting",
            "due_at",
            postgresql_where=text("sent_at IS NULL AND failed_at IS NULL"),
            sqlite_where=text("sent_at IS NULL AND failed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The same notice queued twice (a retried request, tick run twice) is one row.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    # The address is read when the mail leaves: none is copied here, and a deleted account's
    # mails go with it.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    gathering_id: Mapped[int | None] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), index=True
    )
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    language: Mapped[str | None] = mapped_column(String(8))  # None: the person's, else French
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A sender holds the mail until then; one that died leaves it to the next after that.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # given up: refused for good

    user: Mapped[User] = relationship()
    gathering: Mapped[Gathering | None] = relationship()

    def __repr__(self) -> str:
        return f"<Mail {self.id} {self.key}>"


class Rhythm:
    """How someone hears of new gatherings: not at all, one mail each, or a weekly digest."""

    OFF = "off"
    INSTANT = "instant"
    WEEKLY = "weekly"
    ALL = (OFF, INSTANT, WEEKLY)


class Settings(db.Model):
    """What one person wants to receive beyond the mails that always go out; no row: defaults."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    PACK_NEWS, CITY_NEWS = Rhythm.INSTANT, Rhythm.OFF  # without a row, or a choice

    reminders: Mapped[bool] = mapped_column(default=True, server_default=true())
    pack_news: Mapped[str] = mapped_column(String(8), default=PACK_NEWS, server_default=PACK_NEWS)
    city_news: Mapped[str] = mapped_column(String(8), default=CITY_NEWS, server_default=CITY_NEWS)
    join_requests: Mapped[bool] = mapped_column(default=True, server_default=true())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # The topics a List-Unsubscribe link turns off, by the kind of mail that carried it.
    TOPIC_OF = {
        Kind.REMINDER: "reminders",
        Kind.NEW_GATHERING: "news",
        Kind.DIGEST: "news",
        Kind.JOIN_REQUEST: "join_requests",
    }

    @classmethod
    def defaults(cls, user_id: int) -> "Settings":
        return cls(
            user_id=user_id,
            reminders=True,
            pack_news=cls.PACK_NEWS,
            city_news=cls.CITY_NEWS,
            join_requests=True,
        )
