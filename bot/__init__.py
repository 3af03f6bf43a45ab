"""Relais application core: configuration, storage and the services that do the work.

Nothing in this package imports aiogram: the chat layer lives in ``handlers``.
"""
