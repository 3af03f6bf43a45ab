"""Background jobs run by ``relais run`` (see ``handlers/runtime.py`` ``BACKGROUND_MODULES``)."""
