"""A local Telegram Bot API stand-in over HTTP, for end-to-end tests and benchmarks."""
