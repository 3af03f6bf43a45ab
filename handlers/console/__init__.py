"""The local console channel: the real dispatcher driven from a terminal, with no network."""
