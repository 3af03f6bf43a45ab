"""Moments written the way workers write them, in French or English.

``parse_when(text, now, zone)`` reads a moment at the start of ``text`` and returns it (UTC) with
the rest of the text (the reminder's subject), or ``None`` when the text does not start with one.

Understood (accents and case do not matter):
- relative: "dans 2 h", "dans 30 min", "dans 1 h 30", "dans 3 jours", "dans une heure",
  "in 30 min", "in 2 hours", "in a day", "in 10 s";
- a day: "aujourd'hui", "demain", "après-demain", "today", "tomorrow", weekdays ("lundi",
  "vendredi prochain", "friday", "next friday", "on mon"), dates ("le 3 mars", "3 mars",
  "march 3", "2026-03-03", "3/3");
- a part of the day: "matin"/"morning" (9:00), "midi"/"noon", "après-midi"/"afternoon" (14:00),
  "soir"/"evening"/"ce soir"/"tonight" (18:00);
- a time: "9h", "à 16h30", "16 h 30", "14:00", "at 4:30pm", "9am", "2 pm".

A day without a time means the morning; a time without a day means the next such time (today
or tomorrow); a weekday means the next such day, today included if the time is still ahead.

A moment more than ``LIMIT`` ahead (or beyond what a date can hold, "dans 9999999 jours",
"9999-12-31") is refused with :class:`TooFar`, the reminders' usual refusal.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import InvalidInput
from bot.i18n import N_

LIMIT = timedelta(days=366)  # how far ahead a reminder may be (personal.MAX_AHEAD)
MORNING = time(9, 0)
NOON = time(12, 0)
AFTERNOON = time(14, 0)
EVENING = time(18, 0)


class TooFar(InvalidInput):
    """The moment is further ahead than reminders go (or than a date can hold)."""

    message = N_("Reminders can be set up to one year ahead.")


@dataclass(frozen=True)
class ParsedWhen:
    """A moment read from the start of a text, and what follows it."""

    at: datetime  # UTC
    rest: str
    matched: str


def fold(text: str) -> str:
    """Lower case without accents, one character for one (so positions stay valid)."""
    out = []
    for char in text:
        lowered = char.lower()
        base = unicodedata.normalize("NFKD", lowered[0])[0] if lowered else char
        out.append(base)
    return "".join(out)


NUMBER_WORDS = {
    "un": 1, "une": 1, "a": 1, "an": 1, "one": 1, "deux": 2, "two": 2, "trois": 3, "three": 3,
    "quatre": 4, "four": 4, "cinq": 5, "five": 5, "six": 6, "dix": 10, "ten": 10,
    "quinze": 15, "fifteen": 15, "vingt": 20, "twenty": 20, "trente": 30, "thirty": 30,
}
UNITS = {
    "s": 1, "sec": 1, "secs": 1, "seconde": 1, "secondes": 1, "second": 1, "seconds": 1,
    "m": 60, "mn": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "heure": 3600, "heures": 3600,
    "hour": 3600, "hours": 3600,
    "j": 86400, "jr": 86400, "jrs": 86400, "jour": 86400, "jours": 86400,
    "d": 86400, "day": 86400, "days": 86400,
    "sem": 604800, "semaine": 604800, "semaines": 604800, "w": 604800,
    "wk": 604800, "week": 604800, "weeks": 604800,
}
WEEKDAYS = {
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6, "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3,
    "fri": 4, "sat": 5, "sun": 6, "lun": 0, "mar": 1, "mer": 2, "jeu": 3, "ven": 4,
    "sam": 5, "dim": 6,
}
MONTHS = {
    "janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4,
    "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9,
    "sept": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "october": 10, "november": 11, "december": 12,
}
PARTS = {
    "matin": MORNING, "morning": MORNING, "midi": NOON, "noon": NOON,
    "apresmidi": AFTERNOON, "aprem": AFTERNOON, "afternoon": AFTERNOON,
    "soir": EVENING, "soiree": EVENING, "evening": EVENING, "night": EVENING,
}

END = r"(?=$|[\s,.;:!?)\-])"
_units = "|".join(sorted(UNITS, key=len, reverse=True))
_numbers = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
AMOUNT = rf"(?:\d+(?:[.,]\d+)?|{_numbers})"
UNIT_END = r"(?=$|[\s,.;:!?)\-]|\d)"  # "1h30": minutes may follow the unit at once
MINUTES_TAIL = rf"\d{{1,2}}(?!\d)(?!\s*(?:{_units}){END}){END}"
RELATIVE = re.compile(
    rf"(?:dans|in|d'ici|within)\s+(?P<body>(?:(?:{AMOUNT})\s*(?:{_units}){UNIT_END}"
    rf"(?:\s*{MINUTES_TAIL})?(?:\s*(?:et|and|,)?\s*)?)+)"
)
RELATIVE_PART = re.compile(
    rf"(?P<n>{AMOUNT})\s*(?P<unit>{_units}){UNIT_END}(?:\s*(?P<tail>{MINUTES_TAIL}))?"
)
HALF_HOUR = re.compile(r"(?:dans|in)\s+(?:une\s+demi-?\s?heure|half\s+an\s+hour)" + END)

_weekdays = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_months = "|".join(sorted(MONTHS, key=len, reverse=True))
DAY_WORDS = re.compile(
    r"(?P<word>apres[- ]demain|day\s+after\s+tomorrow|aujourd'hui|aujourdhui|auj|today|"
    r"demain|tomorrow|tmrw|tmr|ce\s+soir|tonight|ce\s+matin|this\s+morning|"
    r"cet\s+apres[- ]?midi|this\s+afternoon|this\s+evening)" + END
)
WEEKDAY = re.compile(
    rf"(?:(?:next|this|on|ce|le)\s+)?(?P<weekday>{_weekdays})\.?{END}(?:\s+(?:prochain|next)){{0,1}}"
)
DATE_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})" + END)
DATE_NUM = re.compile(r"(?:le\s+)?(?P<d>\d{1,2})/(?P<m>\d{1,2})(?:/(?P<y>\d{2,4}))?" + END)
DATE_DM = re.compile(
    rf"(?:le\s+)?(?P<d>\d{{1,2}})(?:er|e|st|nd|rd|th)?\s+(?P<month>{_months})\.?{END}"
    r"(?:\s+(?P<y>\d{4}))?"
)
DATE_MD = re.compile(
    rf"(?:on\s+)?(?P<month>{_months})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?{END}(?:,?\s+(?P<y>\d{{4}}))?"
)
PART = re.compile(
    r"(?:(?:le|au|du|de|dans\s+l'|in\s+the|at)\s*)?"
    r"(?P<part>apres[- ]?midi|aprem|matin|morning|midi|noon|soiree|soir|afternoon|evening|night)"
    + END
)
CONNECTOR = re.compile(r"(?:a|at|@|vers|around|avant|before|by|pour|for)\s+")
# Minutes never start a case code: "9h 49-JV3" is 9 h and the case 49-JV3.
_NOT_A_CASE_CODE = r"(?!-[ACDEFHJKMNPQRTUVWXYacdefhjkmnpqrtuvwxy3479]{3}(?![\w-]))"
TIME_H = re.compile(
    rf"(?P<h>\d{{1,2}})\s*h(?:eures?)?\s*(?P<m>\d{{2}}{_NOT_A_CASE_CODE})?(?:\s*(?:min|mn))?"
    + END
)
TIME_COLON = re.compile(
    r"(?P<h>\d{1,2})[:.](?P<m>\d{2})\s*(?P<ampm>a\.?m\.?|p\.?m\.?)?" + END
)
TIME_AMPM = re.compile(r"(?P<h>\d{1,2})\s*(?P<ampm>a\.?m\.?|p\.?m\.?)" + END)
TIME_WORDS = re.compile(r"(?P<word>midi|noon|minuit|midnight)" + END)
TIME_BARE = re.compile(r"(?P<h>\d{1,2})" + END)  # "at 9", "à 3": only after a connector
SUBJECT_LEAD = re.compile(r"^(?:[,:;\-–—]+\s*|(?:to|pour|de|about|re)\s*:?\s+)")


def _amount(word: str) -> float:
    word = word.replace(",", ".")
    return float(word) if word[0].isdigit() else float(NUMBER_WORDS[word])


def _skip_spaces(folded: str, pos: int) -> int:
    while pos < len(folded) and folded[pos] in " \t\n":
        pos += 1
    return pos


def _match(pattern: re.Pattern[str], folded: str, pos: int) -> re.Match[str] | None:
    return pattern.match(folded, _skip_spaces(folded, pos))


def _relative(folded: str, pos: int) -> tuple[float, int] | None:
    """Seconds from now (possibly huge, even infinite) and where the moment ends."""
    if match := _match(HALF_HOUR, folded, pos):
        return 30 * 60.0, match.end()
    match = _match(RELATIVE, folded, pos)
    if not match:
        return None
    seconds = 0.0
    for part in RELATIVE_PART.finditer(match["body"]):
        unit = UNITS[part["unit"]]
        seconds += _amount(part["n"]) * unit
        if part["tail"]:  # "1 h 30": a bare number after hours is minutes
            if unit != 3600:
                return None
            seconds += int(part["tail"]) * 60
    if seconds <= 0:
        return None
    return seconds, match.end()


def _clock(match: re.Match[str]) -> time | None:
    groups = match.groupdict()
    if groups.get("word"):
        return NOON if groups["word"] in ("midi", "noon") else time(0, 0)
    hour = int(groups["h"])
    minute = int(groups.get("m") or 0)
    ampm = (groups.get("ampm") or "").replace(".", "")
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _time_of_day(folded: str, pos: int) -> tuple[time, int, bool] | None:
    """A clock time; the bool says whether it was written without am/pm on a 12-hour reading."""
    start = pos
    connector = _match(CONNECTOR, folded, pos)
    if connector:
        start = connector.end()
    for pattern in (TIME_COLON, TIME_AMPM, TIME_H, TIME_WORDS):
        if (match := _match(pattern, folded, start)) and (clock := _clock(match)):
            plain = pattern is not TIME_AMPM and not match.groupdict().get("ampm")
            return clock, match.end(), plain
    if connector and (match := _match(TIME_BARE, folded, start)):
        hour = int(match["h"])
        if hour <= 23:
            # nobody sets a reminder for 3 in the night: "at 3" means 15:00
            return time(hour + 12 if 1 <= hour <= 6 else hour, 0), match.end(), True
    return None


def _day(folded: str, pos: int, today: date) -> tuple[date, time | None, bool, int] | None:
    """A day (and a part of the day it implies); the bool says "weekday" (may roll a week)."""
    if match := _match(DAY_WORDS, folded, pos):
        word = " ".join(match["word"].split())
        if word.startswith(("apres", "day after")):
            return today + timedelta(days=2), None, False, match.end()
        if word in ("demain", "tomorrow", "tmr", "tmrw"):
            return today + timedelta(days=1), None, False, match.end()
        implied = {"ce soir": EVENING, "tonight": EVENING, "this evening": EVENING,
                   "ce matin": MORNING, "this morning": MORNING}.get(word)
        if implied is None and ("midi" in word or "afternoon" in word):
            implied = AFTERNOON
        return today, implied, False, match.end()
    if match := _match(WEEKDAY, folded, pos):
        weekday = WEEKDAYS[match["weekday"]]
        ahead = (weekday - today.weekday()) % 7
        return today + timedelta(days=ahead), None, True, match.end()
    for pattern in (DATE_ISO, DATE_DM, DATE_MD, DATE_NUM):
        if match := _match(pattern, folded, pos):
            groups = match.groupdict()
            month = MONTHS[groups["month"]] if groups.get("month") else int(groups["m"])
            year = int(groups["y"]) if groups.get("y") else today.year
            if year < 100:
                year += 2000
            try:
                day = date(year, month, int(groups["d"]))
            except ValueError:
                return None
            if not groups.get("y") and day < today:
                try:
                    day = day.replace(year=day.year + 1)
                except ValueError:  # 29 February (the next one is years away), or year 9999
                    raise TooFar() from None
            return day, None, False, match.end()
    return None


def _part(folded: str, pos: int) -> tuple[time, int] | None:
    if match := _match(PART, folded, pos):
        return PARTS[re.sub(r"[\s-]+", "", match["part"])], match.end()
    return None


def _local(day: date, clock: time, zone: ZoneInfo) -> datetime:
    try:
        return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
    except OverflowError:  # hours from the end (or the start) of what a datetime can hold
        edge = datetime.max if day.year > 1 else datetime.min
        return edge.replace(tzinfo=UTC)


def parse_when(
    text: str, now: datetime, zone: ZoneInfo, *, morning: time = MORNING,
    limit: timedelta = LIMIT,
) -> ParsedWhen | None:
    """Read a moment at the start of ``text``; ``None`` when it does not start with one.

    Raises :class:`TooFar` for a moment more than ``limit`` ahead.
    """
    folded = fold(text)
    if (relative := _relative(folded, 0)) is not None:
        seconds, end = relative
        if not math.isfinite(seconds) or seconds > limit.total_seconds():
            raise TooFar()
        return _result(text, now + timedelta(seconds=seconds), end)
    try:
        parsed = _absolute(text, folded, now, zone, morning)
    except OverflowError:  # a day after 9999-12-31
        raise TooFar() from None
    if parsed is not None and parsed.at - now > limit:
        raise TooFar()
    return parsed


def _absolute(
    text: str, folded: str, now: datetime, zone: ZoneInfo, morning: time
) -> ParsedWhen | None:
    """A day and/or a time of day (see :func:`parse_when`)."""
    local_now = now.astimezone(zone)
    today = local_now.date()
    day_info = _day(folded, 0, today)
    pos = day_info[3] if day_info else 0
    clock: time | None = None
    if day_info and day_info[1] is not None:
        clock = day_info[1]
    if (part := _part(folded, pos)) is not None:
        clock, pos = part
    if (tod := _time_of_day(folded, pos)) is not None:
        clock, pos, plain = tod
        if (part := _part(folded, pos)) is not None:  # "8 h du soir", "4 in the afternoon"
            pos = part[1]
            if plain and part[0] >= AFTERNOON and clock.hour < 12:
                clock = clock.replace(hour=clock.hour + 12)
    if day_info is None and clock is None:
        return None
    if day_info is None:
        assert clock is not None
        at = _local(today, clock, zone)
        if at <= now:
            at = _local(today + timedelta(days=1), clock, zone)
        return _result(text, at, pos)
    day, _implied, is_weekday, _end = day_info
    at = _local(day, clock or morning, zone)
    if is_weekday and at <= now:
        at = _local(day + timedelta(days=7), clock or morning, zone)
    return _result(text, at, pos)


def _result(text: str, at: datetime, end: int) -> ParsedWhen:
    rest = text[end:].strip()
    rest = SUBJECT_LEAD.sub("", rest, count=1).strip()
    return ParsedWhen(at=at.astimezone(UTC), rest=rest, matched=text[:end].strip())
