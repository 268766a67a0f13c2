"""Signed tokens for links in e-mails that work without signing in: "still coming?" and
unsubscribe. They name a person and a gathering or topic, and cannot be forged or altered."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=f"meetups.{salt}")


def unsubscribe_token(user_id: int, topic: str) -> str:
    """The token of a List-Unsubscribe link: this person, this topic of mail."""
    return _serializer("unsubscribe").dumps([user_id, topic])


def unsubscribe_target(token: str) -> tuple[int, str] | None:
    """(user id, topic) of a genuine unsubscribe token, else None."""
    return _load("unsubscribe", token)


def reminder_token(gathering_id: int, user_id: int) -> str:
    """The token of a "still coming?" link: this person's answer to this gathering."""
    return _serializer("reminder").dumps([gathering_id, user_id])


def reminder_target(token: str) -> tuple[int, int] | None:
    """(gathering id, user id) of a genuine reminder token, else None."""
    return _load("reminder", token)


def _load(salt: str, token: str):
    try:
        first, second = _serializer(salt).loads(token)
    except (BadSignature, TypeError, ValueError):
        return None
    if not isinstance(first, int) or isinstance(first, bool):
        return None
    return first, second
