"""The summary an import prints: counts, and what was kept aside or could not be mapped."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ImportReport:
    """What an import did and what it could not map (never an error)."""

    organizations: int = 0
    services: int = 0
    created: int = 0
    updated: int = 0
    service_ids: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [f"{self.services} service(s) of {self.organizations} organization(s) imported "
               f"({self.created} new, {self.updated} updated)"]
        for name, count in sorted(self.skipped.items()):
            out.append(f"not kept: {name} ({count} row(s); Relais does not use this table)")
        out += [f"not mapped: {note}" for note in self.unmapped]
        return out
