"""What `tick` does, each step idempotent: the next occurrences of series, quorum decisions,
reminders and digests (queued mails have keys), and forgetting mails sent long ago."""

from collections.abc import Iterator
from datetime import datetime

from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings import deciding, recurring
from meetups.notifications import digest, reminders_due, sending


def run(now: datetime | None = None) -> Iterator[str]:
    """Run every time-based step, committing each; yield one line per step for the CLI."""
    now = now or utcnow()
    steps: list = [  # (describe(count) -> str, function(now) -> int) pairs
        (recurring.describe_made, recurring.keep_horizons),
        (deciding.describe, deciding.decide),
        (reminders_due.describe, reminders_due.queue_reminders),
        (digest.describe, digest.queue_digests),
        (sending.describe_purge, sending.purge),
    ]
    for describe, step in steps:
        count = step(now)
        db.session.commit()
        yield describe(count)
