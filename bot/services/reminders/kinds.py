"""The job kinds of this feature, picked up by ``bot.services.scheduler.job_kinds``."""

from __future__ import annotations

from bot.services import oncall
from bot.services.directory import receiver_loss
from bot.services.reminders import directory_checks
from bot.services.reminders.personal import KIND as REMINDER
from bot.services.reminders.personal import render_reminder
from bot.services.reminders.turning18 import KIND as TURNING_18
from bot.services.reminders.turning18 import render_turning_18

JOB_KINDS = {
    REMINDER: render_reminder,
    TURNING_18: render_turning_18,
    **directory_checks.JOB_KINDS,
    **receiver_loss.JOB_KINDS,  # a service's last receiver gone: its coordinators are told
    **oncall.JOB_KINDS,  # the end of an on-call: switched off, the worker told
}

ensure_periodic = directory_checks.ensure_periodic
