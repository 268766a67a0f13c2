"""People who propose and attend gatherings."""

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, false
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


class User(UserMixin, db.Model):
    __tablename__ = "users"
    # E-mails are stored lower-cased and the database refuses any other form, so the plain
    # unique constraint is a case-insensitive one on both SQLite and PostgreSQL.
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lower"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(80))
    trade: Mapped[str] = mapped_column(String(80), default="", server_default="")
    home_city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id"), index=True)
    is_admin: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Stays off the attendee lists other members see (still counted; organisers see everyone).
    is_unlisted: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Part of the login session's id: replacing it on logout makes every copy of the old
    # session cookie worthless, which Flask's signed client-side cookies cannot do alone.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    # The secret in the personal feed's URL (/feeds/<token>.ics); replaced to revoke old links.
    feed_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_feed_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    home_city: Mapped["City | None"] = relationship()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.display_name!r}>"
