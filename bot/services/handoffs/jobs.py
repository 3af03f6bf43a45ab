"""The handoff job kinds, found by the scheduler (``JOB_KIND_MODULES``)."""

from __future__ import annotations

from bot.services.handoffs.sla import run_job
from bot.services.handoffs.timers import KINDS

JOB_KINDS = dict.fromkeys(KINDS, run_job)
