"""Demo data for `seed_demo` (filled in as this app's issue lands)."""


def seed(*, users, stdout, scale=None):
    """Add this app's demo data unless it is already there."""
