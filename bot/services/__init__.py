"""Services: the work Relais does, one module per job, independent of Telegram."""
