"""`flask trade-pairs`: list, add and remove the complementary trade pairs."""

import difflib

import click
from flask.cli import AppGroup, with_appcontext

from meetups.accounts import services, trades
from meetups.extensions import db


@click.group("trade-pairs", cls=AppGroup, invoke_without_command=True)
@with_appcontext
def trade_pairs() -> None:
    """List the complementary trade pairs; `add A B` and `remove A B` change them (trade slugs).

    Adding a pair that exists already says so and succeeds; removing one that does not
    exist says so and fails (exit status 1). An unknown slug changes nothing and fails.
    """
    if click.get_current_context().invoked_subcommand is None:
        _list_pairs()


def _list_pairs() -> None:
    pairs = sorted(tuple(sorted(pair)) for pair in trades.pairs())
    for first, second in pairs:
        names = f"{trades.label(first, 'en')} + {trades.label(second, 'en')}"
        click.echo(f"{first:<24} {second:<24} {names}")
    click.echo(f"{len(pairs)} pair{'' if len(pairs) == 1 else 's'}.")


@trade_pairs.command("add")
@click.argument("a")
@click.argument("b")
def add(a: str, b: str) -> None:
    """Make trades A and B complementary (slugs of the vocabulary, in either order)."""
    a, b = _checked(a, b)
    if not services.add_pair(a, b):
        click.echo(f"{a} and {b} are already a pair; nothing changed.")
        return
    db.session.commit()
    click.echo(f"Added the pair {a} + {b}.")


@trade_pairs.command("remove")
@click.argument("a")
@click.argument("b")
def remove(a: str, b: str) -> None:
    """Make trades A and B no longer complementary; fails if they were not a pair."""
    a, b = _checked(a, b)
    if not services.remove_pair(a, b):
        raise click.ClickException(f"{a} and {b} are not a pair; nothing changed.")
    db.session.commit()
    click.echo(f"Removed the pair {a} + {b}.")


def _checked(a: str, b: str) -> tuple[str, str]:
    """Two different slugs of the vocabulary, or a usage error naming what is wrong."""
    for slug in (a, b):
        if slug not in trades.BY_SLUG:
            raise click.UsageError(f"Unknown trade slug “{slug}”.{_close_to(slug)}")
    if a == b:
        raise click.UsageError(f"A trade does not complete itself: give two different slugs ({a}).")
    return a, b


def _close_to(text: str) -> str:
    """A hint for a mistyped slug: the slugs closest to it, else all of them."""
    named = trades.canonical(text)  # "proofreader" names correcteur
    close = difflib.get_close_matches(text.lower(), trades.BY_SLUG, n=3, cutoff=0.6)
    found = list(dict.fromkeys(([named] if named else []) + close))
    if found:
        return f" Did you mean: {', '.join(found)}?"
    return f" The slugs are: {', '.join(trades.BY_SLUG)}."
