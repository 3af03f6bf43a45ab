"""Reference data (regions, places, service categories, sample directory) and free-text understanding."""
