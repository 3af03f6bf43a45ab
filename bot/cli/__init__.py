"""The ``relais`` command line: one small module per group of subcommands.

Each module listed in ``COMMAND_MODULES`` exposes ``register(subparsers)``, which adds its
subcommands with ``parser.set_defaults(func=handler)``; a handler takes the parsed arguments and
returns the process exit code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.plugins import import_modules

COMMAND_MODULES: tuple[str, ...] = (
    "bot.cli.core",
    "bot.cli.console",
    "bot.cli.screen",
    "bot.cli.directory",
    "bot.cli.privacy",
    "bot.cli.reminders",
    "bot.cli.tools",
)


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="relais",
        description=(
            "Relais: bilingual Telegram assistant for warm handoffs between youth workers. "
            "Configuration comes from RELAIS_* environment variables or a .env file."
        ),
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in import_modules(COMMAND_MODULES):
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``relais`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return int(func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
