"""Sending the outbox: claim what is due, send it through SMTP, mark it sent, retry later
what failed. Two senders never send one mail: each claims its rows first (FOR UPDATE SKIP
LOCKED on PostgreSQL, the write lock on SQLite) for a lease they then send within."""

import contextlib
import smtplib
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError

from meetups.dates import utcnow
from meetups.extensions import db
from meetups.extensions import mail as mailer
from meetups.gatherings.models import Gathering
from meetups.gatherings.services import write_lock
from meetups.notifications.mail import Gone, message
from meetups.notifications.models import Mail

BATCH = 50
SMTP_TIMEOUT = timedelta(seconds=30)  # per SMTP exchange; a batch of 50 stays within its lease
# Longer than sending a batch takes: a sender that died frees its rows after this.
LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 10  # about a day and a half of retries, each wait twice the last
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
# How long a sent mail's row stays: enough to see what went out lately, no longer (it names
# who got what).
KEEP = timedelta(days=30)


@dataclass
class Report:
    sent: int = 0
    retrying: int = 0  # failed this time, tried again later
    failed: int = 0  # given up: refused for good, or what it was about is gone
    waiting: int = 0  # still queued after this run (due later, or retrying)


class NotConfigured(Exception):
    """No SMTP server, or no base URL for the links mails carry; the message says which."""


def check_configured() -> None:
    """Raise NotConfigured unless mails can go out with working links."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        raise NotConfigured("No mail server is configured (MEETUPS_MAIL_SERVER).")
    if not config.get("BASE_URL"):
        raise NotConfigured(
            "MEETUPS_BASE_URL is not set: e-mails carry links to this site, so they wait."
        )


def send_due(progress=None) -> Report:
    """Send every mail that is due, batch by batch, until none is left or SMTP fails."""
    check_configured()
    report = Report()
    # An SMTP server that stops answering must not hold a batch past its lease (another sender
    # would then send it too): smtplib waits forever without a timeout, and Flask-Mail sets none.
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(SMTP_TIMEOUT.total_seconds())
    try:
        with current_app.test_request_context("/", base_url="http://localhost"):
            while True:
                claimed_at = utcnow()
                ids = claim(BATCH, claimed_at)
                # Sent within the lease, with room for one last slow exchange, or left to others.
                if not ids or not _send(ids, report, claimed_at + LEASE - 2 * SMTP_TIMEOUT):
                    break
                if progress is not None:
                    progress(report)
    finally:
        socket.setdefaulttimeout(previous)
    report.waiting = waiting()
    return report


def claim(limit: int, now: datetime | None = None) -> list[int]:
    """Take up to `limit` due mails for this sender (committed: others skip them)."""
    now = now or utcnow()
    write_lock()
    due = (
        select(Mail.id)
        .where(
            Mail.sent_at.is_(None),
            Mail.failed_at.is_(None),
            Mail.due_at <= now,
            or_(Mail.claimed_until.is_(None), Mail.claimed_until < now),
        )
        .order_by(Mail.due_at, Mail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    taken = (
        update(Mail)
        .where(Mail.id.in_(due.scalar_subquery()))
        .values(claimed_until=now + LEASE)
        .returning(Mail.id)
        .execution_options(synchronize_session=False)
    )
    ids = list(db.session.scalars(taken))
    db.session.commit()
    return ids


def purge(now: datetime) -> int:
    """Forget mails sent or given up more than KEEP ago; how many rows went."""
    gone = db.delete(Mail).where(or_(Mail.sent_at < now - KEEP, Mail.failed_at < now - KEEP))
    return db.session.execute(gone).rowcount or 0


def describe_purge(count: int) -> str:
    return f"Removed {count} e-mail(s) sent over {KEEP.days} days ago from the outbox."


def waiting() -> int:
    """How many mails are still to send (due now or later)."""
    query = select(func.count()).where(Mail.sent_at.is_(None), Mail.failed_at.is_(None))
    return db.session.scalar(query)


def _send(ids: list[int], report: Report, deadline: datetime) -> bool:
    """Send these claimed mails on one connection; False when SMTP failed (stop for now)."""
    mails = _load(ids)
    try:
        connection = mailer.connect().__enter__()
    except (OSError, smtplib.SMTPException) as error:
        _give_back(mails, error, report)
        return False
    try:
        for index, mail in enumerate(mails):
            if utcnow() > deadline:  # left to a sender with a lease of its own
                _give_back(mails[index:], None, report, attempted=False)
                return False
            if not _send_one(connection, mail, report):
                _give_back(mails[index + 1 :], None, report, attempted=False)
                return False
    finally:
        _close(connection)
    return True


def _send_one(connection, mail: Mail, report: Report) -> bool:
    """Send one mail and record it; False when the connection is lost."""
    try:
        return _deliver(connection, mail, report)
    except (ObjectDeletedError, StaleDataError):
        # Its person deleted their account while the batch was going out: the row went with it.
        db.session.rollback()
        return True


def _deliver(connection, mail: Mail, report: Report) -> bool:
    try:
        msg = message(mail)
    except ObjectDeletedError:
        raise
    except Gone:
        _fail(mail, "what the mail is about no longer exists, or no longer holds", report)
        return True
    except Exception as error:  # one mail that cannot be written must not stop the others
        db.session.rollback()
        _fail(mail, f"could not be written: {error!r}", report)
        return True
    try:
        connection.send(msg)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as error:
        if _permanent(error):  # a 5xx: trying again will not help
            _fail(mail, str(error), report)
        else:  # a 4xx (greylisting, a full mailbox): later, on the same connection
            _give_back([mail], error, report)
        return True
    except (OSError, smtplib.SMTPException) as error:  # the connection is lost
        _give_back([mail], error, report)
        return False
    mail.sent_at, mail.claimed_until, mail.last_error = utcnow(), None, None
    mail.attempts += 1
    db.session.commit()  # each mail as it leaves: a crash later sends none of these twice
    report.sent += 1
    return True


def _permanent(error: smtplib.SMTPException) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    return error.smtp_code >= 500


def _give_back(mails: list[Mail], error, report: Report, attempted: bool = True) -> None:
    """Release mails to a later run: after a growing wait when this one was tried."""
    now = utcnow()
    for mail in mails:
        mail.claimed_until = None
        if not attempted:
            continue
        mail.attempts += 1
        mail.last_error = str(error)[:1000]
        if mail.attempts >= MAX_ATTEMPTS:
            mail.failed_at = now
            report.failed += 1
        else:
            mail.due_at = now + min(FIRST_RETRY * 2 ** (mail.attempts - 1), LONGEST_WAIT)
            report.retrying += 1
    db.session.commit()


def _fail(mail: Mail, reason: str, report: Report) -> None:
    mail.failed_at, mail.claimed_until, mail.last_error = utcnow(), None, reason[:1000]
    mail.attempts += 1
    db.session.commit()
    report.failed += 1


def _load(ids: list[int]) -> list[Mail]:
    query = (
        select(Mail)
        .where(Mail.id.in_(ids))
        .order_by(Mail.due_at, Mail.id)
        .options(
            joinedload(Mail.user),
            joinedload(Mail.gathering).options(
                joinedload(Gathering.city), joinedload(Gathering.venue)
            ),
        )
    )
    return list(db.session.scalars(query).unique())


def _close(connection) -> None:
    # The server may have gone away after the last mail: what was sent is recorded.
    with contextlib.suppress(OSError, smtplib.SMTPException):
        connection.__exit__(None, None, None)
