from django.apps import AppConfig


class SearchConfig(AppConfig):
    """One search box across leads, companies, deals and campaigns: above every app, as it reads them all."""

    name = "search"
