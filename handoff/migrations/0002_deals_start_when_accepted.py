"""Deals start when sales says yes (DOMAIN.md "The hand-over"): until now every hand-over opened a deal.

For the deals that hand-overs opened:
- accepted: the deal stays, and its hand-over now points at it (`Handoff.deal`);
- never accepted (still waiting, or rejected and closed lost as "rejected MQL"): the deal is removed. Its
  hand-over stays, with the rejection and its note (the feedback report reads them there). Nothing a person
  typed is lost: each activity logged on the deal becomes a note on the lead, by its author and at its time,
  and what someone entered on the deal itself (amount, next step, close date, a close note other than the
  rejection's) becomes one more note;
- a lead that such a deal had moved on (an MQL dragged past the first stage, never accepted) goes back to
  MQL, recorded as a stage change by Relay: it waits in its rep's inbox, as it did all along.

The migration prints how many rows of each kind it changed.
"""

from collections import Counter

from django.db import migrations
from django.db.models import OuterRef, Subquery

ANSWERED_BY_SALES = "accepted"


def deals_start_when_accepted(apps, schema_editor):
    Handoff = apps.get_model("handoff", "Handoff")
    Deal = apps.get_model("deals", "Deal")
    Activity = apps.get_model("deals", "Activity")
    Lead = apps.get_model("leads", "Lead")
    LeadNote = apps.get_model("leads", "LeadNote")
    LeadStageChange = apps.get_model("leads", "LeadStageChange")
    counts = Counter()

    opened = Deal.objects.filter(handoff__isnull=False)
    counts["accepted deals kept"] = Handoff.objects.filter(outcome=ANSWERED_BY_SALES).update(
        deal=Subquery(opened.filter(handoff_id=OuterRef("pk")).values("pk")[:1])
    )
    outcomes = dict(Handoff.objects.values_list("pk", "outcome"))
    unaccepted = [
        deal
        for deal in opened.select_related("lead").order_by("pk")
        if outcomes.get(deal.handoff_id) != ANSWERED_BY_SALES
    ]
    notes = []
    for deal in unaccepted:
        counts[f"{outcomes.get(deal.handoff_id, 'unknown')} deals removed"] += 1
        if deal.lead_id is None:
            continue
        for activity in Activity.objects.filter(deal=deal).order_by("at", "pk"):
            body = f"{activity.get_kind_display()}: {activity.subject}"
            if activity.body:
                body += f"\n\n{activity.body}"
            if activity.due_date:
                body += f"\n\nDue {activity.due_date:%Y-%m-%d}" + (" (done)" if activity.done else "")
            body += f"\n\n(Logged on the deal “{deal.title}”, removed because the MQL was never accepted.)"
            notes.append(LeadNote(lead_id=deal.lead_id, author_id=activity.by_id, body=body, created_at=activity.at))
            counts["activities moved to the lead's notes"] += 1
        typed = []
        if deal.amount:
            typed.append(f"Amount: {deal.amount}")
        if deal.next_step:
            typed.append(f"Next step: {deal.next_step}")
        if deal.expected_close_date:
            typed.append(f"Expected close: {deal.expected_close_date:%Y-%m-%d}")
        rejection = Handoff.objects.filter(pk=deal.handoff_id).values_list("note", flat=True).first() or ""
        if deal.close_note and deal.close_note != rejection:
            typed.append(f"Close note: {deal.close_note}")
        if typed:
            intro = f"What was entered on the deal “{deal.title}”, removed because the MQL was never accepted:"
            notes.append(
                LeadNote(
                    lead_id=deal.lead_id,
                    author_id=deal.owner_id,
                    body="\n".join([intro, *typed]),
                    created_at=deal.updated_at,
                )
            )
            counts["notes of what was entered on a removed deal"] += 1
    LeadNote.objects.bulk_create(notes)

    # A lead that a never-accepted deal moved on goes back to waiting in its rep's inbox.
    waiting = Handoff.objects.filter(outcome="pending").values("lead_id")
    moved_on = Lead.objects.filter(pk__in=waiting, stage__in=["sql", "opportunity", "customer"])
    for lead in moved_on:
        LeadStageChange.objects.create(
            lead=lead,
            from_stage=lead.stage,
            to_stage="mql",
            reason="mql_not_accepted",
            note="Its deal was removed: an MQL becomes a deal only when its rep accepts it.",
        )
        counts["leads back to MQL"] += 1
    # They never really got past MQL: the stages "reached" only through the removed deal are cleared too.
    moved_on.update(stage="mql", sql_at=None, opportunity_at=None, customer_at=None)

    removed = Deal.objects.filter(pk__in=[deal.pk for deal in unaccepted])
    removed.delete()
    if any(counts.values()):
        print("\n  " + "; ".join(f"{name}: {count}" for name, count in sorted(counts.items())))  # noqa: T201


class Migration(migrations.Migration):
    dependencies = [
        ("handoff", "0001_initial"),
        ("deals", "0006_rotting_days_within_smallint"),
    ]

    operations = [migrations.RunPython(deals_start_when_accepted, migrations.RunPython.noop)]
