"""People who propose and attend gatherings."""

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from meetups.dates import UTCDateTime, utcnow
from meetups.extensions import db

if TYPE_CHECKING:  # accounts sit below places: refer to City by name only
    from meetups.places.models import City


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


def new_feed_token() -> str:
    """256 random bits: a personal feed URL cannot be guessed."""
    return secrets.token_urlsafe(32)


class Visibility:
    """Who sees a person's profile and name: anyone, signed-in members, or nobody but the
    organisers of gatherings they go to (hidden people still count, without a name)."""

    PUBLIC = "public"
    MEMBERS = "members"
    HIDDEN = "hidden"
    ALL = (PUBLIC, MEMBERS, HIDDEN)


MAX_PROFILE_TEXT = 280  # "I offer" and "I'm looking for": a line or two, not a CV
MAX_LINKS = 3
MAX_LINK_LENGTH = 500


class User(UserMixin, db.Model):
    __tablename__ = "users"
    # E-mails are stored lower-cased and the database refuses any other form, so the plain
    # unique constraint is a case-insensitive one on both SQLite and PostgreSQL.
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lower"),
        CheckConstraint("visibility IN ('public', 'members', 'hidden')", name="visibility"),
        # A deleted account's id is never given again (SQLite would reuse the highest one): links
        # signed with it (unsubscribe, "still coming?") must lead nowhere, not to a newcomer.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(80))
    # The trade as the person wrote it, and the vocabulary's slug when it names one (the
    # trade map, the trade mix and suggestions go by the slug; pages show either).
    trade: Mapped[str] = mapped_column(String(80), default="", server_default="")
    trade_slug: Mapped[str | None] = mapped_column(String(40), index=True)
    home_city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id"), index=True)
    is_admin: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Hidden: off attendee lists other members see (still counted; organisers see everyone).
    visibility: Mapped[str] = mapped_column(
        String(8), default=Visibility.MEMBERS, server_default=Visibility.MEMBERS
    )
    # Opt-in: named to people going to the same gathering whose trade this one completes.
    wants_suggestions: Mapped[bool] = mapped_column(default=False, server_default=false())
    offers: Mapped[str] = mapped_column(String(MAX_PROFILE_TEXT), default="", server_default="")
    looking_for: Mapped[str] = mapped_column(
        String(MAX_PROFILE_TEXT), default="", server_default=""
    )
    links: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    language: Mapped[str | None] = mapped_column(String(8))  # None: the browser's
    # Part of the login session's id: replacing it on logout makes every copy of the old
    # session cookie worthless, which Flask's signed client-side cookies cannot do alone.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    # The secret in the personal feed's URL (/feeds/<token>.ics); replaced to revoke old links.
    feed_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_feed_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by a moderator: the account cannot sign in and its gatherings are hidden.
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    home_city: Mapped["City | None"] = relationship()

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def is_active(self) -> bool:
        """Flask-Login's word: a suspended account is signed in by nothing (login_user refuses)."""
        return not self.is_suspended

    @property
    def is_hidden(self) -> bool:
        return self.visibility == Visibility.HIDDEN

    def profile_visible_to(self, viewer) -> bool:
        """Whether this viewer may open the person's profile (themselves always)."""
        if viewer.is_authenticated and viewer.id == self.id:
            return True
        if self.visibility == Visibility.MEMBERS:
            return viewer.is_authenticated
        return self.visibility == Visibility.PUBLIC

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.display_name!r}>"


class TradePair(db.Model):
    """Two trades whose work completes each other's (slugs of the trades vocabulary), stored
    once with the smaller slug first; admins change them with `flask trade-pairs`."""

    __tablename__ = "trade_pairs"
    __table_args__ = (CheckConstraint("first < second", name="ordered"),)

    first: Mapped[str] = mapped_column(String(40), primary_key=True)
    second: Mapped[str] = mapped_column(String(40), primary_key=True)
