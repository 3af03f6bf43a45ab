"""Test support: database backends, the conversation harness and the Bot API stand-in."""
