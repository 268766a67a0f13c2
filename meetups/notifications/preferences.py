"""What each person chose to receive: read with the defaults, saved in one upsert."""

from sqlalchemy.dialects import postgresql, sqlite

from meetups.dates import utcnow
from meetups.extensions import db
from meetups.notifications.models import Rhythm, Settings

# What a List-Unsubscribe link of each topic turns off.
TURNED_OFF = {
    "reminders": {"reminders": False},
    "news": {"pack_news": Rhythm.OFF, "city_news": Rhythm.OFF},
    "join_requests": {"join_requests": False},
}
CHOICES = ("reminders", "pack_news", "city_news", "join_requests")


def of(user_id: int) -> Settings:
    """This person's settings, or the defaults (a row not in the session) if they never chose."""
    return db.session.get(Settings, user_id, populate_existing=True) or Settings.defaults(user_id)


def save(user_id: int, **changes) -> None:
    """Set these choices, the others kept (or the defaults): one INSERT ... ON CONFLICT DO
    UPDATE, so two submits at once leave one row, not an error."""
    defaults = Settings.defaults(user_id)
    changes = {name: changes[name] for name in CHOICES if name in changes}
    changes["updated_at"] = utcnow()
    row = {name: getattr(defaults, name) for name in CHOICES} | changes
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(Settings.__table__).values(user_id=user_id, **row)
    db.session.execute(statement.on_conflict_do_update(index_elements=["user_id"], set_=changes))
