"""Reminders, follow-ups and escalations that survive restarts and run exactly once.

- :mod:`bot.services.scheduler`: the generic API (``schedule``, ``cancel``, ``register_job_kind``,
  ``release_held``) every feature uses for its timers;
- :mod:`.dispatcher`: claims due rows and sends them (``Dispatcher.run_once`` / ``run_forever``);
- :mod:`.personal`: ``/remind`` reminders; :mod:`.turning18`: ``schedule_turning_18``;
  :mod:`.directory_checks`: listing verification and capacity nudges;
- :mod:`.timeparse`: "dans 2 h", "demain 9h", "friday 14:00", ...; :mod:`.quiet`: quiet hours.
"""
