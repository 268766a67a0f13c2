"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, parsed as a mail
client reads it; it can be stopped and started again on the same port (an outage)."""

import email
import email.policy
import threading
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.live_server import free_port


class _Keeper:
    def __init__(self, inbox: "Inbox"):
        self.inbox = inbox

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message.raw = envelope.content  # the bytes as they came over SMTP
        self.inbox.add(envelope.rcpt_tos, message)
        return "250 OK"


class Inbox:
    """What the server received: one parsed message per delivery, with its envelope recipients."""

    def __init__(self):
        self.port = free_port()
        self._lock = threading.Lock()
        self.received: list[tuple[list[str], EmailMessage]] = []
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(_Keeper(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def add(self, recipients: list[str], message: EmailMessage) -> None:
        with self._lock:
            self.received.append((list(recipients), message))

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return [message for _to, message in self.received]

    def to(self, address: str) -> list[EmailMessage]:
        """The messages delivered to this address, oldest first."""
        with self._lock:
            return [m for to, m in self.received if address in to]

    def clear(self) -> None:
        with self._lock:
            self.received.clear()


def text_of(message: EmailMessage) -> str:
    """The plain-text body, as a mail client shows it."""
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def calendar_of(message: EmailMessage):
    """The .ics attachment read by icalendar, or None."""
    from icalendar import Calendar

    for part in message.iter_attachments():
        if part.get_content_type() == "text/calendar":
            return Calendar.from_ical(part.get_payload(decode=True))
    return None
