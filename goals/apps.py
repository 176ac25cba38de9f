from django.apps import AppConfig


class GoalsConfig(AppConfig):
    """What marketing and sales commit to, period by period: MQLs and sourced pipeline, revenue quotas. The
    agreement page and the forecast (reports) read them beside what happened."""

    name = "goals"
