"""The answer as the worker reads it (HTML, their language) and as ``relais find --json`` prints it.

Every dynamic value is escaped; confidential addresses are never part of an entry, so they can
never be shown. Capacity older than 24 hours is shown as unknown.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from typing import Any

from bot.i18n import Text
from bot.services.directory.criteria import Criteria
from bot.services.directory.index import Entry
from bot.services.directory.ranking import capacity_is_fresh
from bot.services.directory.search import LINE, NEIGHBOUR, PROVINCE, Result, SearchOutcome
from knowledge.regions import load_regions, region_name
from knowledge.text import normalise

MESSAGE_LIMIT = 4096
BEDS = {"bed", "beds", "lit", "lits", "lit d urgence"}
PLACES = {"place", "places", "spot", "spots", "space", "spaces", "opening", "openings"}


def esc(value: object) -> str:
    return html.escape(str(value), quote=False)


def short(text: str | None, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def category_label(code: str, t: Text, taxonomy: Any) -> str:
    try:
        return taxonomy.label(code, t.lang)
    except KeyError:
        return code


def region_label(code: str, t: Text) -> str:
    try:
        return region_name(code, t.lang)
    except KeyError:
        return code


def language_name(code: str, t: Text) -> str:
    name = t.locale.languages.get(code)
    return name or code


def ago(delta: timedelta, t: Text) -> str:
    """ "il y a 3 h" / "3 hours ago"; "il y a 12 jours" / "12 days ago"."""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 1:
        return t.gettext("just now")
    if minutes < 60:
        return t.ngettext("{n} minute ago", "{n} minutes ago", minutes)
    hours = minutes // 60
    if hours < 48:
        return t.ngettext("{n} hour ago", "{n} hours ago", hours)
    return t.ngettext("{n} day ago", "{n} days ago", hours // 24)


def days_ago(days: int, t: Text) -> str:
    if days <= 0:
        return t.gettext("today")
    return t.ngettext("{n} day ago", "{n} days ago", days)


def age_text(age: int, t: Text) -> str:
    return t.ngettext("{n} year old", "{n} years old", age)


def criteria_line(criteria: Criteria, t: Text, taxonomy: Any) -> str:
    """ "🔎 Montérégie · 16 ans · Hébergement d'urgence jeunesse · ouvert maintenant" """
    parts: list[str] = []
    if criteria.regions:
        parts.append(" / ".join(region_label(code, t) for code in criteria.regions))
    else:
        parts.append(t.gettext("region to choose"))
    if criteria.age is not None:
        parts.append(age_text(criteria.age, t))
    elif criteria.youth:
        parts.append(t.gettext("a minor"))
    if criteria.needs:
        parts.extend(category_label(code, t, taxonomy) for code in criteria.needs)
    else:
        parts.append(t.gettext("any need"))
    if criteria.language:
        parts.append(t.gettext("in {language}", language=language_name(criteria.language, t)))
    if criteria.now:
        parts.append(t.gettext("open now"))
    if criteria.urgent:
        parts.append(t.gettext("urgent"))
    return "🔎 " + " · ".join(esc(p) for p in parts)


def unit_text(available: float, unit: str, t: Text) -> str:
    n = number(available)
    key = normalise(unit)
    if key in BEDS:
        return t.ngettext("{n} bed", "{n} beds", n)
    if key in PLACES:
        return t.ngettext("{n} place", "{n} places", n)
    return f"{t.number(n)} {unit}"


def capacity_text(entry: Entry, now: datetime, t: Text) -> str | None:
    capacity = entry.capacity
    if capacity is None:
        return None
    if not capacity_is_fresh(capacity, now):
        return "🛏 " + t.gettext("Availability unknown (not updated in the last 24 h)")
    return "🛏 " + t.gettext(
        "{count} · updated {ago}",
        count=unit_text(capacity.available, capacity.unit, t),
        ago=ago(now - capacity.updated, t),
    )


def ages_text(entry: Entry, t: Text) -> str:
    low, high = entry.min_age, entry.max_age
    if low is not None and high is not None:
        return t.gettext("For ages {low} to {high}", low=t.number(number(low)), high=t.number(number(high)))
    if low is not None:
        return t.gettext("For ages {low} and up", low=t.number(number(low)))
    if high is not None:
        return t.gettext("For ages up to {high}", high=t.number(number(high)))
    return t.gettext("All ages")


def open_text(result: Result, t: Text) -> str:
    if result.entry.open_24_7:
        return "🟢 " + t.gettext("Open 24/7")
    if result.open_now is True:
        return "🟢 " + t.gettext("Open now")
    if result.open_now is False:
        return "🔴 " + t.gettext("Closed right now")
    return "⚪ " + t.gettext("Opening hours not given")


def kind_text(result: Result, t: Text) -> str | None:
    if result.kind == NEIGHBOUR and result.via_region:
        return "↪️ " + t.gettext("Neighbouring region: {region}", region=region_label(result.via_region, t))
    if result.kind == LINE:
        return "☎️ " + t.gettext("Province-wide 24/7 line")
    if result.kind == PROVINCE:
        return "🌐 " + t.gettext("Serves all of Québec")
    return None


def result_block(number_: int, result: Result, t: Text, now: datetime, taxonomy: Any) -> str:
    entry = result.entry
    lines = [f"<b>{number_}. {esc(short(entry.display_name(t.lang), 120))}</b> — "
             f"{esc(short(entry.display_organization(t.lang), 80))}"]
    if (label := kind_text(result, t)) is not None:
        lines.append(esc(label))
    if entry.categories:
        lines.append(esc(" · ".join(category_label(c, t, taxonomy) for c in sorted(entry.categories))))
    else:
        description = entry.description_en if t.lang == "en" and entry.description_en else entry.description
        if description:
            lines.append(esc(short(description, 140)))
    who = ages_text(entry, t)
    eligibility = entry.eligibility_en if t.lang == "en" and entry.eligibility_en else entry.eligibility
    if eligibility:
        who += " — " + short(eligibility, 120)
    lines.append("👤 " + esc(who))
    status = open_text(result, t)
    if (capacity := capacity_text(entry, now, t)) is not None:
        status += " · " + capacity
    lines.append(esc(status))
    details = []
    if entry.languages:
        details.append("🗣 " + ", ".join(language_name(code, t) for code in entry.languages))
    if entry.assured_date is not None:
        details.append("✔️ " + t.gettext("verified {ago}", ago=days_ago((now.date() - entry.assured_date).days, t)))
    if details:
        lines.append(esc(" · ".join(details)))
    if entry.phone:
        lines.append("📞 " + esc(entry.phone))
    if entry.confidential:
        where = (entry.city + " · ") if entry.city else ""
        lines.append("📍 " + esc(where + t.gettext("confidential address")))
    elif entry.city:
        where = ", ".join(p for p in (entry.address, entry.city) if p)
        lines.append("📍 " + esc(short(where, 120)))
    if entry.alert:
        lines.append("⚠️ " + esc(short(entry.alert, 160)))
    return "\n".join(lines)


def answer_text(outcome: SearchOutcome, t: Text, now: datetime, taxonomy: Any) -> str:
    """The whole answer message for one page of results."""
    criteria = outcome.criteria
    parts = [criteria_line(criteria, t, taxonomy)]
    if outcome.nothing_local:
        regions = " / ".join(region_label(code, t) for code in criteria.regions)
        if outcome.results:
            parts.append(esc(t.gettext(
                "No service of {region} fits these criteria. Here is what the neighbouring "
                "regions and the province-wide 24/7 lines offer:", region=regions)))
        else:
            parts.append(esc(t.gettext(
                "No service in the directory fits these criteria, in {region} or nearby. "
                "Try another need, another age or without \"open now\".", region=regions)))
    elif outcome.widened and any(r.kind == NEIGHBOUR for r in outcome.results):
        regions = " / ".join(region_label(code, t) for code in criteria.regions)
        if criteria.near:
            parts.append(esc(t.gettext(
                "Services of the regions next to {region}, nearest first (each result shows "
                "its region); the region's own follow:", region=regions)))
        else:
            parts.append(esc(t.gettext(
                "Fewer than three services of {region} can take the youth now. Services of the "
                "neighbouring regions follow, nearest first (each shows its region), and the "
                "province-wide lines last:", region=regions)))
    for i, result in enumerate(outcome.results, start=outcome.offset + 1):
        parts.append(result_block(i, result, t, now, taxonomy))
    if outcome.results and (outcome.has_more or outcome.offset):
        first = outcome.offset + 1
        last = outcome.offset + len(outcome.results)
        if outcome.total >= 0:
            line = t.gettext("Results {first}–{last} of {total}", first=first, last=last,
                             total=outcome.total)
        else:
            line = t.gettext("Results {first}–{last}", first=first, last=last)
        parts.append("<i>" + esc(line) + "</i>")
    text = "\n\n".join(parts)
    while len(text) > MESSAGE_LIMIT and len(parts) > 2:
        parts.pop(-1)
        text = "\n\n".join(parts)
    return text[:MESSAGE_LIMIT]


# ------------------------------------------------------------------ the `find --json` shape
def criteria_json(criteria: Criteria) -> dict[str, Any]:
    return {
        "region": criteria.regions[0] if len(criteria.regions) == 1 else None,
        "regions": list(criteria.regions),
        "age": criteria.age,
        "needs": list(criteria.needs),
        "language": criteria.language,
        "now": criteria.now,
        "urgent": criteria.urgent,
    }


def result_json(result: Result, now: datetime) -> dict[str, Any]:
    entry = result.entry
    capacity = None
    if entry.capacity is not None:
        capacity = {
            "available": number(entry.capacity.available),
            "maximum": None if entry.capacity.maximum is None else number(entry.capacity.maximum),
            "unit": entry.capacity.unit,
            "updated": entry.capacity.updated.isoformat(),
            "fresh": capacity_is_fresh(entry.capacity, now),
        }
    every = set(load_regions())
    return {
        "service_id": entry.hsds_id,
        "id": entry.id,
        "name": entry.name,
        "organization": entry.organization,
        "regions": sorted(entry.regions) if entry.regions != every else sorted(every),
        "categories": sorted(entry.categories),
        "open_now": result.open_now,
        "open_24_7": entry.open_24_7,
        "capacity": capacity,
        "score": result.score,
        "kind": result.kind,
    }


def outcome_json(outcome: SearchOutcome, now: datetime) -> dict[str, Any]:
    return {
        "criteria": criteria_json(outcome.criteria),
        "results": [result_json(r, now) for r in outcome.results],
    }
