"""After loading, derive what search needs for each imported service: categories and regions.

Categories come from the taxonomy terms attached to the service, regions from
:mod:`knowledge.hsds_import.coverage`; both replace the service's previous links. What cannot be
mapped (a term matching no category, an attribute linked to nothing, a service with no region)
goes into the report, never into an error.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.directory import (
    DirectoryAddress,
    DirectoryAttribute,
    DirectoryTaxonomyTerm,
    ServiceAtLocation,
    ServiceCategory,
    ServiceRegion,
)
from knowledge.hsds_import.coverage import service_regions

if TYPE_CHECKING:
    from knowledge.hsds_import.load import Loader


async def derive(loader: Loader, services: dict[str, dict[str, Any]]) -> None:
    """Set the categories and regions of every loaded service; note what could not be mapped."""
    service_objs = {i: loader.objects["service"][i] for i in services}
    categories = await _service_categories(loader.session, service_objs)
    await _note_unmapped(loader, service_objs)
    areas = defaultdict(list)
    for r in loader.values["service_area"].values():
        areas[r["service_id"]].append(r)
    addresses = await _service_addresses(loader.session, service_objs)
    for hsds, obj in service_objs.items():
        wanted = categories.get(hsds, set())
        for link in [c for c in obj.category_links if c.category not in wanted]:
            obj.category_links.remove(link)
        have = {c.category for c in obj.category_links}
        obj.category_links.extend(ServiceCategory(category=c) for c in sorted(wanted - have))
        regions, province, notes = service_regions(
            loader.gazetteer, hsds, loader.values["service"][hsds], areas.get(hsds, []),
            addresses.get(hsds, []))
        obj.province_wide = province
        for link in [r for r in obj.region_links if r.region not in regions]:
            obj.region_links.remove(link)
        have = {r.region for r in obj.region_links}
        obj.region_links.extend(ServiceRegion(region=c) for c in sorted(regions - have))
        loader.report.unmapped.extend(notes)
    await loader.session.flush()


async def _service_categories(session: AsyncSession,
                              service_objs: dict[str, Any]) -> dict[str, set[str]]:
    """The Relais categories of each service, from the taxonomy terms of its attributes."""
    by_pk = {obj.id: hsds for hsds, obj in service_objs.items()}
    pks = list(by_pk)
    categories: dict[str, set[str]] = defaultdict(set)
    for start in range(0, len(pks), 500):
        chunk = [by_pk[pk] for pk in pks[start : start + 500]]
        rows = await session.execute(
            select(DirectoryAttribute.link_id, DirectoryTaxonomyTerm)
            .join(DirectoryTaxonomyTerm, DirectoryAttribute.taxonomy_term_id == DirectoryTaxonomyTerm.id)
            .where(DirectoryAttribute.link_id.in_(chunk))
        )
        for link_id, term in rows.all():
            if term.category:
                categories[link_id].add(term.category)
    return categories


async def _note_unmapped(loader: Loader, service_objs: dict[str, Any]) -> None:
    """Report taxonomy terms matching no category and attributes that apply to nothing."""
    unmapped_terms: dict[str, str] = {}
    for hsds_id in loader.values["taxonomy_term"]:
        term = loader.objects["taxonomy_term"][hsds_id]
        if not term.category:
            unmapped_terms[hsds_id] = (
                f"taxonomy term {term.name!r}"
                + (f" (code {term.code!r})" if term.code else "")
                + " matches no Relais category; kept as search text"
            )
    loader.report.unmapped.extend(unmapped_terms.values())
    for hsds, r in loader.values["attribute"].items():
        if (r["link_id"] not in service_objs and r["link_id"] not in loader.objects["organization"]
                and r["link_id"] not in loader.objects["location"]):
            known = await loader.lookup("service", r["link_id"])
            if known is None:
                loader.report.unmapped.append(
                    f"attribute {hsds} links to {r['link_id']!r}, which is no service, "
                    "organization or location here; it was kept but applies to nothing"
                )


async def _service_addresses(session: AsyncSession,
                             service_objs: dict[str, Any]) -> dict[str, list[Any]]:
    """The addresses of each service's locations, for services with no usable service area."""
    out: dict[str, list[Any]] = defaultdict(list)
    by_pk = {obj.id: hsds for hsds, obj in service_objs.items()}
    pks = list(by_pk)
    for start in range(0, len(pks), 500):
        rows = await session.execute(
            select(ServiceAtLocation.service_id, DirectoryAddress)
            .join(DirectoryAddress, DirectoryAddress.location_id == ServiceAtLocation.location_id)
            .where(ServiceAtLocation.service_id.in_(pks[start : start + 500]))
        )
        for service_pk, address in rows.all():
            out[by_pk[service_pk]].append(address)
    return out
