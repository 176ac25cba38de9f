"""Fast synthetic data at scale for the benchmark (and `seed_demo --scale`).

Rows go in with PostgreSQL's COPY or SQLite's executemany, in chunks, with explicit primary keys so that
events, hand-overs and deals can point at leads without reading them back. Memory stays bounded by the
chunk size whatever the scale. The data follows the funnel: every deal's lead was an MQL accepted by its
rep, won deals' leads are customers, and every lifecycle move has its LeadStageChange row. Leads work for
companies (`Accounts`), each linked to the one `companies.services.companies_for` would link it to, and
deals are sold to their lead's company.
"""

import json
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from agenda.models import Task
from campaigns.models import Campaign, CampaignDailyStat, Channel
from companies.domains import name_key
from companies.models import ROLLUP_FIELDS, Company, CompanyDomain
from crm.bulk_insert import copy_rows, values_placeholders
from crm.roles import MANAGER, MARKETER, SALES_REP, set_role
from deals.models import Activity, Deal, DealStageChange, LostReason, Pipeline, Stage
from deals.positions import spaced
from handoff.models import Handoff, RejectionReason
from leads.models import CompanySize, EventKind, Lead, LeadEvent, LeadStageChange, LifecycleStage, email_key

CHUNK = 20_000
FIRST_NAMES = [
    "Ada",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kira",
    "Liam",
    "Maya",
    "Noah",
    "Olga",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Wen",
    "Yusuf",
]
LAST_NAMES = [
    "Adler",
    "Brown",
    "Chen",
    "Diaz",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ivanova",
    "Jones",
    "Kim",
    "Lopez",
    "Muller",
    "Nakamura",
    "Okafor",
    "Patel",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Weber",
]
# Company names: a first word, a second word and a suffix, 40 × 40 × 12 = 19,200 names before one repeats.
COMPANY_WORDS = [
    "Acme", "Blue", "North", "Quantum", "River", "Summit", "Vertex", "Nimbus", "Atlas", "Cobalt", "Delta",
    "Ember", "Falcon", "Granite", "Harbor", "Iris", "Juniper", "Kepler", "Lumen", "Meridian", "Orbit",
    "Pioneer", "Redwood", "Sable", "Tidal", "Union", "Violet", "Willow", "Zenith", "Apex", "Beacon", "Cedar",
    "Crest", "Evergreen", "Frontier", "Golden", "Horizon", "Ironwood", "Lakeside", "Maple",
]  # fmt: skip
COMPANY_SECOND_WORDS = [
    "Arc", "Bay", "Bridge", "Brook", "Canyon", "Cloud", "Coast", "Core", "Creek", "Field", "Forge", "Gate",
    "Grove", "Hill", "Hub", "Isle", "Key", "Lane", "Leaf", "Light", "Line", "Mill", "Moon", "Oak", "Path",
    "Peak", "Pine", "Point", "Port", "Ridge", "Rock", "Shore", "Sky", "Spring", "Star", "Stone", "Vale", "View",
    "Wave", "Works",
]  # fmt: skip
COMPANY_SUFFIXES = [
    "Labs", "Systems", "Group", "Health", "Logistics", "Software", "Partners", "Foods", "Energy", "Analytics",
    "Manufacturing", "Capital",
]  # fmt: skip
# The web mail people use when they do not write from work: their address links no company.
FREE_MAIL = ["gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "icloud.com", "gmx.de"]
TITLES = [
    "VP Marketing",
    "Head of Sales",
    "Director of IT",
    "Marketing Manager",
    "Software Engineer",
    "CFO",
    "Chief Revenue Officer",
    "Operations Lead",
    "Student",
    "Founder",
    "Product Manager",
    "Analyst",
]
INDUSTRIES = ["Software", "Financial services", "Healthcare", "Retail", "Manufacturing", "Education", "Logistics"]
COUNTRIES = ["US", "GB", "DE", "FR", "NL", "CA", "BR", "IN", "ES", "SE", "AU", "JP"]
EVENT_WEIGHTS = {
    EventKind.PAGE_VIEW: 40,
    EventKind.EMAIL_OPEN: 20,
    EventKind.EMAIL_CLICK: 12,
    EventKind.CONTENT_DOWNLOAD: 8,
    EventKind.FORM_SUBMIT: 6,
    EventKind.WEBINAR_ATTENDED: 4,
    EventKind.PRICING_PAGE_VIEW: 6,
    EventKind.DEMO_REQUEST: 2,
    EventKind.OTHER: 2,
}


@dataclass
class Scale:
    leads: int = 100_000
    events_per_lead: int = 5
    campaigns: int = 50
    days: int = 90
    deals: int = 20_000
    open_deals: int = 2_000
    reps: int = 10
    # The people of the biggest company (the first): its page is measured.
    largest_company: int = 2_000


def _bulk_insert(model, columns: list[str], rows: Iterable[tuple], chunk: int = CHUNK) -> int:
    """Insert `rows` (tuples in `columns` order) into `model`'s table in chunks; returns the row count."""
    table = model._meta.db_table
    count = 0
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= chunk:
            _insert_chunk(table, columns, batch)
            count += len(batch)
            batch = []
    if batch:
        _insert_chunk(table, columns, batch)
        count += len(batch)
    return count


def _insert_chunk(table: str, columns: list[str], rows: list[tuple]) -> None:
    if connection.vendor == "postgresql":
        copy_rows(table, columns, rows)
        return
    quote = connection.ops.quote_name
    column_list = ", ".join(quote(column) for column in columns)
    placeholders = values_placeholders(len(columns), 1)
    sql = f"INSERT INTO {quote(table)} ({column_list}) VALUES {placeholders}"  # noqa: S608 - names from models
    with connection.cursor() as cursor:
        cursor.executemany(sql, [tuple(_sqlite_value(value) for value in row) for row in rows])


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def _columns(model, names: list[str]) -> list[str]:
    return [model._meta.get_field(name).column for name in names]


def _reset_sequences(*models) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _next_id(model) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def ensure_users(reps: int):
    """A marketer, a manager and `reps` sales reps (bench_rep1...), created once."""
    User = get_user_model()
    people = {}
    for username, role in [("bench_marketer", MARKETER), ("bench_manager", MANAGER)] + [
        (f"bench_rep{n}", SALES_REP) for n in range(1, reps + 1)
    ]:
        user, created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@bench.example"})
        if created:
            user.set_unusable_password()
            user.save()
            set_role(user, role)
        people[username] = user
    return people


def generate(scale: Scale, *, seed: int = 20261123, now: datetime | None = None, stdout=None) -> dict[str, int]:
    """Fill the (empty) database with `scale` worth of campaigns, leads, events, hand-overs and deals."""
    rng = random.Random(seed)
    now = now or timezone.now()
    say = stdout.write if stdout else (lambda message: None)
    people = ensure_users(scale.reps)
    reps = [people[f"bench_rep{n}"] for n in range(1, scale.reps + 1)]
    counts: dict[str, int] = {}

    with transaction.atomic():
        campaigns = _campaigns(scale, rng, people["bench_marketer"], now)
        counts["campaigns"] = len(campaigns)
        counts["daily_stats"] = _daily_stats(campaigns, scale, rng, now)
    say(f"  {counts['campaigns']} campaigns, {counts['daily_stats']} daily stats")

    counts.update(
        add_leads(
            count=scale.leads,
            campaigns=campaigns,
            rng=rng,
            now=now,
            events_per_lead=scale.events_per_lead,
            days=scale.days,
            owners=[rep.pk for rep in reps],
            largest_company=scale.largest_company,
            funnel=Funnel(scale, rng, reps, now),
        )
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as a long-running database would have
    say(
        f"  {counts['companies']} companies, {counts['leads']} leads, {counts['events']} events, "
        f"{counts['handoffs']} hand-overs, {counts['deals']} deals, {counts['activities']} activities"
    )
    return counts


def _campaigns(scale: Scale, rng: random.Random, owner, now) -> list[Campaign]:
    start = (now - timedelta(days=scale.days)).date()
    channels = list(Channel.values)
    existing = set(Campaign.objects.filter(slug__startswith="bench-").values_list("slug", flat=True))
    Campaign.objects.bulk_create(
        Campaign(
            name=f"Bench campaign {n}",
            slug=f"bench-{n}",
            channel=channels[n % len(channels)],
            status=Campaign.Status.ACTIVE,
            start_date=start,
            budget=Decimal(rng.randrange(5_000, 80_000)),
            owner=owner,
        )
        for n in range(1, scale.campaigns + 1)
        if f"bench-{n}" not in existing
    )
    return list(Campaign.objects.filter(slug__startswith="bench-").order_by("pk"))


def _daily_stats(campaigns, scale: Scale, rng: random.Random, now) -> int:
    first_day = (now - timedelta(days=scale.days)).date()
    rows = []
    for campaign in campaigns:
        for offset in range(scale.days):
            impressions = rng.randrange(500, 50_000)
            clicks = rng.randrange(0, max(impressions // 20, 1))
            spend = Decimal(rng.randrange(0, 200_000)) / 100
            rows.append(
                CampaignDailyStat(
                    campaign=campaign,
                    date=first_day + timedelta(days=offset),
                    impressions=impressions,
                    clicks=clicks,
                    spend=spend,
                )
            )
    return len(CampaignDailyStat.objects.bulk_create(rows, batch_size=5_000, ignore_conflicts=True))


LEAD_FIELDS = [
    "id",
    "first_name",
    "last_name",
    "email",
    "email_key",
    "phone",
    "company",
    "account",
    "job_title",
    "company_size",
    "industry",
    "country",
    "marketing_consent",
    "consent_at",
    "consent_source",
    "stage",
    "owner",
    "first_touch_campaign",
    "latest_touch_campaign",
    "source_channel",
    "source",
    "fit_score",
    "engagement_score",
    "score",
    "score_breakdown",
    "last_event_at",
    "created_at",
    "updated_at",
    "lead_at",
    "mql_at",
    "sql_at",
    "opportunity_at",
    "customer_at",
]
EVENT_FIELDS = ["lead", "kind", "campaign", "occurred_at", "properties", "external_id", "created_at"]
# Every generated hand-over had the default SLA (handoff.Sla) when it was made.
SLA_HOURS = 24
HANDOFF_FIELDS = [
    "id",
    "lead",
    "round",
    "rep",
    "score",
    "handed_at",
    "due_at",
    "outcome",
    "responded_at",
    "rejection_reason",
    "note",
    "deal",
    "sla_hours",
]
CHANGE_FIELDS = ["lead", "from_stage", "to_stage", "by", "reason", "note", "at"]
DEAL_FIELDS = [
    "id",
    "title",
    "lead",
    "company",
    "account",
    "contact_name",
    "contact_email",
    "amount",
    "stage",
    "position",
    "owner",
    "expected_close_date",
    "source_campaign",
    "next_step",
    "created_at",
    "updated_at",
    "stage_changed_at",
    "last_activity_at",
    "closed_at",
    "lost_reason",
    "close_note",
    "forecast_category",
]
# Deals' forecast categories, in turn (no draw from the random stream: the rest of the data stays as it was).
FORECAST_CATEGORIES = ("pipeline", "best_case", "commit", "pipeline", "omitted")
DEAL_CHANGE_FIELDS = ["deal", "from_stage", "from_name", "to_stage", "to_name", "by", "at"]
ACTIVITY_FIELDS = ["deal", "kind", "subject", "body", "by", "at"]
TASK_FIELDS = ["title", "note", "deal", "assignee", "created_by", "due_at", "reminded_at", "created_at", "updated_at"]
# Insertion order: a table's rows go in after the rows they point at.
TABLES = [
    (Lead, LEAD_FIELDS),
    (LeadEvent, EVENT_FIELDS),
    (LeadStageChange, CHANGE_FIELDS),
    (Deal, DEAL_FIELDS),
    (DealStageChange, DEAL_CHANGE_FIELDS),
    (Activity, ACTIVITY_FIELDS),
    (Task, TASK_FIELDS),
    (Handoff, HANDOFF_FIELDS),  # after the deal its accept created
]


class Writer:
    """Buffers rows per table and writes them all, in dependency order, whenever the leads buffer is full."""

    def __init__(self):
        self.buffers = {model: [] for model, _ in TABLES}
        self.counts = {model: 0 for model, _ in TABLES}

    def add(self, model, row):
        self.buffers[model].append(row)

    def flush_if_full(self, size: int):
        if len(self.buffers[Lead]) >= size:
            self.flush()

    def flush(self):
        for model, fields in TABLES:
            rows = self.buffers[model]
            if rows:
                self.counts[model] += _bulk_insert(model, _columns(model, fields), rows)
                self.buffers[model] = []


class Funnel:
    """Decides each lead's path through the funnel and writes every row that path leaves behind."""

    def __init__(self, scale: Scale, rng: random.Random, reps, now):
        self.scale, self.rng, self.reps, self.now = scale, rng, reps, now
        stages = list(Stage.objects.filter(pipeline=Pipeline.default()).order_by("order"))
        self.open_stages = [stage for stage in stages if stage.kind == Stage.Kind.OPEN]
        self.won = next(stage for stage in stages if stage.kind == Stage.Kind.WON)
        self.lost = next(stage for stage in stages if stage.kind == Stage.Kind.LOST)
        self.deals = min(scale.deals, scale.leads)
        self.mqls = min(scale.leads, self.deals + self.deals // 2)
        self.deal_id, self.handoff_id = _next_id(Deal), _next_id(Handoff)
        self.lost_reasons = LostReason.values
        self.rep_by_id = {rep.pk: rep for rep in reps}

    def path(self, index: int, lead: dict, writer: Writer, *, rep_id: int | None = None) -> None:
        """Fill `lead`'s stage, owner and stage timestamps, and add its hand-over, deal and history rows. The
        rep is `rep_id` (its company's owner) when given, else the next in turn."""
        if index >= self.mqls:
            return
        rng, now = self.rng, self.now
        rep = self.rep_by_id.get(rep_id) or self.reps[index % len(self.reps)]
        lead_id, created = lead["id"], lead["created_at"]
        mql_at = min(created + timedelta(hours=rng.randrange(1, 24 * 20)), now - timedelta(hours=2))
        mql_at = max(mql_at, created)
        responded = min(mql_at + timedelta(minutes=rng.randrange(5, 60 * 40)), now)
        lead.update(owner=rep.pk, lead_at=created, mql_at=mql_at, stage="mql")
        writer.add(LeadStageChange, (lead_id, "lead", "mql", None, "score_reached_threshold", "", mql_at))
        outcome, reason, deal_id = "pending", "", None
        if index < self.deals:  # accepted: the deal is born then (DOMAIN.md "The hand-over")
            outcome = "accepted"
            lead.update(stage="sql", sql_at=responded)
            writer.add(LeadStageChange, (lead_id, "mql", "sql", rep.pk, "accepted", "", responded))
            deal_id = self.deal(index, lead, rep, responded, writer)
        elif index % 2:
            outcome, reason = "rejected", rng.choice(list(RejectionReason.values))
            lead["stage"] = "disqualified" if reason in ("not_a_fit", "duplicate") else "nurture"
            writer.add(LeadStageChange, (lead_id, "mql", lead["stage"], rep.pk, reason, "", responded))
        else:
            responded = None
        writer.add(
            Handoff,
            (
                self.handoff_id,
                lead_id,
                1,
                rep.pk,
                60,
                mql_at,
                mql_at + timedelta(hours=SLA_HOURS),
                outcome,
                responded,
                reason,
                "",
                deal_id,
                SLA_HOURS,
            ),
        )
        self.handoff_id += 1

    def deal(self, index: int, lead: dict, rep, opened, writer: Writer) -> int:
        """Add the deal an accept created, with its history; returns its id."""
        rng, now = self.rng, self.now
        first = self.open_stages[0]
        is_open = index < self.scale.open_deals
        stage = rng.choice(self.open_stages) if is_open else (self.won if rng.random() < 0.4 else self.lost)
        moved = min(opened + timedelta(days=rng.randrange(1, 60)), now)
        if stage.order > first.order and stage != self.lost:
            lead.update(stage="opportunity", opportunity_at=moved)
            writer.add(LeadStageChange, (lead["id"], "sql", "opportunity", rep.pk, "", "", moved))
        if stage == self.won:
            lead.update(stage="customer", customer_at=moved)
            writer.add(LeadStageChange, (lead["id"], "opportunity", "customer", rep.pk, "", "", moved))
        name = f"{lead['first_name']} {lead['last_name']}"
        writer.add(
            Deal,
            (
                self.deal_id,
                f"{lead['company']} — {name}" if lead["company"] else name,
                lead["id"],
                lead["company"],
                lead["account"],
                name,
                lead["email"],
                Decimal(rng.randrange(1_000, 120_000)),
                stage.pk,
                spaced(index, self.deals),  # in lead order within each column, with room between cards
                rep.pk,
                (moved + timedelta(days=30)).date(),
                lead["first_touch_campaign"],
                "",
                opened,
                now,
                moved,
                moved if rng.random() < 0.7 else None,
                None if is_open else moved,
                rng.choice(self.lost_reasons) if stage == self.lost else "",
                "",
                FORECAST_CATEGORIES[self.deal_id % len(FORECAST_CATEGORIES)],
            ),
        )
        writer.add(DealStageChange, (self.deal_id, None, "", first.pk, first.name, rep.pk, opened))
        if stage != first:
            writer.add(DealStageChange, (self.deal_id, first.pk, first.name, stage.pk, stage.name, rep.pk, moved))
        writer.add(Activity, (self.deal_id, "call", "Discovery call", "", rep.pk, moved))
        if is_open:
            due = now + timedelta(days=rng.randrange(-5, 14))
            # Tasks already due count as reminded: the benchmark's beat does not send a pile of reminders.
            reminded = due if due <= now else None
            writer.add(Task, ("Send proposal", "", self.deal_id, rep.pk, rep.pk, due, reminded, moved, moved))
        self.deal_id += 1
        return self.deal_id - 1


# The companies behind the leads: about one per five leads; a third of them with several people, the
# others with one or none yet. Of the people of a company with several, some write from free mail and
# type its name; and some leads write from free mail and name no company at all.
COMPANIES_PER_LEAD = 0.2
SEVERAL_SHARE = 1 / 3
SEVERAL_PEOPLE = (3, 18)
ONE_PERSON_SHARE = 0.85
NAMED_FROM_FREE_MAIL = 0.15
# Size bands by the most people a company of that band can have.
SIZE_BANDS = [(10, "1-10"), (50, "11-50"), (200, "51-200"), (1_000, "201-1000"), (5_000, "1001-5000")]
COMPANY_FIELDS = [
    "id",
    "name",
    "name_key",
    "aliases",
    "industry",
    "size_band",
    "country",
    "owner",
    "created_at",
    "updated_at",
    *ROLLUP_FIELDS,
]
DOMAIN_FIELDS = ["id", "company", "domain"]


@dataclass
class Account:
    id: int
    name: str
    domain: str
    industry: str
    size_band: str
    country: str
    owner: int | None
    # Whether its people at free mail may type its name: only the first company of a name is found by it.
    named: bool


class Accounts:
    """The companies `count` leads work for, written before the leads (explicit ids, COPY), and where each
    lead works: `place(index, lead)` gives lead `index` its email, typed company name, account, and its
    company's industry, size and country, and returns the company's owner (a rep, or None).

    About `per_lead` companies per lead: a third with several people (SEVERAL_PEOPLE), the others one or
    none yet; the first has `largest` people (the benchmark's big company page). People write from their
    company's domain (which links them, as `companies.services.companies_for` would), or from free mail
    typing its exact name (which links them by name: only the first company of a name), or from free mail
    naming none (no account). Each company's people share its fields; its owner is one of `owners`."""

    def __init__(self, *, count, rng, now, owners, days: int = 90, largest: int = 0, per_lead=COMPANIES_PER_LEAD):
        self.rng, self.now, self.days = rng, now, days
        sizes = _people_per_company(count, round(count * per_lead), largest, rng)
        self.accounts = _make_accounts(len(sizes), sizes, rng, owners)
        # One slot per lead: 2 × company index (+1 when the person writes from free mail), or -1 for none.
        slots = []
        for index, (account, people) in enumerate(zip(self.accounts, sizes, strict=True)):
            free_mail = NAMED_FROM_FREE_MAIL if account.named and 3 <= people < 100 else 0
            slots += [2 * index + (rng.random() < free_mail) for _ in range(people)]
        slots += [-1] * (count - len(slots))
        rng.shuffle(slots)
        self.slots, self.sizes = slots, sizes

    def write(self) -> dict[str, int]:
        """Insert the companies and their domains; returns the rows written."""
        rng, now = self.rng, self.now
        companies = (
            (
                account.id, account.name, name_key(account.name), [], account.industry, account.size_band,
                account.country, account.owner, now - timedelta(days=self.days + rng.randrange(730)), now, people,
                0, 0.0, 0, 0.0, Decimal(0), Decimal(0), 0, 0, None, True,  # roll-ups: the sweep computes them
            )
            for account, people in zip(self.accounts, self.sizes, strict=True)
        )  # fmt: skip
        written = _bulk_insert(Company, _columns(Company, COMPANY_FIELDS), companies)
        first_domain = _next_id(CompanyDomain)
        domains = ((first_domain + n, account.id, account.domain) for n, account in enumerate(self.accounts))
        _bulk_insert(CompanyDomain, _columns(CompanyDomain, DOMAIN_FIELDS), domains)
        return {"companies": written}

    def place(self, index: int, lead: dict) -> int | None:
        rng, slot = self.rng, self.slots[index]
        local = f"{lead['first_name']}.{lead['last_name']}.{lead['id']}".lower()
        if slot < 0:
            lead.update(email=f"{local}@{rng.choice(FREE_MAIL)}", company="", account=None)
            return None
        account = self.accounts[slot // 2]
        if slot % 2:  # from free mail, typing the name (in whatever case: it links by the normalised name)
            typed = account.name.upper() if rng.random() < 0.2 else account.name
            email = f"{local}@{rng.choice(FREE_MAIL)}"
        else:
            typed = f"{account.name} Inc." if rng.random() < 0.1 else account.name
            email = f"{local}@{account.domain}"
        lead.update(
            email=email,
            company=typed,
            account=account.id,
            industry=account.industry,
            company_size=account.size_band,
            country=account.country,
        )
        return account.owner


def _people_per_company(count: int, companies: int, largest: int, rng: random.Random) -> list[int]:
    """How many of the `count` leads work at each of `companies` companies (the first has `largest`)."""
    sizes = [min(largest, count)] if largest and companies else []
    while len(sizes) < companies:
        if rng.random() < SEVERAL_SHARE:
            sizes.append(rng.randint(*SEVERAL_PEOPLE))
        else:
            sizes.append(int(rng.random() < ONE_PERSON_SHARE))
    excess = sum(sizes) - count
    for index in reversed(range(len(sizes))):  # more people planned than leads: the last companies shrink
        if excess <= 0:
            break
        cut = min(sizes[index], excess)
        sizes[index] -= cut
        excess -= cut
    return sizes


def _make_accounts(count: int, sizes: list[int], rng: random.Random, owners) -> list[Account]:
    """`count` companies with names that repeat only after 19,200; a name's first company gets the plain
    domain (north-harbor-labs.example), a later one (here or already stored) its id in it."""
    first_id = _next_id(Company)
    words = len(COMPANY_WORDS) * len(COMPANY_SECOND_WORDS)
    variety = words * len(COMPANY_SUFFIXES)
    names = []
    for index in range(count):
        k = index * 7919 % variety  # 7919 is prime to 19,200: every name once before any repeats
        first, second = (
            COMPANY_WORDS[k % len(COMPANY_WORDS)],
            COMPANY_SECOND_WORDS[k // len(COMPANY_WORDS) % len(COMPANY_SECOND_WORDS)],
        )
        names.append(f"{first} {second} {COMPANY_SUFFIXES[k // words]}")
    taken = _stored_names({name_key(name) for name in names}) if Company.objects.exists() else set()
    accounts, seen = [], set()
    for index, (name, people) in enumerate(zip(names, sizes, strict=True)):
        pk, key = first_id + index, name_key(name)
        named = key not in seen and key not in taken
        seen.add(key)
        slug = key.replace(" ", "-")
        bands = [band for most, band in SIZE_BANDS if most >= people] + ["5000+"]
        accounts.append(
            Account(
                id=pk,
                name=name,
                domain=f"{slug}.example" if named else f"{slug}-{pk}.example",
                industry=rng.choice(INDUSTRIES),
                size_band=rng.choice(bands),
                country=rng.choice(COUNTRIES),
                owner=owners[index % len(owners)] if owners else None,
                named=named,
            )
        )
    return accounts


def _stored_names(keys: set[str]) -> set[str]:
    """Those of `keys` (name keys) that stored companies already have."""
    found, keys = set(), sorted(keys)
    for start in range(0, len(keys), 1_000):
        batch = keys[start : start + 1_000]
        found.update(Company.objects.filter(name_key__in=batch).values_list("name_key", flat=True))
    return found


def add_leads(
    *,
    count: int,
    campaigns,
    rng: random.Random,
    now: datetime,
    events_per_lead: int = 5,
    days: int = 90,
    owners=(),
    largest_company: int = 0,
    consent_source: str = "bench",
    funnel: Funnel | None = None,
) -> dict[str, int]:
    """Insert `count` leads created over the last `days` days, with `events_per_lead` events each and
    first/latest touches among `campaigns` (none when there are none), and the companies they work for
    (`Accounts`: about one per five leads, owned by `owners`, ids of reps; the first with `largest_company`
    people). `consent_source` marks the rows (the demo finds its leads by it). With a `funnel`, its first
    leads also go down it (hand-overs, deals, stage history), with their company's owner. The benchmark
    and `seed_demo` both fill their leads here. Returns the rows written per table."""
    kinds, weights = list(EVENT_WEIGHTS), list(EVENT_WEIGHTS.values())
    sizes = list(CompanySize.values)
    span = days * 86400
    first_id = _next_id(Lead)
    writer = Writer()
    chunk = max(CHUNK // max(events_per_lead, 1), 1000)
    with transaction.atomic():
        accounts = Accounts(count=count, rng=rng, now=now, owners=list(owners), days=days, largest=largest_company)
        companies = accounts.write()
        for index in range(count):
            pk = first_id + index
            first_touch = rng.choice(campaigns) if campaigns else None
            latest = first_touch if not campaigns or rng.random() < 0.6 else rng.choice(campaigns)
            created = now - timedelta(seconds=rng.randrange(span))
            window = max(int((now - created).total_seconds()), 1)
            occurred = sorted(created + timedelta(seconds=rng.randrange(window)) for _ in range(events_per_lead))
            for when in occurred:
                campaign = latest.pk if latest and rng.random() < 0.5 else None
                writer.add(LeadEvent, (pk, rng.choices(kinds, weights)[0], campaign, when, {}, "", when))
            stage = LifecycleStage.SUBSCRIBER if rng.random() < 0.05 else LifecycleStage.LEAD
            lead = dict.fromkeys(LEAD_FIELDS)
            lead.update(
                id=pk,
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                phone="",
                job_title=rng.choice(TITLES),
                # Leads at no company keep fields of their own (what they typed in a form).
                company_size=rng.choice(sizes),
                industry=rng.choice(INDUSTRIES),
                country=rng.choice(COUNTRIES),
                marketing_consent=True,
                consent_at=created,
                consent_source=consent_source,
                stage=stage,
                first_touch_campaign=first_touch and first_touch.pk,
                latest_touch_campaign=latest and latest.pk,
                source_channel=first_touch.channel if first_touch else "",
                source="import",
                fit_score=0,
                engagement_score=0.0,
                score=0,
                score_breakdown={},
                last_event_at=occurred[-1] if occurred else None,
                created_at=created,
                updated_at=created,
                lead_at=created if stage == LifecycleStage.LEAD else None,
            )
            owner = accounts.place(index, lead)
            lead["email_key"] = email_key(lead["email"])
            if funnel:
                funnel.path(index, lead, writer, rep_id=owner)
            writer.add(Lead, tuple(lead[name] for name in LEAD_FIELDS))
            writer.flush_if_full(chunk)
        writer.flush()
    names = {
        Lead: "leads",
        LeadEvent: "events",
        Handoff: "handoffs",
        LeadStageChange: "stage_changes",
        Deal: "deals",
        DealStageChange: "deal_stage_changes",
        Activity: "activities",
        Task: "tasks",
    }
    _reset_sequences(Company, CompanyDomain, *writer.counts)
    return companies | {names[model]: count for model, count in writer.counts.items()}
