"""Cities (from the offline gazetteer) and the venues where people meet."""

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetups.dates import UTCDateTime, utcnow
from meetups.extensions import db


class City(db.Model):
    """A city people meet in; rows are created from the gazetteer the first time someone uses one."""

    __tablename__ = "cities"

    id: Mapped[int] = mapped_column(primary_key=True)
    geonameid: Mapped[int | None] = mapped_column(unique=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    timezone: Mapped[str] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<City {self.slug}>"


class GeocodeStatus:
    PENDING = "pending"  # not tried yet, or the last try failed: geocode-pending retries it
    LOCATED = "located"
    MANUAL = "manual"  # placed by a person: never re-geocoded


SHARED = "owner_id IS NULL"
OWNED = "owner_id IS NOT NULL"


class Venue(db.Model):
    """A named place at an address in a city; located (latitude/longitude) once geocoded.

    Shared (no owner) by everyone who meets at that name and address, or one person's own
    placement of it: each has at most one of each.
    """

    __tablename__ = "venues"
    __table_args__ = (
        Index(
            "uq_venues_city_id_name_address_shared",
            "city_id",
            "name",
            "address",
            unique=True,
            sqlite_where=text(SHARED),
            postgresql_where=text(SHARED),
        ),
        Index(
            "uq_venues_city_id_name_address_owner_id",
            "city_id",
            "name",
            "address",
            "owner_id",
            unique=True,
            sqlite_where=text(OWNED),
            postgresql_where=text(OWNED),
        ),
        Index("ix_venues_latitude_longitude", "latitude", "longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    # Whose own placement this is; None for the shared venue. By table name: places know no
    # people, only that one may own a placement.
    # None for the shared venue; a deleted account's placements are made shared (or merged
    # into the shared one) by the account's deletion, before the account goes.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    geocode_status: Mapped[str] = mapped_column(
        String(16), default=GeocodeStatus.PENDING, server_default=GeocodeStatus.PENDING
    )
    geocoded_by: Mapped[str | None] = mapped_column(String(32))
    geocode_precision: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    city: Mapped[City] = relationship()

    @property
    def is_located(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def __repr__(self) -> str:
        return f"<Venue {self.id} {self.name!r}>"


class GeocodeResult(db.Model):
    """A geocoder's match for one normalised address in one city: no service is asked twice."""

    __tablename__ = "geocode_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "<city geonameid or slug>:<address folded by gazetteer.normalise>", see geocoding.cache_key
    query_key: Mapped[str] = mapped_column(String(500), unique=True)
    provider: Mapped[str] = mapped_column(String(32))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    precision: Mapped[str] = mapped_column(String(32))
    label: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<GeocodeResult {self.query_key!r} by {self.provider}>"
