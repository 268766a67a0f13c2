"""A pack, and who belongs to it (organisers, members, pending requests)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetups.accounts.models import User
from meetups.dates import UTCDateTime, utcnow
from meetups.extensions import db
from meetups.places.models import City

MIN_NAME, MAX_NAME = 3, 80
MAX_SLUG = 90  # the name's slug, with room for a "-2" when two packs share a name
MAX_QUESTION = 200
MAX_ANSWER = 1000
MAX_DESCRIPTION = 5000


class JoinPolicy:
    OPEN = "open"  # a member at once
    APPROVAL = "approval"  # pending until an organiser approves
    ALL = (OPEN, APPROVAL)


class Role:
    ORGANISER = "organiser"
    MEMBER = "member"


class MemberStatus:
    PENDING = "pending"
    ACTIVE = "active"


class Pack(db.Model):
    """A standing group in one city; its slug, made from its name, never changes."""

    __tablename__ = "packs"
    __table_args__ = (
        CheckConstraint("join_policy IN ('open', 'approval')", name="join_policy_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(MAX_SLUG), unique=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    join_policy: Mapped[str] = mapped_column(
        String(16), default=JoinPolicy.OPEN, server_default=JoinPolicy.OPEN
    )
    join_question: Mapped[str | None] = mapped_column(String(MAX_QUESTION))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Raised by every change a pack's page or feed shows of the pack itself (its name).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    city: Mapped[City] = relationship()
    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="pack", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Pack {self.slug}>"


class Membership(db.Model):
    """One person in one pack: their role, whether the request is still pending, their answer."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("pack_id", "user_id"),
        CheckConstraint("role IN ('organiser', 'member')", name="role_known"),
        CheckConstraint("status IN ('pending', 'active')", name="status_known"),
        # "My packs", and the members list of a pack by role and status.
        Index("ix_memberships_user_id_status", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pack_id: Mapped[int] = mapped_column(ForeignKey("packs.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER)
    status: Mapped[str] = mapped_column(String(16), default=MemberStatus.ACTIVE)
    answer: Mapped[str | None] = mapped_column(Text)  # to the join question
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None while pending

    pack: Mapped[Pack] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status == MemberStatus.ACTIVE

    @property
    def is_organiser(self) -> bool:
        return self.is_active and self.role == Role.ORGANISER

    def __repr__(self) -> str:
        return f"<Membership {self.user_id} in {self.pack_id} {self.role} {self.status}>"
