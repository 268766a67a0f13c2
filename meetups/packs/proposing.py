"""What the proposal form offers of packs: a person's active packs, handed to gatherings.

Gatherings sit below packs and may not import them, so packs register this at start-up.
"""

from flask import Flask

from meetups.packs.queries import mine


def active_packs(user_id: int) -> list[tuple[int, str, str]]:
    """This person's active packs as (id, slug, name), by name."""
    return [(pack.id, pack.slug, pack.name) for pack in mine(user_id)]


def register(app: Flask) -> None:
    """Let the proposal form (meetups.gatherings.forms.packs_of) offer a person's packs."""
    app.extensions["meetups.packs"] = active_packs
