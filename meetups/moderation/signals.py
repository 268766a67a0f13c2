"""What moderation reports before its entry point's one commit: the layers above (e-mail) act
on it in the same transaction. The sender is the app."""

from blinker import Namespace

from meetups.gatherings.signals import report  # noqa: F401 - one way to send, for every feature

_signals = Namespace()

# report (models.Report): someone reported a gathering or a profile, or changed their reason.
reported = _signals.signal("reported")
# removed (gatherings: list of Gathering, by: User): an admin hid them (hide, or a suspension).
removed = _signals.signal("removed")
