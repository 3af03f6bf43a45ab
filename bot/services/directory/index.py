"""The in-memory search index: every service as one compact entry, bucketed by region and
category, built from the database and rebuilt when the directory version changes.

One index per database engine, built on first use (never at import time). A search reads the
directory version at most every ``CHECK_SECONDS`` so that another process's import or capacity
update is seen quickly without a query per search.
"""

from __future__ import annotations

import asyncio
import gc
import time as _time
import weakref
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.directory import (
    DirectoryAddress,
    DirectoryAttribute,
    DirectoryLanguage,
    DirectoryLocation,
    DirectoryOrganization,
    DirectoryPhone,
    DirectorySchedule,
    DirectoryService,
    DirectoryTaxonomyTerm,
    DirectoryUnit,
    ServiceArea,
    ServiceAtLocation,
    ServiceCapacity,
    ServiceCategory,
    ServiceRegion,
)
from bot.services.directory.hours import Opening, compile_schedule
from bot.services.directory.state import current_version
from bot.services.directory.weights import (
    W_CAPACITY,
    W_HERE,
    W_LANGUAGE,
    W_NEEDS,
    W_TEXT,
    W_VERIFIED,
)
from knowledge.text import normalise

CHECK_SECONDS = 2.0
LANGUAGE_CODES = {"eng": "en", "fra": "fr", "fre": "fr", "spa": "es", "ara": "ar", "hat": "ht",
                  "cre": "cr", "iku": "iu", "english": "en", "french": "fr", "francais": "fr",
                  "anglais": "en", "espagnol": "es", "spanish": "es"}


@dataclass(frozen=True, slots=True)
class Capacity:
    available: float
    maximum: float | None
    unit: str
    updated: datetime


@dataclass(frozen=True, slots=True)
class Entry:
    """What search, ranking and the answer need about one service."""

    id: int
    hsds_id: str
    name: str
    name_en: str | None
    organization: str
    organization_en: str | None
    description: str | None
    description_en: str | None
    eligibility: str | None
    eligibility_en: str | None
    status: str
    categories: frozenset[str]
    regions: frozenset[str]
    province_wide: bool
    min_age: float | None
    max_age: float | None
    languages: tuple[str, ...]
    open_24_7: bool
    timezone: str
    openings: tuple[Opening, ...]
    capacity: Capacity | None
    assured_date: date | None
    phone: str | None
    city: str | None
    address: str | None
    confidential: bool
    tokens: frozenset[str]
    alert: str | None = None

    @property
    def active(self) -> bool:
        return self.status == "active"

    def display_name(self, lang: str) -> str:
        return (self.name_en or self.name) if lang == "en" else self.name

    def display_organization(self, lang: str) -> str:
        return (self.organization_en or self.organization) if lang == "en" else self.organization


ALL = ""  # the bucket of every category
PROVINCE_SCOPE = "*"  # the scope of province-wide services (regions are for local ones)


def static_bound(entry: Entry, today: date) -> float:
    """An upper bound of every ranking component except "open now" (see ``ranking.score``):
    the capacity bonus only if places were available, the language bonus only if the service
    lists languages, "located here" only if it has a city, verification as of ``today`` (it can
    only get older)."""
    value = W_CAPACITY * (2 if entry.capacity is not None and entry.capacity.available > 0 else 1)
    if entry.languages:
        value += W_LANGUAGE
    if entry.assured_date is not None:
        value += W_VERIFIED * max(0, 12 - max(0, (today - entry.assured_date).days) // 30)
    if entry.city and not entry.province_wide:
        value += 2 * W_HERE
    return value + W_NEEDS + W_TEXT


@dataclass
class Bucket:
    """Positions of one (scope, category) bucket, split by what is known about opening hours
    (24/7, weekly hours, unknown) and each sorted by ``static_bound``, best first."""

    always: list[int] = field(default_factory=list)
    scheduled: list[int] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)
    # ``scheduled`` split into open / closed at some moment, valid from ``split_since`` until
    # the first change of any member's status (``split_until``, a timestamp)
    opened: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    split_since: float = 0.0
    split_until: float = 0.0

    def lists(self) -> tuple[list[int], list[int], list[int]]:
        return self.always, self.scheduled, self.unknown


@dataclass
class DirectoryIndex:
    """Entries plus buckets keyed by (region code or "*" for province-wide, category or "")."""

    entries: list[Entry] = field(default_factory=list)
    buckets: dict[tuple[str, str], Bucket] = field(default_factory=dict)
    bound: list[float] = field(default_factory=list)
    open_value: list[bool | None] = field(default_factory=list)
    open_since: list[float] = field(default_factory=list)
    open_until: list[float] = field(default_factory=list)
    by_id: dict[int, int] = field(default_factory=dict)
    by_hsds: dict[str, int] = field(default_factory=dict)
    version: int = -1
    today: date = field(default_factory=lambda: datetime.now(UTC).date())

    @classmethod
    def from_entries(cls, entries: list[Entry], version: int = 0, today: date | None = None) -> DirectoryIndex:
        index = cls(entries=entries, version=version, today=today or datetime.now(UTC).date())
        index.bound = [static_bound(e, index.today) for e in entries]
        index.open_value = [None] * len(entries)
        index.open_since = [0.0] * len(entries)
        index.open_until = [0.0] * len(entries)
        index.by_id = {e.id: i for i, e in enumerate(entries)}
        index.by_hsds = {e.hsds_id: i for i, e in enumerate(entries)}
        for pos, entry in enumerate(entries):
            for key in index.keys_of(entry):
                bucket = index.buckets.get(key)
                if bucket is None:
                    bucket = index.buckets[key] = Bucket()
                index._class_list(bucket, entry).append(pos)
        for bucket in index.buckets.values():
            for positions in bucket.lists():
                positions.sort(key=index._order)
        return index

    def rebase(self, today: date) -> None:
        """Bounds as of an earlier ``today`` (a clock behind the build date, as in tests)."""
        self.today = today
        self.bound = [static_bound(e, today) for e in self.entries]
        for bucket in self.buckets.values():
            for positions in bucket.lists():
                positions.sort(key=self._order)
            bucket.split_until = 0.0

    def _order(self, pos: int) -> tuple[float, int]:
        return (-self.bound[pos], pos)

    @staticmethod
    def keys_of(entry: Entry) -> list[tuple[str, str]]:
        scopes = (PROVINCE_SCOPE,) if entry.province_wide else tuple(entry.regions)
        return [(scope, cat) for scope in scopes for cat in (ALL, *entry.categories)]

    @staticmethod
    def _class_list(bucket: Bucket, entry: Entry) -> list[int]:
        if entry.open_24_7:
            return bucket.always
        return bucket.scheduled if entry.openings else bucket.unknown

    def get(self, service_id: int) -> Entry | None:
        pos = self.by_id.get(service_id)
        return None if pos is None else self.entries[pos]

    def set_capacity(self, service_id: int, capacity: Capacity | None) -> None:
        """Update one entry in place after a capacity change (no rebuild): its bound may move,
        so the buckets holding it are re-sorted."""
        pos = self.by_id.get(service_id)
        if pos is None:
            return
        entry = self.entries[pos] = replace(self.entries[pos], capacity=capacity)
        bound = static_bound(entry, self.today)
        if bound == self.bound[pos]:
            return
        self.bound[pos] = bound
        for key in self.keys_of(entry):
            bucket = self.buckets[key]
            self._class_list(bucket, entry).sort(key=self._order)
            bucket.split_until = 0.0


def _language_code(code: str | None, name: str | None) -> str | None:
    for value in (code, name):
        if value:
            key = normalise(value)
            if len(key) == 2:
                return key
            if key in LANGUAGE_CODES:
                return LANGUAGE_CODES[key]
    return None


def _words(*texts: str | None) -> set[str]:
    out: set[str] = set()
    for text in texts:
        if text:
            out.update(w for w in normalise(text).split() if len(w) > 1)
    return out


async def build_index(session: AsyncSession) -> DirectoryIndex:
    """Read every service and what it needs into a fresh index."""
    version = await current_version(session)
    s = DirectoryService
    rows = (await session.execute(
        select(s.id, s.hsds_id, s.name, s.name_en, s.alternate_name, s.description,
               s.description_en, s.eligibility_description, s.eligibility_en, s.status,
               s.province_wide, s.minimum_age, s.maximum_age, s.open_24_7, s.timezone,
               s.assured_date, s.confidential_address, s.alert,
               DirectoryOrganization.name.label("org_name"),
               DirectoryOrganization.name_en.label("org_name_en"))
        .join(DirectoryOrganization, s.organization_id == DirectoryOrganization.id)
    )).all()
    regions: dict[int, set[str]] = defaultdict(set)
    for sid, region in (await session.execute(select(ServiceRegion.service_id, ServiceRegion.region))).all():
        regions[sid].add(region)
    categories: dict[int, set[str]] = defaultdict(set)
    for sid, cat in (await session.execute(select(ServiceCategory.service_id, ServiceCategory.category))).all():
        categories[sid].add(cat)

    sal_service: dict[int, int] = {}
    sal_location: dict[int, list[int]] = defaultdict(list)
    for sal_id, sid, lid in (await session.execute(
        select(ServiceAtLocation.id, ServiceAtLocation.service_id, ServiceAtLocation.location_id)
    )).all():
        sal_service[sal_id] = sid
        sal_location[sid].append(lid)

    languages: dict[int, list[str]] = defaultdict(list)
    for sid, code, name in (await session.execute(
        select(DirectoryLanguage.service_id, DirectoryLanguage.code, DirectoryLanguage.name)
        .where(DirectoryLanguage.service_id.is_not(None))
    )).all():
        lang = _language_code(code, name)
        if lang and lang not in languages[sid]:
            languages[sid].append(lang)

    openings: dict[int, list[Opening]] = defaultdict(list)
    d = DirectorySchedule
    for sched in (await session.execute(
        select(d.service_id, d.service_at_location_id, d.freq, d.byday, d.opens_at, d.closes_at,
               d.valid_from, d.valid_to)
    )).all():
        sid = sched.service_id or sal_service.get(sched.service_at_location_id or -1)
        if sid is None:
            continue
        openings[sid].extend(compile_schedule(
            freq=sched.freq, byday=sched.byday, opens_at=sched.opens_at,
            closes_at=sched.closes_at, valid_from=sched.valid_from, valid_to=sched.valid_to,
        ))

    capacities: dict[int, Capacity] = {}
    c = ServiceCapacity
    for cap in (await session.execute(
        select(c.service_id, c.available, c.maximum, c.updated, DirectoryUnit.name.label("unit"))
        .join(DirectoryUnit, c.unit_id == DirectoryUnit.id)
    )).all():
        unit_name = cap.unit
        current = capacities.get(cap.service_id)
        if current is None or cap.updated > current.updated:
            capacities[cap.service_id] = Capacity(cap.available, cap.maximum, unit_name, cap.updated)

    phones: dict[int, tuple[int, str]] = {}
    for sid, sal_id, number, ext in (await session.execute(
        select(DirectoryPhone.service_id, DirectoryPhone.service_at_location_id,
               DirectoryPhone.number, DirectoryPhone.extension).order_by(DirectoryPhone.id)
    )).all():
        owner = sid or sal_service.get(sal_id or -1)
        if owner is None:
            continue
        rank = 0 if sid else 1
        text = number.strip().strip('"') + (f" #{ext}" if ext else "")
        if owner not in phones or rank < phones[owner][0]:
            phones[owner] = (rank, text)

    addresses: dict[int, tuple[str | None, str | None, bool]] = {}
    location_info: dict[int, tuple[bool, str | None, str | None]] = {}
    for lid, confidential, city, line in (await session.execute(
        select(DirectoryLocation.id, DirectoryLocation.confidential, DirectoryAddress.city,
               DirectoryAddress.address_1)
        .join(DirectoryAddress, DirectoryAddress.location_id == DirectoryLocation.id, isouter=True)
        .order_by(DirectoryAddress.id)
    )).all():
        location_info.setdefault(lid, (confidential, city, line))
    for sid, lids in sal_location.items():
        for lid in lids:
            if lid in location_info:
                confidential, city, line = location_info[lid]
                addresses[sid] = (city, line, confidential)
                break

    terms: dict[str, set[str]] = defaultdict(set)
    for link_id, name in (await session.execute(
        select(DirectoryAttribute.link_id, DirectoryTaxonomyTerm.name)
        .join(DirectoryTaxonomyTerm, DirectoryAttribute.taxonomy_term_id == DirectoryTaxonomyTerm.id)
    )).all():
        terms[link_id].add(name)
    area_names: dict[int, list[str]] = defaultdict(list)
    for sid, name in (await session.execute(select(ServiceArea.service_id, ServiceArea.name))).all():
        if name and len(name) < 80:
            area_names[sid].append(name)

    shared: dict[Any, Any] = {}  # identical sets and strings are stored once

    def same(value: Any) -> Any:
        return shared.setdefault(value, value)

    entries: list[Entry] = []
    for service in rows:
        sid = service.id
        org_name, org_name_en = service.org_name, service.org_name_en
        city, line, loc_confidential = addresses.get(sid, (None, None, False))
        confidential = service.confidential_address or loc_confidential
        entries.append(Entry(
            id=sid,
            hsds_id=service.hsds_id,
            name=service.name,
            name_en=service.name_en,
            organization=org_name,
            organization_en=org_name_en,
            description=service.description,
            description_en=service.description_en,
            eligibility=service.eligibility_description,
            eligibility_en=service.eligibility_en,
            status=service.status,
            categories=same(frozenset(categories.get(sid, ()))),
            regions=same(frozenset(regions.get(sid, ()))),
            province_wide=service.province_wide,
            min_age=service.minimum_age,
            max_age=service.maximum_age,
            languages=same(tuple(languages.get(sid, ()))),
            open_24_7=service.open_24_7,
            timezone=same(service.timezone),
            openings=same(tuple(openings.get(sid, ()))),
            capacity=capacities.get(sid),
            assured_date=service.assured_date,
            phone=phones[sid][1] if sid in phones else None,
            city=city,
            address=None if confidential else line,
            confidential=confidential,
            tokens=same(frozenset(same(w) for w in _words(
                service.name, service.name_en, service.alternate_name, org_name, org_name_en,
                service.description, service.description_en, service.eligibility_description,
                service.eligibility_en, *terms.get(service.hsds_id, ()), *area_names.get(sid, ()),
            ))),
            alert=service.alert,
        ))
    entries.sort(key=lambda e: e.id)
    return DirectoryIndex.from_entries(entries, version)


class IndexHolder:
    """The index of one database, rebuilt when the directory version moves."""

    def __init__(self) -> None:
        self.index: DirectoryIndex | None = None
        self.checked_at = 0.0
        self.lock = asyncio.Lock()
        self.check_seconds = CHECK_SECONDS

    def invalidate(self) -> None:
        self.index = None

    async def get(self, session: AsyncSession) -> DirectoryIndex:
        index = self.index
        if index is not None and _time.monotonic() - self.checked_at < self.check_seconds:
            return index
        async with self.lock:
            if self.index is not None and _time.monotonic() - self.checked_at < self.check_seconds:
                return self.index
            if self.index is not None and await current_version(session) == self.index.version:
                self.checked_at = _time.monotonic()
                return self.index
            self.index = await build_index(session)
            # the index is long-lived: keep the collector from re-scanning its objects on every
            # full collection (a pause of tens of milliseconds at 50,000 services)
            gc.freeze()
            self.checked_at = _time.monotonic()
            return self.index


_HOLDERS: weakref.WeakKeyDictionary[Any, IndexHolder] = weakref.WeakKeyDictionary()


def holder_for(session: AsyncSession) -> IndexHolder:
    """The index holder of the session's database (one per engine)."""
    engine = session.get_bind()
    holder = _HOLDERS.get(engine)
    if holder is None:
        holder = _HOLDERS[engine] = IndexHolder()
    return holder


def app_holder(app: Any) -> IndexHolder:
    """The holder for ``app``'s engine, also kept in ``app.services["directory_index"]``."""
    holder = app.services.get("directory_index")
    if holder is None:
        engine = app.engine.sync_engine
        holder = _HOLDERS.get(engine) or IndexHolder()
        _HOLDERS[engine] = holder
        app.services["directory_index"] = holder
    return holder


async def get_index(session: AsyncSession) -> DirectoryIndex:
    return await holder_for(session).get(session)


def invalidate(session: AsyncSession) -> None:
    """Forget the index of the session's database (after an import)."""
    holder_for(session).invalidate()
