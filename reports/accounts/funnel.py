"""The account funnel: per campaign and per channel, how many companies it reached and how far they got.

Like the campaign report it counts a period two ways (DOMAIN.md "cohort" and "activity"), and the page says
which:
- cohort (the default): the companies with at least one person created in the period whose first-touch or
  latest-touch campaign it is: the funnel's cohort, seen by account;
- activity: the companies with at least one person who had an engagement event of the campaign in the
  period, whenever that person was created.
A person without a company counts for none, and a company counts once per campaign and once per channel (the
channel of a touch is its campaign's channel). How far the reached companies got is as things stand now,
from the stored roll-ups (`reports.accounts.rollups`, at most a minute or two behind), so a company's flags
cost one row read:
- engaged: the account score reaches `AccountSettings.engaged_account_score`;
- with an MQL: someone reached MQL (top stage MQL or beyond);
- with an opportunity: someone reached opportunity, or it has an open deal or won revenue;
- won: someone became a customer, or it has won revenue (a won deal).
Counted in SQL: the distinct (campaign or channel, company) pairs of the touches, joined to the companies and
counted per group, in one statement.
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


VIEWS = (("cohort", "Cohort"), ("activity", "Activity"))
DEFAULT_VIEW = "cohort"


def touches(filters: ReportFilters, view: str = DEFAULT_VIEW) -> list:
    """Querysets of (touch_campaign, touch_account) rows: the campaign touched a person of that company, as
    `view` counts touches (see the module's docstring)."""
    if view == "activity":
        events = LeadEvent.objects.filter(
            filters.in_range("occurred_at"), campaign__isnull=False, lead__account__isnull=False
        )
        if filters.owner_id:
            events = events.filter(lead__owner_id=filters.owner_id)
        pairs = [events.values(touch_campaign=F("campaign_id"), touch_account=F("lead__account_id"))]
    else:
        created = Lead.objects.filter(filters.in_range("created_at"), account__isnull=False)
        if filters.owner_id:
            created = created.filter(owner_id=filters.owner_id)
        pairs = [
            created.filter(**{f"{field}__isnull": False}).values(
                touch_campaign=F(f"{field}_id"), touch_account=F("account_id")
            )
            for field in ("first_touch_campaign", "latest_touch_campaign")
        ]
    if filters.campaign_id:
        pairs = [queryset.filter(touch_campaign=filters.campaign_id) for queryset in pairs]
    return [queryset.order_by() for queryset in pairs]


def account_funnel(filters: ReportFilters, by: str = "campaign", view: str = DEFAULT_VIEW) -> list[dict]:
    """One row per campaign (`by="campaign"`) or channel (`by="channel"`): {key, label, reached, engaged,
    with_mql, with_opportunity, won}, most reached first."""
    parts, params = [], []
    for queryset in touches(filters, view):
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
