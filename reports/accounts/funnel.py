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


def account_funnels(filters: ReportFilters, view: str = DEFAULT_VIEW) -> dict[str, list[dict]]:
    """{"campaign": rows, "channel": rows}: one row per campaign and per channel, {key, label, reached, engaged,
    with_mql, with_opportunity, won}, most reached first. One statement: the distinct (campaign, company)
    pairs of the touches are found once (a UNION of the touch queries), then counted per campaign and, as
    distinct (channel, company) pairs, per channel."""
    parts, params = [], []
    for queryset in touches(filters, view):
        sql, part_params = queryset.query.sql_with_params()
        parts.append(f"SELECT * FROM ({sql}) p{len(parts)}")  # noqa: S608 - the ORM's own SQL
        params += part_params
    campaign, company = Campaign._meta.db_table, Company._meta.db_table
    channel_filter = "WHERE cp.channel = %s" if filters.channel else ""
    # Each pair with its company's flags, the companies read once; then counted per campaign, and per channel
    # over the distinct (channel, company) pairs.
    counts = "COUNT(*), SUM(engaged), SUM(with_mql), SUM(with_opportunity), SUM(won)"
    sql = f"""
        WITH pairs AS (
          SELECT t.touch_campaign AS campaign_id, cp.channel AS channel, t.touch_account AS account_id,
            CASE WHEN c.account_score >= %s THEN 1 ELSE 0 END AS engaged,
            CASE WHEN c.top_stage_rank >= {MQL_RANK} THEN 1 ELSE 0 END AS with_mql,
            CASE WHEN c.top_stage_rank >= {OPPORTUNITY_RANK} OR c.open_deals > 0 OR c.won_revenue > 0
              THEN 1 ELSE 0 END AS with_opportunity,
            CASE WHEN c.top_stage_rank >= {CUSTOMER_RANK} OR c.won_revenue > 0 THEN 1 ELSE 0 END AS won
          FROM ({" UNION ".join(parts)}) t
          JOIN {campaign} cp ON cp.id = t.touch_campaign
          JOIN {company} c ON c.id = t.touch_account
          {channel_filter}
        )
        SELECT 'campaign', CAST(campaign_id AS TEXT), {counts} FROM pairs GROUP BY campaign_id
        UNION ALL
        SELECT 'channel', channel, {counts}
        FROM (SELECT DISTINCT channel, account_id, engaged, with_mql, with_opportunity, won FROM pairs) g
        GROUP BY channel
    """  # noqa: S608 - table names and ranks are ours; values are parameters
    engaged = AccountSettings.load().engaged_account_score
    params = [engaged, *params, *([filters.channel] if filters.channel else [])]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    result = {}
    for by in ("campaign", "channel"):
        mine = [row[1:] for row in rows if row[0] == by]
        keys = [int(row[0]) if by == "campaign" else row[0] for row in mine]
        labels = _labels(by, keys)
        result[by] = sorted(
            (
                {
                    "key": key,
                    "label": labels.get(key, str(key)),
                    **dict(zip([n for n, _ in STEPS], row[1:], strict=True)),
                }
                for key, row in zip(keys, mine, strict=True)
            ),
            key=lambda row: (-row["reached"], row["label"]),
        )
    return result


def account_funnel(filters: ReportFilters, by: str = "campaign", view: str = DEFAULT_VIEW) -> list[dict]:
    """The rows of one grouping of `account_funnels`."""
    return account_funnels(filters, view)[by]


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
