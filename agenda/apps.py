from django.apps import AppConfig


class AgendaConfig(AppConfig):
    """A rep's working day: tasks on leads, deals and companies, their reminders, and the My day page, which
    gathers the MQLs waiting, the tasks due and the deals that need attention."""

    name = "agenda"
