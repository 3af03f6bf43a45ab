"""The chat layer: aiogram routers, keyboards and middlewares that translate between Telegram
and the services in ``bot``. Thin by design: no business rules here."""
