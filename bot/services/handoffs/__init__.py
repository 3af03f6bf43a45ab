"""Warm handoffs, in modules whose imports go one way:

- :mod:`.lifecycle` (pure: statuses, who may move them, reasons) and :mod:`.routing` (who
  receives a request);
- :mod:`.queries` (read-only look-ups) and :mod:`.events` (history and audit rows);
- :mod:`.notify` (messages in each recipient's language; reads, never moves);
- :mod:`.timers` (SLA and follow-up timers, scheduled by kind name);
- :mod:`.group` (an urgent request to several services at once: find, lock, tell);
- :mod:`.creating` (a new request, or a group), :mod:`.service` (accept, decline, move,
  cancel; the first acceptance of a group), :mod:`.outcomes` (the requester's outcome, counted),
  :mod:`.places` (the free places offered after an accept), :mod:`.questions` (between the two
  sides), :mod:`.receivers` (``/receivers``);
- :mod:`.sla` (what a due timer does), listed to the scheduler by :mod:`.jobs`;
- :mod:`.history` (the case timeline's lines).

``case_timeline`` is the cases feature's timeline hook (``bot.services.cases.TIMELINE_MODULES``).
"""

from __future__ import annotations

from bot.services.handoffs.history import case_timeline

__all__ = ["case_timeline"]
