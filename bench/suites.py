"""What the benchmark measures, one function per area; each yields Measurements with their targets."""

from django.db import connection
from django.utils import timezone

from bench.measure import Measurement, once
from leads.models import EngagementRule, Lead, ScoringSettings
from leads.scoring import rescore_leads


def scoring(*, runs, stdout):
    """rescore_leads on the whole base, and one raw SQL statement computing the same decayed sums."""
    now = timezone.now()
    relay, scored = once("rescore_leads (whole base)", lambda: rescore_leads(now=now))
    relay.extra = {"leads": scored, "leads_per_s": round(scored / max(relay.median_ms / 1000, 1e-9))}
    yield relay
    baseline, _ = once("rescore baseline (one raw SQL UPDATE)", lambda: raw_sql_rescore(now))
    yield baseline
    ratio = relay.median_ms / baseline.median_ms if baseline.median_ms else None
    yield Measurement(
        name="rescore: Relay / baseline",
        extra={"ratio": round(ratio, 2) if ratio else None},
        target="≤ 3×",
        ok=ratio is not None and ratio <= 3,
    )


def raw_sql_rescore(now) -> int:
    """The baseline: a single UPDATE ... FROM (SELECT lead, SUM(points × 0.5^(age/half-life)) GROUP BY lead)."""
    half_life = float(ScoringSettings.load().half_life_days)
    lead, event, rule = Lead._meta.db_table, "leads_leadevent", EngagementRule._meta.db_table
    if connection.vendor == "postgresql":
        age = "GREATEST(CAST(EXTRACT(EPOCH FROM (%s::timestamptz - e.occurred_at)) AS double precision) / 86400.0, 0)"
    else:
        age = "MAX(julianday(%s) - julianday(e.occurred_at), 0.0)"
    sql = f"""
        UPDATE {lead} SET
            engagement_score = s.total,
            score = CAST(FLOOR({lead}.fit_score + s.total + 0.5) AS INTEGER),
            scored_at = %s
        FROM (
            SELECT e.lead_id AS lead_id, SUM(r.points * POWER(CAST(0.5 AS double precision), {age} / %s)) AS total
            FROM {event} e JOIN {rule} r ON r.kind = e.kind AND r.points <> 0
            GROUP BY e.lead_id
        ) AS s
        WHERE s.lead_id = {lead}.id
    """  # noqa: S608 - table names come from the models, values are parameters
    stamp = now if connection.vendor == "postgresql" else now.strftime("%Y-%m-%d %H:%M:%S.%f")
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, stamp, half_life])
        return cursor.rowcount


SUITES = [scoring]
