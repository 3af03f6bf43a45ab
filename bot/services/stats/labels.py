"""Words for the codes of figures' tables: titles, row and column labels, durations, shares.

Codes stay codes in JSON; people read these (chat, text tables, CSV, chart labels).
"""

from __future__ import annotations

from babel.numbers import format_percent

from bot.i18n import N_, Text
from bot.services.broadcasts.audience import SECTOR_LABELS
from bot.services.handoffs.lifecycle import DECLINE_REASONS, OUTCOMES
from bot.services.handoffs.outcomes import UNRECORDED
from bot.services.stats.periods import month_label
from bot.services.stats.states import STATE_LABELS
from knowledge.regions import load_regions, region_name
from knowledge.taxonomy import load_taxonomy

TITLES: dict[str, str] = {
    "states": N_("Handoffs by state"),
    "by_month": N_("Handoffs by month"),
    "declined": N_("Declined handoffs by reason"),
    "by_service_region": N_("Handoffs by region of the service"),
    "by_requester_region": N_("Handoffs by region of the requester"),
    "by_priority": N_("Urgent and routine handoffs"),
    "by_need": N_("Handoffs by need"),
    "flows": N_("Cross-region handoffs, from the requester's region (rows) to the service's "
                "(columns)"),
    "outcomes": N_("Outcomes of accepted handoffs"),
    "searches": N_("Directory searches"),
    "unmet": N_("Searches where nothing could take the youth now, by region and need"),
    "searched": N_("Searches by region and need (a search naming two needs counts in both)"),
    "workers": N_("Active workers by region and sector (a worker of two regions counts in "
                  "both)"),
    "key": N_("Key figures"),
    "accept_time": N_("Time to acceptance"),
    "response_time": N_("Time to first response"),
    "accept_by_month": N_("Time to acceptance by month"),
    "health": N_("Directory and network"),
}
#: What the rows and the columns of each table are.
ROW_KINDS: dict[str, str] = {
    "states": "state", "by_month": "month", "declined": "decline",
    "by_service_region": "region", "by_requester_region": "region", "by_priority": "priority",
    "by_need": "need", "flows": "region", "outcomes": "outcome", "searches": "search",
    "unmet": "region", "searched": "region", "workers": "region", "key": "key",
    "health": "health", "accept_time": "timing", "response_time": "timing",
    "accept_by_month": "month",
}
COL_KINDS: dict[str, str] = {
    "by_month": "state", "by_service_region": "state", "by_requester_region": "state",
    "by_priority": "state", "by_need": "state", "flows": "region", "unmet": "need",
    "searched": "need", "workers": "sector", "accept_by_month": "timing",
}
PRIORITY_LABELS = {"urgent": N_("Urgent"), "routine": N_("Routine")}
OUTCOME_LABELS = {**OUTCOMES, UNRECORDED: N_("Not recorded")}
SEARCH_LABELS = {
    "all": N_("Searches"),
    "can_take_now": N_("Something could take the youth now"),
    "place_free": N_("A place was free"),
}
KEY_LABELS = {
    "asked": N_("Handoffs requested"),
    "accepted": N_("Accepted"),
    "cross": N_("Cross-region handoffs"),
    "closed_7d": N_("Loops closed within 7 days"),
}
HEALTH_LABELS = {
    "listings": N_("Listings"),
    "verified_30d": N_("Verified in the last 30 days"),
    "capacity_24h": N_("Capacity updated in the last 24 hours"),
    "no_receiver": N_("No one to receive a handoff"),
    "open_reports": N_("Open error reports"),
    "announcements": N_("Announcements sent"),
    "reached": N_("Announcements delivered"),
}
TIMING_LABELS = {"median": N_("Median (minutes)"),
                 "p90": N_("90th percentile (minutes)")}
COUNT, TOTAL_LABEL = N_("Count"), N_("Total")


def table_title(key: str, text: Text) -> str:
    """A table's title in ``text``'s language."""
    return text.gettext(TITLES[key]) if key in TITLES else key


def label(kind: str, code: str, text: Text) -> str:
    """The words for one code of a kind (state, month, region, need, ...)."""
    if code in ("count", "total") and kind not in ("search", "health", "key"):
        words = COUNT if code == "count" else TOTAL_LABEL
        return text.gettext(words)
    if kind == "month":
        return month_label(code, text, short=True)
    if kind == "region":
        if not code:
            return text.gettext(N_("Region not stated"))
        return region_name(code, text.lang) if code in load_regions() else code
    if kind == "need":
        if not code:
            return text.gettext(N_("No need stated"))
        taxonomy = load_taxonomy()
        return taxonomy.label(code, text.lang) if code in taxonomy.categories else code
    if kind == "sector":
        words = text.gettext(SECTOR_LABELS.get(code, SECTOR_LABELS["other"]))
        return words[:1].upper() + words[1:]
    tables = {"state": STATE_LABELS, "decline": DECLINE_REASONS, "outcome": OUTCOME_LABELS,
              "priority": PRIORITY_LABELS, "search": SEARCH_LABELS, "key": KEY_LABELS,
              "health": HEALTH_LABELS, "timing": TIMING_LABELS}.get(kind, {})
    if code in tables:
        return text.gettext(tables[code])
    return code or text.gettext(N_("Not stated"))


def row_label(key: str, code: str, text: Text) -> str:
    """The label of a row of table ``key`` (a column's code works too, e.g. a state)."""
    kind = ROW_KINDS.get(key, "")
    if code not in ("count", "total") and key in COL_KINDS and not _is_kind(kind, code):
        kind = COL_KINDS[key]
    return label(kind, code, text)


def col_label(key: str, code: str, text: Text) -> str:
    """The label of a column of table ``key``."""
    return label(COL_KINDS.get(key, "count"), code, text)


def _is_kind(kind: str, code: str) -> bool:
    if kind == "month":
        return len(code) == 7 and code[4] == "-"
    if kind == "region":
        return code == "" or code in load_regions()
    if kind == "need":
        return code == "" or code in load_taxonomy().categories
    return True


def duration(minutes: float, text: Text) -> str:
    """Minutes as people say them: "45 min", "1 h 30" / "1 h 30 min", "2 j 4 h" / "2 d 4 h"."""
    whole = int(minutes + 0.5)
    if whole < 60:
        return text.gettext(N_("{n} min"), n=whole)
    if whole < 24 * 60:
        hours, rest = divmod(whole, 60)
        if not rest:
            return text.gettext(N_("{h} h"), h=hours)
        return text.gettext(N_("{h} h {m} min"), h=hours, m=f"{rest:02d}")
    days, rest = divmod(whole, 24 * 60)
    hours = round(rest / 60)
    if not hours:
        return text.gettext(N_("{d} d"), d=days)
    return text.gettext(N_("{d} d {h} h"), d=days, h=hours)


def share(part: int | None, whole: int | None, text: Text) -> str | None:
    """"75 %" of ``part`` in ``whole``; None when either is hidden or ``whole`` is 0."""
    if part is None or not whole:
        return None
    return format_percent(part / whole, locale=text.locale)
