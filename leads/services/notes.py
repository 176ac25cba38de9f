"""Notes on a lead: how sales tells marketing what happened to the leads it sent."""

from leads.models import Lead, LeadNote


def add_note(*, lead: Lead, author, body: str) -> LeadNote:
    """Add a note to a lead; sales notes are how marketing hears what happened to the leads it sent."""
    note = LeadNote(lead=lead, author=author, body=body.strip())
    note.full_clean()
    note.save()
    return note
