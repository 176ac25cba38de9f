from django.apps import AppConfig


class CrmConfig(AppConfig):
    """The project itself: roles, the dashboard, health checks and the shared template tags."""

    name = "crm"
    verbose_name = "Relay"

    def ready(self):
        from django.db.models.signals import post_migrate

        from crm.roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, sender=self)
