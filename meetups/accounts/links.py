"""The links on a profile: which addresses are accepted, and how each one reads."""

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from meetups.accounts.models import MAX_LINK_LENGTH

# Hosts people recognise by name; any subdomain counts ("fr.linkedin.com").
KNOWN_HOSTS = {"malt.fr": "Malt", "malt.com": "Malt", "linkedin.com": "LinkedIn"}


def host_of(url: str) -> str | None:
    """The host of an http or https address, or None when it is not one."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # "http://[::1" and the like
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return host


def problem(url: str):
    """Why this address cannot be a profile link, or None when it can."""
    if len(url) > MAX_LINK_LENGTH:
        return _l("At most %(num)d characters per link.", num=MAX_LINK_LENGTH)
    if any(c.isspace() for c in url) or host_of(url) is None:
        return _l(
            "Enter a web address starting with https://, like https://www.malt.fr/profile/camille."
        )
    return None


def label(url: str) -> str:
    """A link as people read it: "Malt", "LinkedIn", else its host."""
    host = host_of(url) or ""
    for known, name in KNOWN_HOSTS.items():
        if host == known or host.endswith("." + known):
            return name
    return host
