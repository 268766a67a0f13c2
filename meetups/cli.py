"""Command-line tasks: demo data, admins, geocoding, trade pairs. Each parses, calls a service,
commits, echoes."""

import click
from flask import Flask
from flask.cli import with_appcontext

from meetups.extensions import db


def register(app: Flask) -> None:
    """Add the commands to `flask --app wsgi ...`."""
    app.cli.add_command(demo)
    app.cli.add_command(make_admin)
    app.cli.add_command(geocode_pending)
    from meetups.accounts.cli import trade_pairs

    app.cli.add_command(trade_pairs)
    from meetups.notifications.cli import send_mail, tick

    app.cli.add_command(send_mail)
    app.cli.add_command(tick)


@click.command("demo")
@with_appcontext
@click.option(
    "--if-empty", is_flag=True, help="Do nothing (and succeed) when the database has data."
)
@click.option(
    "--gatherings",
    type=click.IntRange(min=1),
    help="Make this many gatherings instead, over many cities, with people and RSVPs "
    "(for benchmarks; 100,000 take minutes).",
)
@click.option(
    "--seed",
    type=int,
    help="Random seed for --gatherings (a fixed one by default): the same seed, the same data.",
)
def demo(if_empty: bool, gatherings: int | None, seed: int | None) -> None:
    """Fill an empty database with demo cities, venues, people and upcoming gatherings."""
    from meetups import demo as demo_data

    if seed is not None and gatherings is None:
        raise click.UsageError("--seed only goes with --gatherings.")
    if not demo_data.is_empty():
        if if_empty:
            click.echo("The database already has data; demo data not loaded.")
            return
        raise click.ClickException(
            "The database is not empty; demo data is only loaded into an empty one."
        )
    if gatherings is not None:
        _demo_bulk(gatherings, seed)
        return
    summary = demo_data.load()
    db.session.commit()
    click.echo(
        f"Demo data loaded: {summary['users']} people, {summary['cities']} cities, "
        f"{summary['gatherings']} gatherings, {summary['packs']} packs."
    )
    click.echo(f"Sign in as {summary['login']} with the password {summary['password']}.")
    click.echo(f"Moderate as {summary['admin']} (same password): /admin/reports.")


def _demo_bulk(gatherings: int, seed: int | None) -> None:
    """demo --gatherings N: bulk rows in one transaction, a progress line per chunk."""
    from meetups.demo import bulk as demo_bulk

    def progress(done: int, total: int) -> None:
        click.echo(f"Made {done:,} of {total:,} gatherings…", err=True)

    summary = demo_bulk.load(
        gatherings, demo_bulk.SEED if seed is None else seed, progress=progress
    )
    db.session.commit()
    click.echo(
        f"Demo data loaded: {summary['users']:,} people, {summary['cities']} cities, "
        f"{summary['venues']:,} venues, {summary['gatherings']:,} gatherings, "
        f"{summary['packs']:,} packs, {summary['rsvps']:,} RSVPs."
    )
    click.echo(f"Sign in as {summary['login']} with the password {summary['password']}.")


@click.command("make-admin")
@with_appcontext
@click.argument("email")
def make_admin(email: str) -> None:
    """Give the account with this e-mail the admin role (may edit or cancel any gathering)."""
    from meetups.accounts.models import User
    from meetups.accounts.services import normalise_email

    user = db.session.scalar(db.select(User).filter_by(email=normalise_email(email)))
    if user is None:
        raise click.ClickException(f"No account uses the e-mail {email}.")
    if user.is_admin:
        click.echo(f"{user.email} is already an admin.")
        return
    user.is_admin = True
    db.session.commit()
    click.echo(f"{user.email} is now an admin.")


@click.command("geocode-pending")
@with_appcontext
def geocode_pending() -> None:
    """Retry geocoding every venue not located yet; print each outcome and how many were located."""
    from meetups.gatherings.placing import venue_moved
    from meetups.places import geocoding
    from meetups.places.models import Venue

    venue_ids = geocoding.pending_venue_ids()
    located = 0
    for number, venue_id in enumerate(venue_ids, 1):
        venue = db.session.get(Venue, venue_id)
        found = geocoding.find(venue)  # no lock is held while the geocoders take their time
        outcome = "not located"
        if found:
            venue_moved(venue.id)  # first: the gatherings are locked before the venue
            placed = geocoding.put(venue, found)
            outcome = f"located ({venue.geocoded_by}, {venue.geocode_precision})"
            outcome = outcome if placed else "placed by hand meanwhile, left as it is"
            located += placed
        line = f"[{number}/{len(venue_ids)}] {venue.name}, {venue.city.name}: {outcome}"
        db.session.commit()  # as it goes: an interrupted run keeps what it found
        click.echo(line)
    click.echo(f"Located {located} of {len(venue_ids)} venues.")
