"""Middlewares: update dedupe, one database session per update, the worker, the language."""
