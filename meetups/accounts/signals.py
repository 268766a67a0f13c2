"""What account entry points report before their commit, for the layers above (e-mail)."""

from blinker import Namespace

_signals = Namespace()

# user: someone asked for a password reset link for this account.
reset_asked = _signals.signal("password-reset-asked")
