"""Template filters and globals: local dates, zones, and plain text shown with its breaks and links."""

import re

from flask import Flask
from flask_babel import format_decimal
from markupsafe import Markup, escape

from meetups.feeds.subscribe import subscription
from meetups.gatherings import quorum
from meetups.gatherings.seating import is_free, seats_left
from meetups.i18n import country_name, format_local, get_locale, place_label, zone_label
from meetups.urls import absolute_url, here

URL = re.compile(r"\bhttps?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", re.IGNORECASE)


def paragraphs(text: str | None) -> Markup:
    """Escape text, keep its paragraphs and line breaks, and make its http(s) links clickable."""
    blocks = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    html = []
    for block in blocks:
        if block:
            lines = [_linkify(line) for line in block.split("\n")]
            html.append(Markup("<p>{}</p>").format(Markup("<br>\n").join(lines)))
    return Markup("\n").join(html)


def _linkify(line: str) -> Markup:
    out, last = [], 0
    for match in URL.finditer(line):
        out.append(escape(line[last : match.start()]))
        url = match.group(0)
        out.append(Markup('<a href="{0}" rel="nofollow noopener ugc">{0}</a>').format(url))
        last = match.end()
    out.append(escape(line[last:]))
    return Markup("").join(out)


def decimal(value: float) -> str:
    """A number with at most one decimal, written the locale's way ("12,5" in French)."""
    return format_decimal(value, format="#,##0.#")


def register(app: Flask) -> None:
    """Make the filters and globals available to every template."""
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_filter(format_local, "local")
    app.add_template_filter(zone_label, "zone_label")
    app.add_template_filter(paragraphs, "paragraphs")
    app.add_template_filter(decimal, "decimal")
    app.add_template_filter(place_label, "place_label")
    app.add_template_filter(country_name, "country_name")
    app.add_template_global(subscription, "subscription")
    # The seating rules, so that pages say what the services do (one copy of each).
    app.add_template_global(seats_left, "seats_left")
    app.add_template_global(is_free, "is_free")
    app.add_template_global(quorum.needs, "quorum_needs")
    app.add_template_global(quorum.progress, "quorum_progress")
    app.add_template_global(absolute_url, "absolute_url")
    app.add_template_global(here, "here")
    app.add_template_global(get_locale, "current_locale")
