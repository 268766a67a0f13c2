"""The content version that every write bumps, so cached feeds know when to rebuild."""

from sqlalchemy.orm import Mapped, mapped_column

from meetups.extensions import db


class ContentVersion(db.Model):
    """A single row: its version rises with every change that could show in a feed."""

    __tablename__ = "content_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0, server_default="0")
