"""``python -m bot`` is the same as the ``relais`` console script."""

from bot.cli import main

raise SystemExit(main())
