"""Coordinators' broadcasts: audience selection, the durable outbox, delivery and progress.

No aiogram here: the chat layer is ``handlers/broadcasts.py``, the background loop
``bot/jobs/broadcasts.py``; messages go out through ``app.messenger`` and the shared limiter
(:mod:`bot.services.ratelimit`).
"""
