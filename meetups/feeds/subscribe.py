"""Ways to subscribe to a feed: webcal, a URL to copy, Google, Outlook, and a QR code for phones."""

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urlencode

import segno
from markupsafe import Markup


@dataclass(frozen=True)
class Subscription:
    https: str
    webcal: str
    google: str
    outlook: str
    qr_svg: Markup


@lru_cache(maxsize=1024)  # the QR code takes longer to draw than the rest of a city page
def subscription(feed_url: str, name: str) -> Subscription:
    """Every way of subscribing to the feed at this absolute URL."""
    webcal = "webcal://" + feed_url.split("://", 1)[1]
    outlook_query = urlencode({"url": feed_url, "name": name})
    return Subscription(
        https=feed_url,
        webcal=webcal,
        google="https://calendar.google.com/calendar/render?cid=" + quote(webcal, safe=""),
        outlook=f"https://outlook.live.com/calendar/0/addfromweb?{outlook_query}",
        qr_svg=_qr(webcal, name),
    )


def _qr(url: str, name: str) -> Markup:
    """The URL as an inline SVG QR code; none for a URL longer than a QR code holds."""
    try:
        code = segno.make(url, error="m")
    except segno.DataOverflowError:  # a very long MEETUPS_BASE_URL: the other links remain
        return Markup("")
    # segno escapes the title itself and writes nothing else from outside.
    return Markup(code.svg_inline(scale=3, border=2, title=name))  # noqa: S704
