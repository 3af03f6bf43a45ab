"""The partner directory: HSDS 3.0 objects (plus 3.1 service capacity) and our extensions.

HSDS ids (strings) are kept in unique ``hsds_id`` columns so that imports upsert and exports give
them back; integer primary keys keep callback data short. Our extensions beside HSDS: French and
English text, the regions a service serves (a table, queryable), an open-24/7 flag, an IANA time
zone, a confidential-address flag (never shown in chat) and the workers who receive a service's
handoffs (``service_receivers``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, UTCDateTime

HSDS_ID = 64


class DirectoryOrganization(Base):
    """HSDS ``organization``: who delivers services."""

    __tablename__ = "directory_organizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hsds_id: Mapped[str] = mapped_column(String(HSDS_ID), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300), nullable=True)
    alternate_name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    description_en: Mapped[str | None] = mapped_column(Text, nullable=True)
    email: Mapped[str | None] = mapped_column(String(300), nullable=True)
    website: Mapped[str | None] = mapped_column(String(500), nullable=True)
    parent_hsds_id: Mapped[str | None] = mapped_column(String(HSDS_ID), nullable=True)
    extra: Mapped[dict] = mapped_column(JSON, default=dict)

    services: Mapped[list[DirectoryService]] = relationship(back_populates="organization")


class DirectoryService(Base):
    """HSDS ``service`` with our bilingual text, regions, hours and verification fields."""

    __tablename__ = "directory_services"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hsds_id: Mapped[str] = mapped_column(String(HSDS_ID), unique=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("directory_organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300), nullable=True)
    alternate_name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    description_en: Mapped[str | None] = mapped_column(Text, nullable=True)
    url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    email: Mapped[str | None] = mapped_column(String(300), nullable=True)
    status: Mapped[str] = mapped_column(String(32), default="active", index=True)
    interpretation_services: Mapped[str | None] = mapped_column(Text, nullable=True)
    application_process: Mapped[str | None] = mapped_column(Text, nullable=True)
    eligibility_description: Mapped[str | None] = mapped_column(Text, nullable=True)
    eligibility_en: Mapped[str | None] = mapped_column(Text, nullable=True)
    minimum_age: Mapped[float | None] = mapped_column(Float, nullable=True)
    maximum_age: Mapped[float | None] = mapped_column(Float, nullable=True)
    alert: Mapped[str | None] = mapped_column(Text, nullable=True)
    assured_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    last_modified: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    open_24_7: Mapped[bool] = mapped_column(Boolean, default=False)
    timezone: Mapped[str] = mapped_column(String(64), default="America/Toronto")
    confidential_address: Mapped[bool] = mapped_column(Boolean, default=False)
    province_wide: Mapped[bool] = mapped_column(Boolean, default=False)
    extra: Mapped[dict] = mapped_column(JSON, default=dict)

    organization: Mapped[DirectoryOrganization] = relationship(back_populates="services")
    region_links: Mapped[list[ServiceRegion]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    category_links: Mapped[list[ServiceCategory]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def regions(self) -> list[str]:
        return sorted(link.region for link in self.region_links)

    @property
    def categories(self) -> list[str]:
        return sorted(link.category for link in self.category_links)


class ServiceRegion(Base):
    """A region code ("01".."17") a service serves; province-wide services have all of them."""

    __tablename__ = "directory_service_regions"

    service_id: Mapped[int] = mapped_column(
        ForeignKey("directory_services.id", ondelete="CASCADE"), primary_key=True
    )
    region: Mapped[str] = mapped_column(String(4), primary_key=True, index=True)


class ServiceCategory(Base):
    """One of our categories (``knowledge/data/taxonomy.json``) a service belongs to."""

    __tablename__ = "directory_service_categories"

    service_id: Mapped[int] = mapped_column(
        ForeignKey("directory_services.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class ServiceReceiver(Base):
    """A worker who receives handoff requests for a service and updates its capacity."""

    __tablename__ = "service_receivers"

    service_id: Mapped[int] = mapped_column(
        ForeignKey("directory_services.id", ondelete="CASCADE"), primary_key=True
    )
    worker_id: Mapped[int] = mapped_column(
        ForeignKey("workers.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DirectoryLocation(Base):
    """HSDS ``location``: a physical, postal or virtual place."""

    __tablename__ = "directory_locations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hsds_id: Mapped[str] = mapped_column(String(HSDS_ID), unique=True)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_organizations.id", ondelete="SET NULL"), nullable=True
    )
    location_type: Mapped[str] = mapped_column(String(16), default="physical")
    name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    alternate_name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    transportation: Mapped[str | None] = mapped_column(Text, nullable=True)
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)


class DirectoryAddress(Base):
    """HSDS ``address`` of a location."""

    __tablename__ = "directory_addresses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hsds_id: Mapped[str] = mapped_column(String(HSDS_ID), unique=True)
    location_id: Mapped[int] = mapped_column(
        ForeignKey("directory_locations.id", ondelete="CASCADE"), index=True
    )
    attention: Mapped[str | None] = mapped_column(String(300), nullable=True)
    address_1: Mapped[str | None] = mapped_column(String(300), nullable=True)
    address_2: Mapped[str | None] = mapped_column(String(300), nullable=True)
    city: Mapped[str | None] = mapped_column(String(200), nullable=True)
    region: Mapped[str | None] = mapped_column(String(200), nullable=True)
    state_province: Mapped[str | None] = mapped_column(String(100), nullable=True)
    postal_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    country: Mapped[str | None] = mapped_column(String(8), nullable=True)
    address_type: Mapped[str | None] = mapped_column(String(16), nullable=True)


class ServiceAtLocation(Base):
    """HSDS ``service_at_location``: a service delivered at a location."""

    __tablename__ = "directory_service_at_location"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hsds_id: Mapped[str] = mapped_column(String(HSDS_ID), unique=True)
    service_id: Mapped[int] = mapped_column(
        ForeignKey("directory_services.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[int] = mapped_column(
        ForeignKey("directory_locations.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str | None] = mapped_column(Text, nullable=True)


class ServiceArea(Base):
    """HSDS ``service_area``: the area a service serves, by name or extent."""

    __tablename__ = "directory_service_areas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hsds_id: Mapped[str] = mapped_column(String(HSDS_ID), unique=True)
    service_id: Mapped[int] = mapped_column(
        ForeignKey("directory_services.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str | None] = mapped_column(Text, nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    extent: Mapped[str | None] = mapped_column(Text, nullable=True)
    extent_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    uri: Mapped[str | None] = mapped_column(String(500), nullable=True)


class DirectoryLanguage(Base):
    """HSDS ``language`` of a service, location or phone (ISO 639 code)."""

    __tablename__ = "directory_languages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hsds_id: Mapped[str] = mapped_column(String(HSDS_ID), unique=True)
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_services.id", ondelete="CASCADE"), nullable=True, index=True
    )
    location_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_locations.id", ondelete="CASCADE"), nullable=True
    )
    phone_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_phones.id", ondelete="CASCADE"), nullable=True
    )
    name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class DirectorySchedule(Base):
    """HSDS ``schedule`` (iCal-like); ``timezone`` is HSDS's numeric UTC offset, the service's
    IANA zone lives on the service."""

    __tablename__ = "directory_schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hsds_id: Mapped[str] = mapped_column(String(HSDS_ID), unique=True)
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_services.id", ondelete="CASCADE"), nullable=True, index=True
    )
    location_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_locations.id", ondelete="CASCADE"), nullable=True
    )
    service_at_location_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_service_at_location.id", ondelete="CASCADE"), nullable=True
    )
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    dtstart: Mapped[date | None] = mapped_column(Date, nullable=True)
    timezone: Mapped[float | None] = mapped_column(Float, nullable=True)
    until: Mapped[date | None] = mapped_column(Date, nullable=True)
    count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    wkst: Mapped[str | None] = mapped_column(String(2), nullable=True)
    freq: Mapped[str | None] = mapped_column(String(16), nullable=True)
    interval: Mapped[int | None] = mapped_column(Integer, nullable=True)
    byday: Mapped[str | None] = mapped_column(String(64), nullable=True)
    byweekno: Mapped[str | None] = mapped_column(String(200), nullable=True)
    bymonthday: Mapped[str | None] = mapped_column(String(200), nullable=True)
    byyearday: Mapped[str | None] = mapped_column(String(200), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    opens_at: Mapped[str | None] = mapped_column(String(8), nullable=True)
    closes_at: Mapped[str | None] = mapped_column(String(8), nullable=True)
    schedule_link: Mapped[str | None] = mapped_column(String(500), nullable=True)
    attending_type: Mapped[str | None] = mapped_column(Text, nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)


class DirectoryContact(Base):
    """HSDS ``contact``: a person or desk to reach."""

    __tablename__ = "directory_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hsds_id: Mapped[str] = mapped_column(String(HSDS_ID), unique=True)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_organizations.id", ondelete="CASCADE"), nullable=True
    )
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_services.id", ondelete="CASCADE"), nullable=True
    )
    service_at_location_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_service_at_location.id", ondelete="CASCADE"), nullable=True
    )
    location_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_locations.id", ondelete="CASCADE"), nullable=True
    )
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    title: Mapped[str | None] = mapped_column(String(200), nullable=True)
    department: Mapped[str | None] = mapped_column(String(200), nullable=True)
    email: Mapped[str | None] = mapped_column(String(300), nullable=True)


class DirectoryPhone(Base):
    """HSDS ``phone``."""

    __tablename__ = "directory_phones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hsds_id: Mapped[str] = mapped_column(String(HSDS_ID), unique=True)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_organizations.id", ondelete="CASCADE"), nullable=True
    )
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_services.id", ondelete="CASCADE"), nullable=True, index=True
    )
    location_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_locations.id", ondelete="CASCADE"), nullable=True
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_contacts.id", ondelete="CASCADE"), nullable=True
    )
    service_at_location_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_service_at_location.id", ondelete="CASCADE"), nullable=True
    )
    number: Mapped[str] = mapped_column(String(64))
    extension: Mapped[str | None] = mapped_column(String(16), nullable=True)
    type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)


class DirectoryTaxonomy(Base):
    """HSDS ``taxonomy``: a vocabulary other directories use."""

    __tablename__ = "directory_taxonomies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hsds_id: Mapped[str] = mapped_column(String(HSDS_ID), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    uri: Mapped[str | None] = mapped_column(String(500), nullable=True)
    version: Mapped[str | None] = mapped_column(String(64), nullable=True)


class DirectoryTaxonomyTerm(Base):
    """HSDS ``taxonomy_term``; ``category`` is our category code when the term maps to one."""

    __tablename__ = "directory_taxonomy_terms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hsds_id: Mapped[str] = mapped_column(String(HSDS_ID), unique=True)
    code: Mapped[str | None] = mapped_column(String(200), nullable=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    parent_hsds_id: Mapped[str | None] = mapped_column(String(HSDS_ID), nullable=True)
    taxonomy: Mapped[str | None] = mapped_column(String(300), nullable=True)
    taxonomy_hsds_id: Mapped[str | None] = mapped_column(String(HSDS_ID), nullable=True)
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    term_uri: Mapped[str | None] = mapped_column(String(500), nullable=True)
    category: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)


class DirectoryAttribute(Base):
    """HSDS ``attribute``: links a taxonomy term to a service (or another object)."""

    __tablename__ = "directory_attributes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hsds_id: Mapped[str] = mapped_column(String(HSDS_ID), unique=True)
    link_id: Mapped[str] = mapped_column(String(HSDS_ID), index=True)
    link_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    link_entity: Mapped[str | None] = mapped_column(String(64), nullable=True)
    taxonomy_term_id: Mapped[int] = mapped_column(
        ForeignKey("directory_taxonomy_terms.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[str | None] = mapped_column(Text, nullable=True)


class DirectoryUnit(Base):
    """HSDS 3.1 ``unit`` of a capacity (beds, places, appointments)."""

    __tablename__ = "directory_units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hsds_id: Mapped[str] = mapped_column(String(HSDS_ID), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    scheme: Mapped[str | None] = mapped_column(String(100), nullable=True)
    identifier: Mapped[str | None] = mapped_column(String(100), nullable=True)
    uri: Mapped[str | None] = mapped_column(String(500), nullable=True)


class ServiceCapacity(Base):
    """HSDS 3.1 ``service_capacity``: e.g. beds available tonight, with when it was updated."""

    __tablename__ = "directory_service_capacities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hsds_id: Mapped[str] = mapped_column(String(HSDS_ID), unique=True)
    service_id: Mapped[int] = mapped_column(
        ForeignKey("directory_services.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("directory_units.id"))
    available: Mapped[float] = mapped_column(Float)
    maximum: Mapped[float | None] = mapped_column(Float, nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated: Mapped[datetime] = mapped_column(UTCDateTime)

    unit: Mapped[DirectoryUnit] = relationship(lazy="joined")


class DirectoryState(Base):
    """One row: a version bumped on every directory change, so that every process can tell
    when its in-memory search index is stale."""

    __tablename__ = "directory_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DirectoryReport(Base):
    """A worker's error report on a listing, until a coordinator resolves it.

    The description and the resolution note are screened by the chat and stored encrypted; the
    region is the listing's first, so that its coordinators find it.
    """

    __tablename__ = "directory_reports"
    __table_args__ = (Index("ix_directory_reports_status_region", "status", "region"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_services.id", ondelete="SET NULL"), nullable=True, index=True
    )
    service_name: Mapped[str] = mapped_column(String(300), default="")
    region: Mapped[str | None] = mapped_column(String(4), nullable=True)
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("workers.id", ondelete="SET NULL"), nullable=True
    )
    text_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open|resolved
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolver_id: Mapped[int | None] = mapped_column(
        ForeignKey("workers.id", ondelete="SET NULL"), nullable=True
    )
    resolution_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
