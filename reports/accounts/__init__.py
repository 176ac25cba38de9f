"""Account-based views of the funnel: the companies' roll-ups (rollups.py) and the account funnel (funnel.py)."""
