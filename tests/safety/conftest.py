"""The safety tests reuse the handoff fixtures (services with receivers, cases, the chat) and
the Bot API stand-in of the end-to-end tests."""

from tests.core.test_end_to_end import standin  # noqa: F401
from tests.handoffs.conftest import chat  # noqa: F401
