"""What pack entry points report before their commit, for the layers above (e-mail)."""

from blinker import Namespace

_signals = Namespace()

# pack, membership: someone asked to join a pack that approves its members.
join_asked = _signals.signal("pack-join-asked")
