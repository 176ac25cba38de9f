"""The account funnel: per campaign and per channel, how many companies it reached and how far they got.

Definitions (the labels on the page say the same):
- reached: the companies with at least one person the campaign touched in the period: a person created
  in the period whose first-touch or latest-touch campaign it is, or a person with an engagement event of
  that campaign that occurred in the period. A person without a company counts for none. The channel of a
  touch is its campaign's channel.
- engaged: of those, the companies whose account score reaches `AccountSettings.engaged_account_score`;
- with an MQL: of those, the companies where someone reached MQL (top stage MQL or beyond);
- with an opportunity: where someone reached opportunity, or that have an open deal or won revenue;
- won: where someone became a customer, or that have won revenue (a won deal).
The reached companies are the period's (like the funnel's cohort, which the period chooses); how far they
got is as things stand now, from the stored roll-ups (`reports.accounts.rollups`, at most a minute or two
behind), so a company's flags cost one row read. Counted in SQL: the distinct (campaign or channel, company)
pairs of the touches, joined to the companies and counted per group, in one statement.
"""

from django.db import connection
from django.db.models import F, Q

from campaigns.models import Campaign, Channel
from companies.models import AccountSettings, Company
from leads.models import FUNNEL, Lead, LeadEvent, LifecycleStage
from reports.filters import ReportFilters

MQL_RANK = FUNNEL.index(LifecycleStage.MQL) + 1
OPPORTUNITY_RANK = FUNNEL.index(LifecycleStage.OPPORTUNITY) + 1
CUSTOMER_RANK = FUNNEL.index(LifecycleStage.CUSTOMER) + 1
STEPS = [
    ("reached", "Accounts reached"),
    ("engaged", "Engaged"),
    ("with_mql", "With an MQL"),
    ("with_opportunity", "With an opportunity"),
    ("won", "Won"),
]


def touches(filters: ReportFilters) -> list:
    """Querysets of (touch_campaign, touch_account) rows: the campaign touched a person of that company."""
    created = Lead.objects.filter(filters.in_range("created_at"), account__isnull=False)
    if filters.owner_id:
        created = created.filter(owner_id=filters.owner_id)
    events = LeadEvent.objects.filter(
        filters.in_range("occurred_at"), campaign__isnull=False, lead__account__isnull=False
    )
    if filters.owner_id:
        events = events.filter(lead__owner_id=filters.owner_id)
    pairs = [
        created.filter(first_touch_campaign__isnull=False).values(
            touch_campaign=F("first_touch_campaign_id"), touch_account=F("account_id")
        ),
        created.filter(latest_touch_campaign__isnull=False).values(
            touch_campaign=F("latest_touch_campaign_id"), touch_account=F("account_id")
        ),
        events.values(touch_campaign=F("campaign_id"), touch_account=F("lead__account_id")),
    ]
    if filters.campaign_id:
        pairs = [queryset.filter(touch_campaign=filters.campaign_id) for queryset in pairs]
    return [queryset.order_by() for queryset in pairs]


def account_funnel(filters: ReportFilters, by: str = "campaign") -> list[dict]:
    """One row per campaign (`by="campaign"`) or channel (`by="channel"`): {key, label, reached, engaged,
    with_mql, with_opportunity, won}, most reached first."""
    parts, params = [], []
    for queryset in touches(filters):
        sql, part_params = queryset.query.sql_with_params()
        parts.append(sql)
        params += part_params
    campaign, company = Campaign._meta.db_table, Company._meta.db_table
    key = "t.touch_campaign" if by == "campaign" else "cp.channel"
    channel_filter = "AND cp.channel = %s" if filters.channel else ""
    sql = f"""
        SELECT g.key, COUNT(*),
          SUM(CASE WHEN c.account_score >= %s THEN 1 ELSE 0 END),
          SUM(CASE WHEN c.top_stage_rank >= {MQL_RANK} THEN 1 ELSE 0 END),
          SUM(CASE WHEN c.top_stage_rank >= {OPPORTUNITY_RANK} OR c.open_deals > 0 OR c.won_revenue > 0
              THEN 1 ELSE 0 END),
          SUM(CASE WHEN c.top_stage_rank >= {CUSTOMER_RANK} OR c.won_revenue > 0 THEN 1 ELSE 0 END)
        FROM (
          SELECT DISTINCT {key} AS key, t.touch_account AS account_id
          FROM ({" UNION ALL ".join(f"SELECT * FROM ({part}) p{n}" for n, part in enumerate(parts))}) t
          JOIN {campaign} cp ON cp.id = t.touch_campaign
          WHERE 1 = 1 {channel_filter}
        ) g
        JOIN {company} c ON c.id = g.account_id
        GROUP BY g.key
    """  # noqa: S608 - table names and ranks are ours; values are parameters
    params = [AccountSettings.load().engaged_account_score, *params]
    if filters.channel:
        params.append(filters.channel)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    labels = _labels(by, [row[0] for row in rows])
    result = [
        {
            "key": row[0],
            "label": labels.get(row[0], str(row[0])),
            **dict(zip([n for n, _ in STEPS], row[1:], strict=True)),
        }
        for row in rows
    ]
    return sorted(result, key=lambda row: (-row["reached"], row["label"]))


def _labels(by: str, keys) -> dict:
    if by == "channel":
        return dict(Channel.choices)
    return dict(Campaign.objects.filter(pk__in=keys).values_list("pk", "name"))


def influenced_accounts(campaign_id: int) -> int:
    """How many companies the campaign has touched, ever: those with a person whose first or latest touch
    it is, or who has an engagement event of it (the campaign page's "influenced accounts")."""
    touched = Lead.objects.filter(Q(first_touch_campaign_id=campaign_id) | Q(latest_touch_campaign_id=campaign_id))
    engaged = LeadEvent.objects.filter(campaign_id=campaign_id)
    return Company.objects.filter(
        Q(pk__in=touched.values("account_id")) | Q(pk__in=engaged.values("lead__account_id"))
    ).count()
