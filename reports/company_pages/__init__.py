"""The company list, the company page and the company API: the pages that show a company's people and deals.

They live downstream of every app because a company's page shows its people (leads) and its deals side by
side; companies itself knows neither. Its writes are companies.services (and leads.services.accounts for
linking a person), called from here.
"""
