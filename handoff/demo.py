"""Demo hand-overs for `seed_demo`: the qualified demo leads go to the reps, who answer most of them."""

import random

from handoff.models import Handoff
from handoff.services import accept_mql, hand_over_mql, reject_mql
from leads.scoring import leads_ready_for_handover, rescore_leads


def seed(*, users, stdout):
    """Score the demo leads and hand the qualified ones to the reps, as the scoring task would; then let
    the reps answer most of them (accepts, rejections with reasons and notes) so that the inbox, the
    pipeline and the feedback report all have something to show. Idempotent."""
    if Handoff.objects.exists():
        return
    rescore_leads()
    handed = [hand_over_mql(lead_id=pk) for pk in leads_ready_for_handover().values_list("pk", flat=True)]
    handed = [handoff for handoff in handed if handoff]
    rng = random.Random(7)
    reasons = ["bad_timing", "no_budget", "not_a_fit", "no_authority", "unreachable"]
    notes = {
        "bad_timing": "Interested, but budget only opens next quarter.",
        "no_budget": "Small team, no budget for a tool this year.",
        "not_a_fit": "Agency reselling to clients: not our segment.",
        "no_authority": "Intern doing research; asked for the decision maker's contact.",
        "unreachable": "Three calls and two emails, no answer.",
    }
    answered = 0
    for handoff in handed[: len(handed) * 2 // 3]:
        if rng.random() < 0.6:
            accept_mql(handoff_id=handoff.pk, by=handoff.rep)
        else:
            reason = rng.choice(reasons)
            reject_mql(handoff_id=handoff.pk, by=handoff.rep, reason=reason, note=notes[reason])
        answered += 1
    stdout.write(f"  {len(handed)} MQLs handed over to the reps, {answered} answered, the rest in their inboxes")
