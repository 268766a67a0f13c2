"""Language choice, and dates shown in a gathering's own time zone, formatted for the locale."""

from datetime import datetime
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from flask import Blueprint, Flask, current_app, redirect, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user

from meetups.security import safe_next

lang_bp = Blueprint("lang", __name__)


# The choice outlives the browser session (closing the browser ends the session cookie).
LANG_COOKIE = "lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


def select_locale() -> str:
    """The language this request asks for, else the site's default."""
    return asked_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]


def asked_locale() -> str | None:
    """The choice made here (session, then cookie), the profile's, else Accept-Language's;
    None when nothing says (a script, a browser that sends no language)."""
    languages = current_app.config["LANGUAGES"]
    chosen_here = (session.get("lang"), request.cookies.get(LANG_COOKIE))
    for chosen in (*chosen_here, getattr(current_user, "language", None)):
        if chosen in languages:
            return chosen
    # Match on the language alone, in the browser's order: "fr-CA, en;q=0.5" means French.
    for value, _quality in request.accept_languages:
        language = value.split("-")[0].split("_")[0].lower()
        if language in languages:
            return language
    return None


@lang_bp.post("/lang/<code>")
def switch(code: str):
    """Remember a language choice and go back where the person was."""
    response = redirect(safe_next(request.form.get("next")) or url_for("gatherings.index"))
    if code in current_app.config["LANGUAGES"]:
        remember(response, code)
    return response


def remember(response, code: str | None):
    """Keep a language choice for this browser, or forget it (None): the browser decides."""
    if code is None:
        session.pop("lang", None)
        response.delete_cookie(LANG_COOKIE, secure=request.is_secure, httponly=True, samesite="Lax")
        return response
    session["lang"] = code
    response.set_cookie(
        LANG_COOKIE,
        code,
        max_age=LANG_COOKIE_MAX_AGE,
        secure=request.is_secure,
        httponly=True,
        samesite="Lax",
    )
    return response


# How each locale writes dates: English in its British form, so times read "19:00" as they do
# on the Continent where most gatherings happen, not "7:00 PM".
FORMAT_LOCALES = {"en": "en_GB"}


def format_local(moment: datetime, tz_name: str, fmt: str = "full") -> str:
    """Format an aware instant in tz_name for the current locale ("jeudi 14 janvier 2027, 19:00").

    fmt: "full" (date and time), "date", "time", "day", "month", or "iso" (with the local offset).
    """
    local = moment.astimezone(ZoneInfo(tz_name))
    if fmt == "iso":
        return local.isoformat()
    language = str(get_locale())
    locale = FORMAT_LOCALES.get(language, language)
    if fmt == "day":
        return babel_dates.format_skeleton("d", local, locale=locale)
    if fmt == "month":
        return babel_dates.format_skeleton("MMM", local, locale=locale)
    date = babel_dates.format_date(local, "full", locale=locale)
    time = babel_dates.format_time(local, "short", locale=locale)
    return {"date": date, "time": time}.get(fmt, f"{date}, {time}")


def zone_label(moment: datetime, tz_name: str) -> str:
    """The zone as people read it next to a time: "Europe/Paris (UTC+01:00)"."""
    local = moment.astimezone(ZoneInfo(tz_name))
    offset = babel_dates.get_timezone_gmt(local, "long", locale="en")
    return f"{tz_name} ({offset.replace('GMT', 'UTC')})"


def register(app: Flask) -> None:
    """Add the language switch."""
    app.register_blueprint(lang_bp)


def country_name(code: str) -> str:
    """An ISO 3166 country code as its name in the current language ("CA" -> "Canada")."""
    return get_locale().territories.get(code, code)


def place_label(place) -> str:
    """A city (anything with a name and a country code) with its country: "Lyon, France"."""
    return f"{place.name}, {country_name(place.country)}"
