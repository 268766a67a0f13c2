"""An outbox row as the e-mail people receive: subject, plain text and HTML from Jinja
templates in the recipient's language, the gathering's .ics, and the unsubscribe headers."""

from datetime import datetime
from email import policy
from email.utils import make_msgid
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale, lazy_gettext
from flask_mail import Message

from meetups.accounts.models import User
from meetups.extensions import db
from meetups.feeds import ical
from meetups.gatherings import seating
from meetups.gatherings.models import Gathering, Response, Rsvp, Status
from meetups.i18n import format_local
from meetups.notifications import tokens
from meetups.notifications.models import Kind, Mail, Settings
from meetups.packs.models import Pack
from meetups.urls import absolute_url

SUBJECTS = {
    Kind.SEAT: lazy_gettext("Your seat is kept: %(title)s"),
    Kind.PROMOTED: lazy_gettext("A seat freed up for you: %(title)s"),
    Kind.WAITLISTED: lazy_gettext("You are number %(place)s on the waitlist: %(title)s"),
    Kind.CHANGED: lazy_gettext("Changed: %(title)s"),
    Kind.CANCELLED: lazy_gettext("Cancelled: %(title)s"),
    Kind.REMINDER: lazy_gettext("Still coming? %(title)s"),
    Kind.NEW_GATHERING: lazy_gettext("New gathering: %(title)s"),
    Kind.DIGEST: lazy_gettext("New gatherings this week"),
    Kind.JOIN_REQUEST: lazy_gettext("%(person)s asks to join %(pack)s"),
    Kind.RESET: lazy_gettext("Choose a new Meute password"),
    Kind.HANDED_OVER: lazy_gettext("You organise it now: %(title)s"),
    Kind.REPORT: lazy_gettext("Reported on Meute: %(what)s"),
    Kind.REMOVED: lazy_gettext("Removed by the moderators: %(title)s"),
}
# Mails that say nothing true once their gathering is cancelled (it has its own notice).
_VOID_ONCE_CANCELLED = (
    Kind.SEAT,
    Kind.PROMOTED,
    Kind.WAITLISTED,
    Kind.REMINDER,
    Kind.NEW_GATHERING,
    Kind.HANDED_OVER,
)
CONFIRMED_SUBJECT = lazy_gettext("Confirmed, enough people are going: %(title)s")
# Mails about where the person stands, true only while their answer still says so.
_ABOUT_ONES_ANSWER = (Kind.SEAT, Kind.PROMOTED, Kind.WAITLISTED, Kind.REMINDER)
ICS_TYPE = "text/calendar; charset=utf-8; method=PUBLISH"


class _Message(Message):
    """Flask-Mail's message, with header lines left whole up to RFC 5322's 998 characters: the
    SMTP policy folds a long List-Unsubscribe into RFC 2047 encoded words, which mail clients
    do not read as a URL."""

    def _message(self):
        built = super()._message()
        built.policy = policy.SMTP.clone(max_line_length=998)
        return built


class Gone(Exception):
    """What the mail is about is gone or overtaken (a pack deleted, a gathering called off):
    it is dropped."""


def message(mail: Mail) -> Message:
    """The e-mail of this outbox row, ready for SMTP (inside a request context for URLs)."""
    user = mail.user
    if mail.gathering is not None and mail.gathering.is_hidden and mail.kind != Kind.REMOVED:
        raise Gone(mail.key)  # removed by moderators: nobody is told more of it but that
    if mail.kind in _VOID_ONCE_CANCELLED and mail.gathering.is_cancelled:
        raise Gone(mail.key)  # overtaken: the cancellation notice says what matters now
    if mail.kind in _ABOUT_ONES_ANSWER and not _answer_stands(mail):
        raise Gone(mail.key)  # answered otherwise since (within the minute): it would mislead
    with force_locale(language_of(mail)):
        context = _context(mail)
        subject = str(_subject(mail)) % context
        text = render_template(f"mail/{mail.kind}.txt", **context)
        html = render_template(f"mail/{mail.kind}.html", **context)
        ics = _ics(mail.gathering) if mail.kind in Kind.WITH_ICS else None
    msg = _Message(
        subject,
        recipients=[(user.display_name, user.email)],
        body=text,
        html=html,
        extra_headers=_headers(mail, context),
    )
    msg.msgId = make_msgid("meute", domain=_domain())  # no DNS lookup of this host's name
    if ics is not None:
        msg.attach(f"meute-{mail.gathering_id}.ics", ICS_TYPE, ics)
    return msg


def _answer_stands(mail: Mail) -> bool:
    """The person still holds the seat (or, for a waitlist mail, still waits) the mail speaks of."""
    query = db.select(Rsvp).filter_by(gathering_id=mail.gathering_id, user_id=mail.user_id)
    rsvp = db.session.scalar(query)
    if rsvp is None:
        return False
    if mail.kind == Kind.WAITLISTED:
        return rsvp.response == Response.GOING and rsvp.is_waitlisted
    return seating.holds_seat(rsvp.response, rsvp.is_waitlisted)


def _subject(mail: Mail):
    """The kind's subject; a quorum reached says so rather than "changed"."""
    if mail.kind != Kind.CHANGED:
        return SUBJECTS[mail.kind]
    was_tentative = ((mail.data or {}).get("before") or {}).get("status") == Status.TENTATIVE
    gathering = mail.gathering
    # Confirmed by its quorum; not a minimum taken away, which also ends "tentative".
    now_on = gathering.min_going is not None and not (
        gathering.is_tentative or gathering.is_cancelled
    )
    return CONFIRMED_SUBJECT if was_tentative and now_on else SUBJECTS[mail.kind]


def language_of(mail: Mail) -> str:
    """The language a mail is written in: the one it was queued in, the person's, or French."""
    return mail.language or mail.user.language or current_app.config["BABEL_DEFAULT_LOCALE"]


def _context(mail: Mail) -> dict:
    context = {"mail": mail, "user": mail.user, "data": mail.data or {}}
    context["settings_url"] = absolute_url("notifications.settings")
    gathering = mail.gathering
    if gathering is not None:
        context.update(_about(gathering))
    if mail.kind in Settings.TOPIC_OF:
        topic = Settings.TOPIC_OF[mail.kind]
        token = tokens.unsubscribe_token(mail.user_id, topic)
        context["unsubscribe_url"] = absolute_url("notifications.unsubscribe", token=token)
    extra = _EXTRA.get(mail.kind)
    if extra is not None:
        context.update(extra(mail))
    return context


def _about(gathering: Gathering) -> dict:
    return {
        "gathering": gathering,
        "title": gathering.title,
        "zone": gathering.city.timezone,
        "page_url": absolute_url("gatherings.show", gathering_id=gathering.id),
        "ics_url": absolute_url("feeds.event", gathering_id=gathering.id),
    }


def _waitlisted(mail: Mail) -> dict:
    return {"place": (mail.data or {}).get("place") or "?"}


def _changed(mail: Mail) -> dict:
    """Each change as a line: what it is, what it was, what it is now (local time)."""
    data, gathering = mail.data or {}, mail.gathering
    before = data.get("before") or {}
    return {
        "changes": [_change(name, before.get(name), gathering) for name in data.get("noticed", [])]
    }


def _change(name: str, before: str | None, gathering: Gathering) -> dict:
    zone = gathering.city.timezone
    if name == "time":
        was = ""
        if before:
            starts = datetime.fromisoformat(before.split("/")[0])
            was = format_local(starts, zone)
        return {
            "label": _CHANGES[name],
            "before": was,
            "now": format_local(gathering.starts_at, zone),
        }
    if name == "venue":
        now = f"{gathering.venue.name}, {gathering.venue.address}"
        return {"label": _CHANGES[name], "before": before or "", "now": now}
    if name == "title":
        return {"label": _CHANGES[name], "before": before or "", "now": gathering.title}
    return {"label": _CHANGES["status"], "before": "", "now": _status_now(gathering, before)}


def _status_now(gathering: Gathering, before: str | None):
    """The new status in words: confirmed (a quorum reached), tentative, cancelled, on again."""
    if gathering.is_cancelled:
        return lazy_gettext("cancelled")
    if gathering.is_tentative:
        return lazy_gettext("tentative: it takes place if enough people are going")
    if before == Status.TENTATIVE:
        return lazy_gettext("confirmed: enough people are going, it takes place")
    return lazy_gettext("on again")


_CHANGES = {
    "time": lazy_gettext("Date and time"),
    "venue": lazy_gettext("Venue"),
    "title": lazy_gettext("Title"),
    "status": lazy_gettext("Status"),
}


def _reminder(mail: Mail) -> dict:
    token = tokens.reminder_token(mail.gathering_id, mail.user_id)
    return {"reminder_url": absolute_url("reminders.answer", token=token)}


def _join_request(mail: Mail) -> dict:
    data = mail.data or {}
    pack = db.session.get(Pack, data.get("pack") or 0)
    person = db.session.get(User, data.get("person") or 0)
    if pack is None or person is None:
        raise Gone(mail.key)
    return {
        "pack": pack.name,
        "person": person.display_name,
        "members_url": absolute_url("packs.members", slug=pack.slug),
    }


def _reset(mail: Mail) -> dict:
    from meetups.accounts.services import reset_token

    token = reset_token(mail.user)
    return {"reset_url": absolute_url("auth.reset_with_token", token=token)}


_EXTRA = {
    Kind.WAITLISTED: _waitlisted,
    Kind.CHANGED: _changed,
    Kind.REMINDER: _reminder,
    Kind.JOIN_REQUEST: _join_request,
    Kind.RESET: _reset,
}


def register_extra(kind: str, build) -> None:
    """Let a module add what its kind of mail needs in its templates (digests, reminders)."""
    _EXTRA[kind] = build


def _headers(mail: Mail, context: dict) -> dict[str, str]:
    # RFC 3834: no vacation reply to a robot. RFC 8058: one click, one POST, no sign-in.
    headers = {"Auto-Submitted": "auto-generated"}
    if "unsubscribe_url" in context:
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def _ics(gathering: Gathering) -> bytes:
    """The gathering as the feeds give it (same UID and SEQUENCE), for a mail."""
    from flask_babel import gettext

    url = absolute_url("gatherings.show", gathering_id=gathering.id)
    entry = ical.Entry(gathering, url, sequence=gathering.sequence)
    return ical.single(entry, gettext("Cancelled:"), method="PUBLISH")


def _domain() -> str:
    return urlsplit(current_app.config.get("BASE_URL") or "").hostname or "localhost"
