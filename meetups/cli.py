"""Command-line tasks: demo data, admins, geocoding. Each parses, calls a service, commits, echoes."""

import click
from flask import Flask
from flask.cli import with_appcontext

from meetups.extensions import db


def register(app: Flask) -> None:
    """Add the commands to `flask --app wsgi ...`."""
    app.cli.add_command(demo)
    app.cli.add_command(make_admin)
    app.cli.add_command(geocode_pending)


@click.command("demo")
@with_appcontext
@click.option(
    "--if-empty", is_flag=True, help="Do nothing (and succeed) when the database has data."
)
def demo(if_empty: bool) -> None:
    """Fill an empty database with demo cities, venues, people and upcoming gatherings."""
    from meetups import demo as demo_data

    if not demo_data.is_empty():
        if if_empty:
            click.echo("The database already has data; demo data not loaded.")
            return
        raise click.ClickException(
            "The database is not empty; demo data is only loaded into an empty one."
        )
    summary = demo_data.load()
    db.session.commit()
    click.echo(
        f"Demo data loaded: {summary['users']} people, {summary['cities']} cities, "
        f"{summary['gatherings']} gatherings."
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
    from meetups.gatherings.services import venue_moved
    from meetups.places import geocoding
    from meetups.places.models import Venue

    venue_ids = geocoding.pending_venue_ids()
    located = 0
    for number, venue_id in enumerate(venue_ids, 1):
        venue = db.session.get(Venue, venue_id)
        found = geocoding.locate(venue)
        if found:
            venue_moved(venue.id)
        outcome = (
            f"located ({venue.geocoded_by}, {venue.geocode_precision})" if found else "not located"
        )
        line = f"[{number}/{len(venue_ids)}] {venue.name}, {venue.city.name}: {outcome}"
        db.session.commit()  # as it goes: an interrupted run keeps what it found
        located += found
        click.echo(line)
    click.echo(f"Located {located} of {len(venue_ids)} venues.")
