"""Moments inside sentences: "at 1:56 PM" / "à 15 h 24", "on December 3 at 8 AM" / "le 3
décembre à 8 h", "until 8 AM" / "jusqu'à 8 h", "until December 4 at 8 AM" / "jusqu'au 4 décembre
à 8 h".

Reminders and on-call say *when* in a sentence ("I will remind you …", "on call …"), so the
preposition belongs to the moment and changes with it (today or another day); dates are words
formatted by Babel, never ISO, the year only when it is not this one. The hour is written as
people write it (``bot.i18n.Text.clock_time``'s convention: "15 h 24", "8 h" / "1:56 PM").
"""

from __future__ import annotations

from datetime import datetime

from bot.i18n import N_, Text

AT_TIME = N_("at {time}")
AT_DAY = N_("on {date} at {time}")
UNTIL_TIME = N_("until {time}")
UNTIL_DAY = N_("until {date} at {time}")


def _same_day(t: Text, moment: datetime, now: datetime) -> bool:
    return moment.astimezone(t.zone).date() == now.astimezone(t.zone).date()


def at(t: Text, moment: datetime, now: datetime) -> str:
    """"at 1:56 PM" / "à 15 h 24" today; "on December 3 at 1:56 PM" / "le 3 décembre à 15 h 24"
    another day."""
    if _same_day(t, moment, now):
        return t.gettext(AT_TIME, time=t.clock_time(moment))
    return t.gettext(AT_DAY, date=t.day_words(moment, now=now), time=t.clock_time(moment))


def until(t: Text, moment: datetime, now: datetime) -> str:
    """"until 8 AM" / "jusqu'à 8 h" today; "until December 4 at 8 AM" / "jusqu'au 4 décembre à
    8 h" another day."""
    if _same_day(t, moment, now):
        return t.gettext(UNTIL_TIME, time=t.clock_time(moment))
    return t.gettext(UNTIL_DAY, date=t.day_words(moment, now=now), time=t.clock_time(moment))
