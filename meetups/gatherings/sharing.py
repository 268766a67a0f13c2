"""What a gathering page tells the software that shares it: OpenGraph tags and schema.org JSON-LD.

Link previews (messaging apps, social networks) read OpenGraph; search engines read the
schema.org `Event`. Both say only what the page itself shows to a visitor: no attendee, no
e-mail address.
"""

from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from meetups.gatherings.models import Gathering
from meetups.i18n import format_local
from meetups.urls import absolute_url

SUMMARY_LENGTH = 200


def summary(gathering: Gathering) -> str:
    """One line for a link preview: when and where, then the start of the description."""
    zone = gathering.city.timezone
    parts = [
        format_local(gathering.starts_at, zone),
        f"{gathering.venue.name}, {gathering.city.name}",
    ]
    if gathering.is_cancelled:
        parts.insert(0, _("Cancelled"))
    text = " · ".join(parts)
    description = " ".join(gathering.description.split())
    if description:
        text = f"{text}. {description}"
    if len(text) > SUMMARY_LENGTH:
        text = text[: SUMMARY_LENGTH - 1].rstrip() + "…"
    return text


def event_json_ld(gathering: Gathering) -> dict:
    """The gathering as a schema.org Event (render with Jinja's `tojson`, which escapes `<`)."""
    zone = ZoneInfo(gathering.city.timezone)
    venue, city = gathering.venue, gathering.city
    place: dict = {
        "@type": "Place",
        "name": venue.name,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": venue.address,
            "addressLocality": city.name,
            "addressCountry": city.country,
        },
    }
    if venue.is_located:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": venue.latitude,
            "longitude": venue.longitude,
        }
    event: dict = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": gathering.title,
        "url": absolute_url("gatherings.show", gathering_id=gathering.id),
        "startDate": gathering.starts_at.astimezone(zone).isoformat(),
        "endDate": gathering.ends_at.astimezone(zone).isoformat(),
        "eventStatus": "https://schema.org/"
        + ("EventCancelled" if gathering.is_cancelled else "EventScheduled"),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": place,
    }
    if gathering.organiser is not None:  # None: its organiser deleted their account
        event["organizer"] = {"@type": "Person", "name": gathering.organiser.display_name}
    if gathering.description:
        event["description"] = gathering.description
    if gathering.capacity is not None:
        event["maximumAttendeeCapacity"] = gathering.capacity
    if gathering.tags:
        event["keywords"] = ", ".join(tag.name for tag in gathering.tags)
    return event
