"""Coordinators' figures: anonymous counts of handoffs, searches and the directory's health,
with small counts suppressed, as a message, charts, CSV and JSON (``/stats``, ``relais stats``)."""
