"""What `tick` does, each step idempotent (queued mails have keys): reminders, digests."""

from collections.abc import Iterator
from datetime import datetime

from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings import recurring


def run(now: datetime | None = None) -> Iterator[str]:
    """Run every time-based step, committing each; yield one line per step for the CLI."""
    now = now or utcnow()
    steps: list = [  # (name, function(now) -> int) pairs, added as features arrive
        (recurring.describe_made, recurring.keep_horizons),
    ]
    for describe, step in steps:
        count = step(now)
        db.session.commit()
        yield describe(count)
    if not steps:
        yield "Nothing to do."
