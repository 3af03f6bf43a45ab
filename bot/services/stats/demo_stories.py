"""Invented handoff stories for the try database's demo activity: pure, seeded, no database.

A story is a handoff as it would have happened: when it was asked, between which regions, for
which need, and its steps (seen, accepted, declined, expired, outcome...) in minutes after the
request. :func:`replay` keeps the steps that happened before "now" and derives what the handoff
row holds then (status, reason, outcome, minutes to first response, to acceptance, to closing),
by the same rules as the live recording. Shapes are plausible, not real: more requests where more
people live, urgent ones mostly at night, some across regions, some declines and expiries.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from knowledge.regions import neighbours

#: Relative weight of each region (about where the youth and the services are).
REGION_WEIGHTS: dict[str, int] = {
    "06": 30, "16": 14, "03": 12, "13": 9, "15": 5, "14": 5, "12": 4, "05": 4, "04": 4,
    "02": 3, "07": 3, "17": 3, "01": 2, "08": 2, "09": 2, "11": 1, "10": 1,
}
NEED_WEIGHTS: dict[str, int] = {
    "hebergement-urgence-jeunesse": 22, "sante-mentale": 12, "travail-de-rue": 9,
    "dependances": 8, "hebergement-transition": 8, "dpj": 6, "lignes-aide": 5,
    "sante-sexuelle": 5, "transition-18": 5, "sortie-exploitation": 4, "calacs": 3, "cavac": 3,
    "aide-juridique": 3, "autochtone": 2, "centre-designe": 2, "police-eilp": 2, "ivac": 1,
}
URGENT_NEEDS = ("hebergement-urgence-jeunesse", "sante-mentale", "lignes-aide", "dpj",
                "centre-designe")
# The defaults of RELAIS_URGENT_*/RELAIS_ROUTINE_* (bot.config), in minutes: when an
# unanswered request is reminded and when it expires.
SLA = {"urgent": (30, 120), "routine": (2 * 24 * 60, 7 * 24 * 60)}
DECLINES = {"no-capacity": 45, "not-eligible": 20, "referred-elsewhere": 15, "no-contact": 10,
            "other": 10}
CANCELS = {"no-longer-needed": 50, "youth-declined": 25, "referred-elsewhere": 15, "other": 10}
FAILS = {"did-not-arrive": 50, "no-contact": 30, "not-eligible": 10, "other": 10}
OUTCOMES = {"arrived": 70, "no-show": 14, "placed-elsewhere": 10, "other": 6}
AGE_BANDS = {"under-12": 3, "12-13": 12, "14-15": 30, "16-17": 40, "18-plus": 8, "unknown": 7}
HOUR_BANDS = {"night": 14, "morning": 22, "afternoon": 36, "evening": 28}
ENDED = frozenset({"rejected", "completed", "failed", "cancelled"})
DAY = 24 * 60


@dataclass(frozen=True)
class Window:
    """One month of the activity, local time: ``end`` is "now" for the current month and
    ``share`` the part of the month gone by."""

    month: str
    start: datetime
    end: datetime
    share: float


def month_windows(now: datetime, zone: ZoneInfo, months: int) -> list[Window]:
    """The last ``months`` months up to ``now`` (the current one included), oldest first."""
    local = now.astimezone(zone)
    current = local.year * 12 + local.month - 1
    windows = []
    for index in range(current - months + 1, current + 1):
        start = datetime(index // 12, index % 12 + 1, 1, tzinfo=zone)
        following = datetime((index + 1) // 12, (index + 1) % 12 + 1, 1, tzinfo=zone)
        end = min(following, local)
        windows.append(Window(f"{start:%Y-%m}", start, end, (end - start) / (following - start)))
    return windows


@dataclass(frozen=True)
class Step:
    """One thing that happens to a handoff, ``minutes`` after it was asked."""

    minutes: int
    kind: str  # seen | reminded | escalated | status | followup
    side: str = "receiver"  # receiver | requester | system
    to_status: str | None = None
    reason: str | None = None
    outcome: str | None = None


@dataclass
class Story:
    """An invented handoff, before it is cut at "now"."""

    created_at: datetime
    region: str  # the service's
    from_region: str  # the requester's
    need: str
    priority: str
    age: int
    steps: list[Step] = field(default_factory=list)


@dataclass
class Replayed:
    """What the handoff row holds at "now": the steps that happened and their result."""

    steps: list[Step]
    status: str = "requested"
    reason: str | None = None
    outcome: str | None = None
    seen_min: int | None = None
    response_min: int | None = None
    accept_min: int | None = None
    ended_min: int | None = None
    closed_min: int | None = None
    sla_stage: int = 0


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def delay(rng: random.Random, median: float, low: int, high: int) -> int:
    """Minutes, log-normal around ``median`` and kept between ``low`` and ``high``."""
    return max(low, min(high, round(median * math.exp(rng.gauss(0, 0.9)))))


def request_time(rng: random.Random, start: datetime, end: datetime, urgent: bool) -> datetime:
    """A moment between ``start`` and ``end`` (local, aware): urgent ones mostly at night and in
    the evening, routine ones in office hours."""
    days = max(1, (end - start).days + 1)
    hours = ([0, 1, 2, 3, 4, 5, 18, 19, 20, 21, 22, 23] * 2 + list(range(6, 18)) if urgent
             else list(range(8, 17)) * 4 + list(range(17, 22)))
    for _attempt in range(20):
        day = start + timedelta(days=rng.randrange(days))
        moment = day.replace(hour=rng.choice(hours), minute=rng.randrange(60), second=0,
                             microsecond=0)
        if start <= moment < end:
            return moment
    return start + (end - start) * rng.random()


def plan(rng: random.Random, start: datetime, end: datetime) -> Story:
    """One story asked between ``start`` and ``end``: its regions, need, priority and steps."""
    region = pick(rng, REGION_WEIGHTS)
    cross = rng.random() < 0.16
    from_region = rng.choice(neighbours(region)[:2]) if cross else region
    urgent = rng.random() < 0.3
    need = rng.choice(URGENT_NEEDS[:3]) if urgent and rng.random() < 0.6 else pick(rng, NEED_WEIGHTS)
    age = 18 + rng.randrange(3) if need == "transition-18" else rng.choice(range(12, 18))
    priority = "urgent" if urgent else "routine"
    return Story(request_time(rng, start, end, urgent), region, from_region, need, priority, age,
                 steps(rng, priority))


def steps(rng: random.Random, priority: str) -> list[Step]:
    """What happens to a request: expired, cancelled, declined, withdrawn or accepted."""
    remind, expire = SLA[priority]
    urgent = priority == "urgent"
    answer = delay(rng, 15 if urgent else 240, 1, expire - 1)
    fate = rng.random()
    if fate < (0.10 if urgent else 0.07):
        return [Step(remind, "reminded", "system"), Step(2 * remind, "escalated", "system"),
                Step(expire, "status", "system", "rejected", "no-response")]
    if fate < 0.13:
        return [Step(rng.randrange(5, expire), "status", "requester", "cancelled", pick(rng, CANCELS))]
    if fate < 0.28:
        return [Step(max(1, answer // 2), "seen"),
                Step(answer, "status", to_status="rejected", reason=pick(rng, DECLINES))]
    if urgent and fate < 0.33:
        return [Step(answer, "status", "system", "cancelled", "accepted-elsewhere")]
    return [Step(max(1, answer // 2), "seen"), Step(answer, "status", to_status="accepted"),
            *after_acceptance(rng, answer)]


def after_acceptance(rng: random.Random, accepted: int) -> list[Step]:
    """The follow-up of an accepted request: under way, an outcome, completed or failed."""
    later: list[Step] = []
    at = accepted + delay(rng, 12 * 60, 30, 3 * DAY)
    if rng.random() < 0.6:
        later.append(Step(at, "status", to_status="in-progress"))
    outcome = pick(rng, OUTCOMES) if rng.random() < 0.75 else None
    if outcome is not None:
        later.append(Step(accepted + delay(rng, 2 * DAY, 60, 10 * DAY), "followup", "requester",
                          outcome=outcome))
    end = at + delay(rng, 6 * DAY, 60, 40 * DAY)
    fails = 0.6 if outcome == "no-show" else 0.08
    roll = rng.random()
    if roll < fails:
        later.append(Step(end, "status", to_status="failed",
                          reason="did-not-arrive" if outcome == "no-show" else pick(rng, FAILS)))
    elif roll < fails + 0.6:
        later.append(Step(end, "status", to_status="completed"))
    return sorted(later, key=lambda step: step.minutes)


def replay(story: Story, now: datetime) -> Replayed:
    """The steps of ``story`` that happened by ``now``, and the handoff's row after them."""
    elapsed = (now - story.created_at).total_seconds() / 60
    done = Replayed(steps=[s for s in story.steps if s.minutes <= elapsed])
    for step in done.steps:
        if step.kind == "seen" and done.seen_min is None:
            done.seen_min = step.minutes
        elif step.kind in ("reminded", "escalated"):
            done.sla_stage = max(done.sla_stage, 1 if step.kind == "reminded" else 2)
        elif step.kind == "followup":
            done.outcome = step.outcome
            done.closed_min = step.minutes if done.closed_min is None else done.closed_min
        elif step.kind == "status":
            apply_status(done, step)
    return done


def apply_status(done: Replayed, step: Step) -> None:
    done.status, done.reason = step.to_status or done.status, step.reason
    answered = step.side == "receiver" and step.to_status in ("accepted", "rejected")
    if answered and done.response_min is None:
        done.response_min = step.minutes
    if step.to_status == "accepted":
        done.accept_min = step.minutes
    if step.reason == "no-response":
        done.sla_stage = 3
    if step.to_status in ENDED:
        done.ended_min = step.minutes
        done.closed_min = step.minutes if done.closed_min is None else done.closed_min


#: A cell of ``stats_searches``: month, region, need, age band, hour band, could take the youth
#: now, a place was free.
SearchCell = tuple[str, str, str, str, str, bool, bool]


def search_cells(rng: random.Random, window: Window, count: int) -> Counter[SearchCell]:
    """``count`` invented searches of one month, counted as the live recording counts them: one
    row per need named plus one row "*" per search. Less can take the youth at night and in
    emergency shelter; a few searches name no region."""
    cells: Counter[SearchCell] = Counter()
    for _search in range(count):
        region = "" if rng.random() < 0.05 else pick(rng, REGION_WEIGHTS)
        needs = {pick(rng, NEED_WEIGHTS) for _need in range(1 + (rng.random() < 0.3))}
        band, hours = pick(rng, AGE_BANDS), pick(rng, HOUR_BANDS)
        chance = 0.75 - (0.3 if hours == "night" else 0) - (
            0.2 if "hebergement-urgence-jeunesse" in needs else 0)
        can_take_now = rng.random() < chance
        place_free = can_take_now and rng.random() < 0.6
        for need in (*sorted(needs), "*"):
            cells[(window.month, region, need, band, hours, can_take_now, place_free)] += 1
    return cells
