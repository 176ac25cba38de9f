from celery import shared_task

from leads.imports import run_import


@shared_task(name="leads.import_leads")
def import_leads(import_id: int) -> None:
    """Run a queued CSV import (see `leads.imports.run_import`); idempotent, so a redelivery is harmless."""
    run_import(import_id)
