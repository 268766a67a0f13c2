"""Creating accounts, checking passwords, ending sessions, password reset links."""

import hashlib
import hmac
from dataclasses import dataclass
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from meetups.accounts import trades
from meetups.accounts.models import TradePair, User, new_feed_token, new_session_token
from meetups.database import inserted_or_found
from meetups.extensions import db


@cache
def _dummy_hash() -> str:
    # Checked when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password.
    return generate_password_hash("not a real password", method="scrypt")


class EmailTaken(Exception):
    """Someone already signed up with this e-mail address."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_in_use(email: str) -> bool:
    """Whether an account already has this address, whatever its case."""
    query = db.select(User.id).filter_by(email=normalise_email(email))
    return db.session.scalar(query) is not None


def register(email: str, password: str, display_name: str, trade: str = "", home_city=None) -> User:
    """Create an account; raise EmailTaken when the address is in use, whatever its case."""
    user = User(
        email=normalise_email(email),
        display_name=display_name,
        home_city=home_city,
    )
    set_trade(user, trade)
    user.set_password(password)
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError as error:
        raise EmailTaken(email) from error
    return user


def set_trade(user: User, typed: str | None) -> None:
    """Keep the trade as typed, with the vocabulary's slug when it names one."""
    user.trade = trades.tidy(typed)
    user.trade_slug = trades.canonical(typed)


@dataclass(frozen=True)
class Profile:
    """What a person says about themselves on /me/profile."""

    display_name: str
    trade: str
    home_city: object | None
    visibility: str
    wants_suggestions: bool
    offers: str
    looking_for: str
    links: list[str]
    language: str | None


def update_profile(user: User, profile: Profile) -> None:
    """Write a profile onto its user (the form checked it)."""
    for name in ("display_name", "visibility", "wants_suggestions", "offers", "looking_for"):
        setattr(user, name, getattr(profile, name))
    set_trade(user, profile.trade)
    user.home_city = profile.home_city
    user.links = list(profile.links)
    user.language = profile.language or None


def authenticate(email: str, password: str) -> User | None:
    """Return the user with this e-mail and password, or None."""
    user = db.session.scalar(db.select(User).filter_by(email=normalise_email(email)))
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    return user if user.check_password(password) else None


def end_sessions(user: User) -> None:
    """Invalidate every login session of this user, including copies of old cookies."""
    user.session_token = new_session_token()


def rotate_feed_token(user: User) -> None:
    """Give the person a new personal feed address; the old one stops working."""
    user.feed_token = new_feed_token()


def change_password(user: User, password: str) -> None:
    """Set a new password and sign out every session (the caller signs this one in again)."""
    user.set_password(password)
    end_sessions(user)


RESET_MAX_AGE = 3600  # seconds a reset link works, from when its mail is written


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="meetups.reset")


def _password_mark(user: User) -> str:
    # Changes with every new password (a new salt), so a link works once; keyed, so the link
    # tells nothing about the hash.
    key = current_app.secret_key
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, user.password_hash.encode(), hashlib.sha256).hexdigest()[:16]


def reset_token(user: User) -> str:
    """The token of a reset link: this person, while the password stays as it is, one hour."""
    return _reset_serializer().dumps([user.id, _password_mark(user)])


def user_for_reset(token: str) -> User | None:
    """The person a genuine, unexpired, unused reset token names, else None."""
    try:
        user_id, mark = _reset_serializer().loads(token, max_age=RESET_MAX_AGE)
    except (BadSignature, TypeError, ValueError):
        return None
    if not isinstance(user_id, int) or isinstance(user_id, bool) or not isinstance(mark, str):
        return None
    user = db.session.get(User, user_id)
    if user is None or not hmac.compare_digest(mark, _password_mark(user)):
        return None
    return user


def account_for_reset(email: str) -> User | None:
    """The account a reset is asked for, looked up the way sign-in looks it up."""
    return db.session.scalar(db.select(User).filter_by(email=normalise_email(email)))


def add_pair(a: str, b: str) -> bool:
    """Make two trades complementary; False when they already were (either way round)."""
    first, second = trades.ordered(a, b)
    if db.session.get(TradePair, (first, second)) is not None:
        return False
    pair = TradePair(first=first, second=second)
    return (
        inserted_or_found(pair, db.select(TradePair).filter_by(first=first, second=second)) is pair
    )


def remove_pair(a: str, b: str) -> bool:
    """Make two trades no longer complementary; False when they were not."""
    first, second = trades.ordered(a, b)
    pair = (TradePair.first == first) & (TradePair.second == second)
    return bool(db.session.execute(db.delete(TradePair).where(pair)).rowcount)
