from django.apps import AppConfig


class CrmConfig(AppConfig):
    """The project itself: roles, health checks, notifications and the shared template tags."""

    name = "crm"
    verbose_name = "Relay"

    def ready(self):
        from django.db.models.signals import post_migrate, pre_save
        from simple_history.signals import pre_create_historical_record

        from crm.actors import name_relay_part
        from crm.history import keep_baseline
        from crm.roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, sender=self)
        for model in self.apps.get_models():
            if hasattr(model._meta, "simple_history_manager_attribute"):  # campaigns, leads, deals
                pre_save.connect(keep_baseline, sender=model, dispatch_uid=f"crm.keep_baseline.{model._meta.label}")
        pre_create_historical_record.connect(name_relay_part, dispatch_uid="crm.name_relay_part")
