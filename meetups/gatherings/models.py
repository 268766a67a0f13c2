"""Gatherings, their tags and the RSVPs people give them."""

import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetups.accounts.models import User
from meetups.dates import UTCDateTime, utcnow
from meetups.extensions import db
from meetups.places.models import City, Venue


class Status:
    SCHEDULED = "scheduled"
    TENTATIVE = "tentative"  # waiting for its quorum (min_going), decided at decide_at
    CANCELLED = "cancelled"
    # Removed by moderators (reported and hidden, or its organiser suspended): out of every
    # list, feed and API answer; its page says so. No way back but the database.
    HIDDEN = "hidden"
    LIVE = (SCHEDULED, TENTATIVE)  # listed, counted and answered: not cancelled
    SHOWN = (SCHEDULED, TENTATIVE, CANCELLED)  # in lists and feeds: all but the hidden


class Response:
    GOING = "going"
    MAYBE = "maybe"
    NO = "no"
    ALL = (GOING, MAYBE, NO)


# The longest a gathering lasts: forms say so, the database holds to it, and listings rely on it
# (a gathering not over has started less than this long ago, so they skip what started before).
MAX_DURATION = timedelta(days=7)
# A gathering starts within the next five years: plans beyond are not plans, and far dates
# (9999-12-31) overflow the conversions to UTC.
YEARS_AHEAD = 5
MAX_AHEAD = timedelta(days=365 * YEARS_AHEAD + 1)
LASTS_AT_MOST = {  # MAX_DURATION in each engine's terms; SQLite's to the millisecond
    "postgresql": "ends_at <= starts_at + interval '7 days'",
    "sqlite": "julianday(ends_at) <= julianday(starts_at, '+7 days')",
}
# How long the gathering's page tells someone that a freed seat went to them.
PROMOTION_NEWS = timedelta(days=7)


def new_uid() -> str:
    return f"{uuid.uuid4()}@meute"


gathering_tags = Table(
    "gathering_tags",
    db.Model.metadata,
    Column("gathering_id", ForeignKey("gatherings.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


MAX_TAG_LENGTH = 40


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_TAG_LENGTH), unique=True)

    @staticmethod
    def normalise(text: str) -> str:
        """A tag as it is stored and looked up: lower case, single spaces (" SEO  Tech" -> "seo tech")."""
        return " ".join(text.split()).lower()

    def __repr__(self) -> str:
        return f"<Tag {self.name}>"


class Series(db.Model):
    """A recurring gathering: its rule (gatherings.series.Rule) and the template of its occurrences."""

    __tablename__ = "series"
    __table_args__ = (
        CheckConstraint(
            "frequency IN ('weekly', 'biweekly', 'monthly', 'monthly_last')",
            name="frequency_known",
        ),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    frequency: Mapped[str] = mapped_column(String(16))
    start_time: Mapped[time]  # local wall-clock time in `zone`
    duration_minutes: Mapped[int]
    zone: Mapped[str] = mapped_column(String(64))
    first_day: Mapped[date]  # local date of the first occurrence
    until: Mapped[date | None]
    # None once its organiser deleted their account (nothing more is made of it then).
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(140))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"))
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"))
    capacity: Mapped[int | None]
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    pack_id: Mapped[int | None] = mapped_column(ForeignKey("packs.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when its organiser cancelled "this one and the following": nothing more is made.
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    city: Mapped[City] = relationship()

    def __repr__(self) -> str:
        return f"<Series {self.id} {self.frequency} {self.title!r}>"


class Gathering(db.Model):
    """An in-person meeting someone proposes, at a venue, between two UTC instants."""

    __tablename__ = "gatherings"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
        CheckConstraint(
            "status IN ('scheduled', 'tentative', 'cancelled', 'hidden')", name="status_known"
        ),
        CheckConstraint("min_going IS NULL OR min_going >= 2", name="min_going_at_least_2"),
        *(
            CheckConstraint(rule, name="lasts_at_most_7_days").ddl_if(dialect=dialect)
            for dialect, rule in LASTS_AT_MOST.items()
        ),
        # A city's listing in order; and a city feed's freshness from the index alone.
        Index(
            "ix_gatherings_city_id_starts_at_id",
            "city_id",
            "starts_at",
            "id",
            "ends_at",
            "status",
            "sequence",
            "updated_at",
        ),
        # A pack's listing and its feed's freshness, as for a city.
        Index(
            "ix_gatherings_pack_id_starts_at_id",
            "pack_id",
            "starts_at",
            "id",
            "ends_at",
            "status",
            "sequence",
            "updated_at",
        ),
        # Every city's listing in order (home page), skipping what is over within the index.
        Index("ix_gatherings_starts_at_id", "starts_at", "id", "ends_at"),
        # Counting each city's upcoming gatherings (home page, /cities) from the index alone.
        Index("ix_gatherings_city_id_status_ends_at", "city_id", "status", "ends_at"),
        # A proposal form sent twice (a double click, a retried request) makes one gathering.
        # Per organiser: someone else's key never leads to this gathering. A unique index rather
        # than a constraint, so that SQLite adds it without rebuilding the table.
        Index(
            "uq_gatherings_organiser_id_idempotency_key",
            "organiser_id",
            "idempotency_key",
            unique=True,
        ),
        # One occurrence per series and local date, however many `tick`s run at once.
        UniqueConstraint("series_id", "series_day"),
        # What tick decides: the tentative gatherings whose time has come, and only those.
        Index(
            "ix_gatherings_decide_at_tentative",
            "decide_at",
            postgresql_where=text("status = 'tentative'"),
            sqlite_where=text("status = 'tentative'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Calendar clients key events on UID forever and only apply an update with a higher SEQUENCE.
    uid: Mapped[str] = mapped_column(String(80), unique=True, default=new_uid)
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    title: Mapped[str] = mapped_column(String(140))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"))
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"), index=True)
    # None once its organiser deleted their account: a past gathering stays, with nobody's name.
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # The pack it belongs to, if any (packs sit above gatherings: named, not imported).
    pack_id: Mapped[int | None] = mapped_column(ForeignKey("packs.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None]
    status: Mapped[str] = mapped_column(
        String(16), default=Status.SCHEDULED, server_default=Status.SCHEDULED
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The last change anyone would notice; feeds use it for DTSTAMP and LAST-MODIFIED. Indexed:
    # the cities' counts read what changed lately (counts.counts_key).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The key of the proposal form this gathering came from (None: posted without one).
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    # When it was cancelled and what the organiser told the people coming; None while it stands.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_message: Mapped[str | None] = mapped_column(Text)
    # The series this is an occurrence of (None: a gathering of its own), on which local date,
    # and whether it was edited alone (scope=this): edits of the following ones pass it by.
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id"))
    series_day: Mapped[date | None]
    detached: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A quorum: tentative until this many people are going; tick decides at decide_at.
    min_going: Mapped[int | None]
    decide_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    city: Mapped[City] = relationship()
    venue: Mapped[Venue] = relationship()
    organiser: Mapped[User | None] = relationship()
    pack: Mapped["Pack | None"] = relationship("Pack")  # noqa: F821 - meetups.packs.models
    series: Mapped[Series | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=gathering_tags, order_by=Tag.name)
    rsvps: Mapped[list["Rsvp"]] = relationship(
        back_populates="gathering", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_cancelled(self) -> bool:
        return self.status == Status.CANCELLED

    @property
    def is_hidden(self) -> bool:
        return self.status == Status.HIDDEN

    @property
    def is_tentative(self) -> bool:
        return self.status == Status.TENTATIVE

    @property
    def fell_short(self) -> bool:
        """Called off at its decision time, short of its quorum: tick's words, not the organiser's."""
        decided = self.decide_at
        return bool(
            self.is_cancelled and self.min_going and decided and self.cancelled_at >= decided
        )

    def has_started(self, now: datetime | None = None) -> bool:
        return self.starts_at <= (now or utcnow())

    def is_past(self, now: datetime | None = None) -> bool:
        return self.ends_at <= (now or utcnow())

    def can_be_managed_by(self, user) -> bool:
        return bool(user.is_authenticated and (user.is_admin or user.id == self.organiser_id))

    def __repr__(self) -> str:
        return f"<Gathering {self.id} {self.title!r}>"


class Rsvp(db.Model):
    """One person's answer to one gathering; going people hold a seat unless waitlisted."""

    __tablename__ = "rsvps"
    __table_args__ = (
        UniqueConstraint("gathering_id", "user_id"),
        CheckConstraint("response IN ('going', 'maybe', 'no')", name="response_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(ForeignKey("gatherings.id", ondelete="CASCADE"))
    # None: an answer to a past gathering by someone who deleted their account since (counted,
    # nobody's); an account's answers to what is still to come go with it.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    response: Mapped[str] = mapped_column(String(8))
    is_waitlisted: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Waitlist order: first come, first served; set when the answer last changed.
    responded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When a freed seat went to this person (from the waitlist); cleared when they answer again.
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # This person's view of the gathering changed (answer, seat, place in line): their own
    # feed shows a new version (its SEQUENCE adds this to the gathering's).
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    gathering: Mapped[Gathering] = relationship(back_populates="rsvps")
    user: Mapped[User | None] = relationship()
    history: Mapped[list["AnswerChange"]] = relationship(
        order_by="(AnswerChange.at, AnswerChange.id)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def promoted_lately(self, now: datetime | None = None) -> bool:
        """A freed seat went to this person less than PROMOTION_NEWS ago, and they hold it still."""
        return (
            self.promoted_at is not None and (now or utcnow()) - self.promoted_at < PROMOTION_NEWS
        )

    def __repr__(self) -> str:
        return f"<Rsvp {self.user_id}->{self.gathering_id} {self.response}>"


class AnswerChange(db.Model):
    """One step in the story of an answer: what it became (the response, in line or holding a
    seat) and when. Kept so that people can read their own history (the export); no person's
    id here: it is the answer's, and an answer made anonymous keeps an anonymous story."""

    __tablename__ = "answer_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    rsvp_id: Mapped[int] = mapped_column(ForeignKey("rsvps.id", ondelete="CASCADE"), index=True)
    response: Mapped[str] = mapped_column(String(8))
    is_waitlisted: Mapped[bool]
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Encounter(db.Model):
    """One person saying they met another at a gathering both went to. Only a pair of them,
    each way round, makes a contact; one alone is never shown to the other."""

    __tablename__ = "encounters"
    __table_args__ = (
        CheckConstraint("user_id <> met_id", name="not_oneself"),
        Index("ix_encounters_user_id_met_id", "user_id", "met_id"),
    )

    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    met_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
