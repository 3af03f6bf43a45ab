"""The ``relais`` command line: one small module per group of subcommands.

Each module listed in ``COMMAND_MODULES`` exposes ``register(subparsers)``, which adds its
subcommands with ``parser.set_defaults(func=handler)``; a handler takes the parsed arguments and
returns the process exit code.
"""

from __future__ import annotations

import argparse
import os
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
    "bot.cli.doctor",
    "bot.cli.demo",
    "bot.cli.stats",
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
    parser.add_argument(
        "--debug", action="store_true",
        help="show the full traceback of an error (also with RELAIS_LOG_LEVEL=DEBUG)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in import_modules(COMMAND_MODULES):
        module.register(subparsers)
    _accept_debug_everywhere(parser)
    return parser


def _accept_debug_everywhere(parser: argparse.ArgumentParser) -> None:
    """``relais db upgrade --debug`` works as well as ``relais --debug db upgrade``."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                if "--debug" not in sub._option_string_actions:
                    sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                                     help=argparse.SUPPRESS)
                _accept_debug_everywhere(sub)


def debug_wanted(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "debug", False)) or (
        os.environ.get("RELAIS_LOG_LEVEL", "").strip().upper() == "DEBUG"
    )


def _quiet_closed_loop_callbacks() -> None:
    """After a failed SQLite connect, aiosqlite's worker thread still hands its last result to
    an event loop that is already closed (Alembic's ``asyncio.run``, ours): harmless, but it
    would print a thread traceback under the one-line "cannot reach the database"."""
    import threading

    previous = threading.excepthook
    if getattr(previous, "relais_quiet", False):
        return

    def hook(args: threading.ExceptHookArgs) -> None:
        if not (args.exc_type is RuntimeError and str(args.exc_value) == "Event loop is closed"
                and args.thread is not None and "_connection_worker_thread" in args.thread.name):
            previous(args)

    hook.relais_quiet = True  # type: ignore[attr-defined]
    threading.excepthook = hook


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``relais`` console script."""
    _quiet_closed_loop_callbacks()
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
    except Exception as exc:
        # A database that cannot be reached: one line naming the cause, exit 1; the
        # traceback only with --debug (or RELAIS_LOG_LEVEL=DEBUG).
        from bot.cli.common import report_unreachable_database

        if debug_wanted(args) or not report_unreachable_database(exc):
            raise
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
