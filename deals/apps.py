from django.apps import AppConfig


class DealsConfig(AppConfig):
    """The sales pipeline: stages, deals, activities."""

    name = "deals"
