"""What entry points report after a service changed a gathering, before their one commit:
the layers above (e-mail) act on it in the same transaction. The sender is the app."""

from blinker import Namespace

_signals = Namespace()

# gathering: the new gathering (its organiser going).
proposed = _signals.signal("gathering-proposed")
# gathering, user, outcome (services.RsvpOutcome): someone answered.
answered = _signals.signal("rsvp-answered")
# gathering, edit (services.Edit), by (who edited).
edited = _signals.signal("gathering-edited")
# gathering: its quorum is reached (by an answer, an edit or tick's decision): it is on.
confirmed = _signals.signal("gathering-confirmed")
# gathering, by: it is called off (by None: tick called it off, short of its quorum).
cancelled = _signals.signal("gathering-cancelled")
# gathering, promoted (user ids), by: it is on again.
reinstated = _signals.signal("gathering-reinstated")


def report(signal, **what) -> None:
    """Tell whoever listens on this app what just happened (before the caller commits)."""
    from flask import current_app

    signal.send(current_app._get_current_object(), **what)
