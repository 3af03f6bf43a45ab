"""Ranking weights, heaviest first: each outweighs everything below it combined."""

W_OPEN = 10_000  # open now or 24/7 (unknown hours count half)
W_CAPACITY = 1_000  # x2 fresh places available, x1 unknown or stale, x0 fresh and full
W_LANGUAGE = 400  # offers the youth's language
W_HERE = 100  # x2 in the very place asked about, x1 in the region asked about (not only serving it)
W_VERIFIED = 5  # per month less than a year since last verified (at most 12)
W_NEEDS = 3  # share of the asked needs it offers
W_TEXT = 1  # share of the question's other words found in its listing
