"""Which ORM model stores each HSDS table: shared by the reference check and the loader."""

from __future__ import annotations

from bot.models.directory import (
    DirectoryAddress,
    DirectoryAttribute,
    DirectoryContact,
    DirectoryLanguage,
    DirectoryLocation,
    DirectoryOrganization,
    DirectoryPhone,
    DirectorySchedule,
    DirectoryService,
    DirectoryTaxonomy,
    DirectoryTaxonomyTerm,
    DirectoryUnit,
    ServiceArea,
    ServiceAtLocation,
    ServiceCapacity,
)

MODELS: dict[str, type] = {
    "organization": DirectoryOrganization,
    "taxonomy": DirectoryTaxonomy,
    "taxonomy_term": DirectoryTaxonomyTerm,
    "unit": DirectoryUnit,
    "location": DirectoryLocation,
    "address": DirectoryAddress,
    "service": DirectoryService,
    "service_at_location": ServiceAtLocation,
    "service_area": ServiceArea,
    "contact": DirectoryContact,
    "phone": DirectoryPhone,
    "language": DirectoryLanguage,
    "schedule": DirectorySchedule,
    "attribute": DirectoryAttribute,
    "service_capacity": ServiceCapacity,
}
