"""Storage: declarative base, engines and migrations."""
