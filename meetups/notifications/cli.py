"""`send-mail` and `tick`: the time-based work, meant for cron."""

import click
from flask.cli import with_appcontext

from meetups.notifications import sending


@click.command("send-mail")
@with_appcontext
def send_mail() -> None:
    """Send every queued e-mail that is due; print how many were sent and how many wait."""
    try:
        sending.check_configured()
    except sending.NotConfigured as problem:
        click.echo(f"{problem} {_waiting(sending.waiting())} kept in the outbox.")
        return
    report = sending.send_due(progress=lambda r: click.echo(f"… {r.sent} sent so far", err=True))
    click.echo(
        f"Sent {report.sent} e-mail(s); {_waiting(report.waiting)} waiting"
        f" ({report.retrying} to retry after an error, {report.failed} given up)."
    )


def _waiting(count: int) -> str:
    return f"{count} e-mail(s)"


@click.command("tick")
@with_appcontext
def tick() -> None:
    """Do what time decides: make the next occurrences of recurring gatherings, decide quorum
    gatherings, queue reminders and weekly digests, forget old mails; print what was done."""
    from meetups.notifications import timed

    for line in timed.run():
        click.echo(line)
