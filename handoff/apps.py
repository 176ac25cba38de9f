from django.apps import AppConfig


class HandoffConfig(AppConfig):
    """The seam between marketing and sales: MQLs handed to reps, their answers, the SLA, and the deals that
    accepted MQLs become. The only app that knows both a lead and a deal."""

    name = "handoff"
    verbose_name = "Hand-over"

    def ready(self):
        from deals.selectors import set_lead_rule
        from deals.signals import deal_moved, deal_reassigned
        from handoff.selectors import leads_for_deals
        from handoff.services import hand_over_qualified, lead_follows_its_deal_owner, move_lead_with_its_deal
        from leads.signals import leads_qualified

        leads_qualified.connect(hand_over_qualified, dispatch_uid="handoff.hand_over_qualified")
        deal_moved.connect(move_lead_with_its_deal, dispatch_uid="handoff.move_lead_with_its_deal")
        deal_reassigned.connect(lead_follows_its_deal_owner, dispatch_uid="handoff.lead_follows_its_deal_owner")
        set_lead_rule(leads_for_deals)
