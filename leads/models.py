from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from campaigns.models import Channel
from companies.models import Company, CompanySize  # noqa: F401 (CompanySize: leads' choices too)
from crm.actors import SCORING, actor_name


class LifecycleStage(models.TextChoices):
    """DOMAIN.md "Lifecycle stages of a lead", in funnel order, then the two side exits."""

    SUBSCRIBER = "subscriber", "Subscriber"
    LEAD = "lead", "Lead"
    MQL = "mql", "MQL"
    SQL = "sql", "SQL"
    OPPORTUNITY = "opportunity", "Opportunity"
    CUSTOMER = "customer", "Customer"
    NURTURE = "nurture", "Nurture"
    DISQUALIFIED = "disqualified", "Disqualified"


FUNNEL = [
    LifecycleStage.SUBSCRIBER,
    LifecycleStage.LEAD,
    LifecycleStage.MQL,
    LifecycleStage.SQL,
    LifecycleStage.OPPORTUNITY,
    LifecycleStage.CUSTOMER,
]
# The column that records when a lead first reached each funnel stage (or went past it): "reached stage N
# or beyond" in the funnel metrics is "this column is set". Everyone reached `subscriber`.
REACHED_AT = {
    LifecycleStage.LEAD: "lead_at",
    LifecycleStage.MQL: "mql_at",
    LifecycleStage.SQL: "sql_at",
    LifecycleStage.OPPORTUNITY: "opportunity_at",
    LifecycleStage.CUSTOMER: "customer_at",
}
# The contact fields of a lead that every door may fill (the forms, the API, the import); a merge applies
# "blanks never overwrite" to exactly these. Labels come from the fields' verbose names (`field_label`).
CONTACT_FIELDS = ("first_name", "last_name", "phone", "company", "job_title", "company_size", "industry", "country")


class CaptureSource(models.TextChoices):
    """Which door a lead came in through."""

    WEB_FORM = "web_form", "Web form"
    API = "api", "API"
    IMPORT = "import", "CSV import"
    MANUAL = "manual", "Entered by hand"


EMAIL_KEY_MAX_LENGTH = 320


def email_key(email: str) -> str:
    """The form of an email address that says whether two addresses are the same person's: Unicode
    case-folded (É and é, ß and ss), the domain IDNA-encoded (éxample.com and xn--xample-9ua.com).

    Every door finds a lead by this key, on every database: SQLite's LOWER folds ASCII letters only, so
    comparing lower(email) there made u@ÉXAMPLE.com and u@éxample.com two leads. A domain that is not a
    valid IDNA name (an empty or over-long label) keeps its case-folded text.
    """
    local, at, domain = (email or "").strip().casefold().rpartition("@")
    if not at:
        return domain
    domain = domain.rstrip(".")
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_domain = domain
    key = f"{local}@{ascii_domain}"
    return key if len(key) <= EMAIL_KEY_MAX_LENGTH else f"{local}@{domain}"


class LeadQuerySet(models.QuerySet):
    def with_email(self, email: str):
        """The lead with this email in any spelling of it (`email_key`), through the unique index."""
        return self.filter(email_key=email_key(email))

    def with_email_keys(self, keys):
        """Leads whose `email_key` is one of `keys` (already keys): one indexed query per batch."""
        return self.filter(email_key__in=list(keys)).order_by()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for lead in objs:
            lead.email_key = email_key(lead.email)
        return super().bulk_create(objs, *args, **kwargs)


class Lead(models.Model):
    """A person marketing knows about, from first touch to customer (or a side exit)."""

    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(max_length=254)
    # `email_key(email)`, kept by `save()` and every bulk writer: what every door looks a lead up by.
    email_key = models.CharField(max_length=EMAIL_KEY_MAX_LENGTH, editable=False)
    phone = models.CharField(max_length=40, blank=True)
    # The company as the person typed it (shown and searched); `account` is the Company record reports use.
    company = models.CharField(max_length=200, blank=True)
    account = models.ForeignKey(
        Company, on_delete=models.SET_NULL, null=True, blank=True, related_name="people", verbose_name="company"
    )
    job_title = models.CharField(max_length=200, blank=True)
    company_size = models.CharField(max_length=20, choices=CompanySize.choices, blank=True)
    industry = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=60, blank=True)

    marketing_consent = models.BooleanField("marketing opt-in", default=False)
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_source = models.CharField(max_length=100, blank=True)
    # Asked not to be contacted: no email from Relay, neither one-to-one nor marketing.
    # db_default: the bulk writers (imports, the benchmark's generator) name their columns and leave it out.
    do_not_contact = models.BooleanField(
        "do not contact",
        default=False,
        db_default=False,
        help_text="Relay sends this person no email, neither sales nor marketing.",
    )

    stage = models.CharField(max_length=20, choices=LifecycleStage.choices, default=LifecycleStage.LEAD)
    # These three foreign keys are the first column of composite indexes (Meta.indexes), which serve
    # their lookups too: a single-column index of their own would only slow every lead written.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_leads",
        db_index=False,
    )
    first_touch_campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="first_touch_leads",
        db_index=False,
    )
    latest_touch_campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="latest_touch_leads",
        db_index=False,
    )
    source_channel = models.CharField(max_length=20, choices=Channel.choices, blank=True)
    source = models.CharField(max_length=20, choices=CaptureSource.choices, default=CaptureSource.MANUAL)

    fit_score = models.IntegerField(default=0)
    engagement_score = models.FloatField(default=0)
    score = models.IntegerField(default=0)
    score_breakdown = models.JSONField(default=dict, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    # Events before this moment no longer count (a rejected MQL sent back to nurture starts again).
    engagement_reset_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    lead_at = models.DateTimeField(null=True, blank=True)
    mql_at = models.DateTimeField("MQL at", null=True, blank=True)
    sql_at = models.DateTimeField("SQL at", null=True, blank=True)
    opportunity_at = models.DateTimeField(null=True, blank=True)
    customer_at = models.DateTimeField(null=True, blank=True)
    # The file import that last created or updated the lead (its summary links to "the imported leads").
    lead_import = models.ForeignKey(
        "LeadImport", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    objects = LeadQuerySet.as_manager()
    # Who changed what, for managers (crm.history). Scores, event times and the stage timestamps are
    # derived (the scoring, the events, the stage changes keep their own record) and stay out of it.
    # Imports and the SQL rescoring write set-based and add no history rows.
    history = HistoricalRecords(
        excluded_fields=[
            "email_key",
            "fit_score",
            "engagement_score",
            "score",
            "score_breakdown",
            "scored_at",
            "engagement_reset_at",
            "last_event_at",
            "updated_at",
            "lead_at",
            "mql_at",
            "sql_at",
            "opportunity_at",
            "customer_at",
            "lead_import",
        ],
        no_db_index=["owner", "first_touch_campaign", "latest_touch_campaign"],
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["email_key"], name="lead_email_key_unique"),
            # A writer that forgot the key would make a lead no door can find: refused instead.
            models.CheckConstraint(condition=~models.Q(email_key=""), name="lead_email_key_set"),
        ]
        indexes = [
            # The list's newest-first order, and (PostgreSQL) the stage times the funnel's medians read from
            # the index alone.
            models.Index(
                fields=["-created_at", "-id"],
                include=["lead_at", "mql_at", "sql_at", "opportunity_at", "customer_at"],
                name="lead_created_idx",
            ),
            models.Index(fields=["-score", "-id"], name="lead_score_idx"),
            models.Index(fields=["stage", "-created_at"], name="lead_stage_created_idx"),
            models.Index(fields=["owner", "stage"], name="lead_owner_stage_idx"),
            models.Index(fields=["owner", "created_at"], name="lead_owner_created_idx"),
            models.Index(fields=["mql_at"], name="lead_mql_at_idx"),
            # The campaign report's activity view: leads reaching a stage in a period (few have reached it).
            models.Index(fields=["sql_at"], condition=models.Q(sql_at__isnull=False), name="lead_sql_at_idx"),
            models.Index(
                fields=["opportunity_at"],
                condition=models.Q(opportunity_at__isnull=False),
                name="lead_opportunity_at_idx",
            ),
            models.Index(
                fields=["customer_at"], condition=models.Q(customer_at__isnull=False), name="lead_customer_at_idx"
            ),
            # The account funnel's cohort: each lead of a company created in a period with its two touches, read
            # from the index alone (PostgreSQL; SQLite has no covering indexes and leaves it out).
            models.Index(
                fields=["created_at"],
                include=["account", "first_touch_campaign", "latest_touch_campaign"],
                condition=models.Q(account__isnull=False),
                name="lead_account_touch_idx",
            ),
            models.Index(fields=["first_touch_campaign", "created_at"], name="lead_first_touch_idx"),
            models.Index(fields=["latest_touch_campaign", "created_at"], name="lead_latest_touch_idx"),
            # The beat sweep's leads qualified but not handed over: those still in subscriber or lead with a
            # score at or above the threshold, found without reading the leads that moved on.
            models.Index(
                fields=["-score"],
                condition=models.Q(stage__in=["subscriber", "lead"]),
                name="lead_qualifying_score_idx",
            ),
            # The sweep's leads never scored (a lead written outside the services); few, so a small index.
            models.Index(fields=["id"], condition=models.Q(scored_at__isnull=True), name="lead_unscored_idx"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def save(self, *args, **kwargs):
        self.email_key = email_key(self.email)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "email" in update_fields:
            kwargs["update_fields"] = {*update_fields, "email_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("leads:lead_detail", args=[self.pk])

    def validate_constraints(self, exclude=None):
        """The email's uniqueness is checked on its key, and reported on the email field (forms show it)."""
        self.email_key = email_key(self.email)
        exclude = set(exclude or ())
        if "email" not in exclude:
            taken = Lead.objects.with_email(self.email).exclude(pk=self.pk).exists()
            if taken:
                raise ValidationError({"email": "A lead with this email already exists."})
        super().validate_constraints(exclude={*exclude, "email_key"})

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def field_label(name: str) -> str:
    """A Lead field's label for people: its verbose name, capitalised ("Job title")."""
    return Lead._meta.get_field(name).verbose_name.capitalize()


class ScoreRequest(models.Model):
    """A lead waiting for a new score: a capture, merge, edit or event asked for one.

    The request is written in the transaction of the change, so nothing is lost while Redis is down (the
    Celery message is only a doorbell), and it lives in this small table rather than on the lead: an event
    then writes two narrow rows instead of rewriting the wide lead row and its dozen indexes. Scoring
    deletes the requests it answered, each only if its `ticket` is still the one it read: a request renewed
    meanwhile (a new event) stays queued for the next run.
    """

    # No database constraint, like LeadEvent.lead and for the same reason: see there.
    lead = models.OneToOneField(
        Lead, on_delete=models.CASCADE, primary_key=True, related_name="score_request", db_constraint=False
    )
    ticket = models.BigIntegerField()
    requested_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["requested_at"], name="score_request_age_idx")]

    def __str__(self):
        return f"Score request for lead {self.lead_id}"


class LeadEventQuerySet(models.QuerySet):
    def with_external_ids(self, lead_ids, external_ids):
        """Events of these leads with one of these external ids. The `<> ''` repeats the unique index's
        condition so that the database uses that partial index instead of scanning the leads' events."""
        return (
            self.filter(lead_id__in=list(lead_ids), external_id__in=list(external_ids))
            .exclude(external_id="")
            .order_by()
        )


class EventKind(models.TextChoices):
    PAGE_VIEW = "page_view", "Page view"
    EMAIL_OPEN = "email_open", "Email open"
    EMAIL_CLICK = "email_click", "Email click"
    FORM_SUBMIT = "form_submit", "Form submit"
    CONTENT_DOWNLOAD = "content_download", "Content download"
    WEBINAR_ATTENDED = "webinar_attended", "Webinar attended"
    PRICING_PAGE_VIEW = "pricing_page_view", "Pricing page view"
    DEMO_REQUEST = "demo_request", "Demo request"
    OTHER = "other", "Other"


class LeadEvent(models.Model):
    """One engagement of a lead (a page view, a download, a demo request...), the input of scoring."""

    # Both foreign keys lead composite indexes (Meta.indexes) that serve their lookups: no index of their own.
    # The lead has no database constraint. Its check locks the lead row of every event inserted (a write to
    # the leads table, with its WAL), which was 30 % of PostgreSQL's work for a batch of events. Events go
    # in through `leads.services.events.store_events`, whose statement checks that the leads exist; deleting a lead
    # still deletes its events (Django's cascade), and `tasks.sweep_deleted_leads` removes any event that a
    # batch running at that moment wrote after the cascade.
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events", db_index=False, db_constraint=False)
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        db_index=False,
    )
    occurred_at = models.DateTimeField(default=timezone.now)
    properties = models.JSONField(default=dict, blank=True)
    # Set by integrations that may send the same event twice: the second delivery is recognised. It names an
    # event of its lead: two leads' events may carry the same id (two systems, two counters).
    external_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = LeadEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            # Unique per lead. The id comes first in the index: integrations number their events in order, so
            # new entries land at the index's end, where (lead, external_id) would scatter them over the
            # whole index (events stored 12 % faster in a batch of 500, the statement measured alone).
            models.UniqueConstraint(
                fields=["external_id", "lead"],
                condition=~models.Q(external_id=""),
                name="lead_event_external_id_unique_per_lead",
            ),
        ]
        indexes = [
            models.Index(fields=["lead", "occurred_at"], name="event_lead_time_idx"),
            models.Index(fields=["campaign", "occurred_at"], name="event_campaign_time_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.lead_id} at {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def title(self) -> str:
        """What the timelines call this event: its kind, or for an event of kind "other" that a door
        recorded when it captured the lead, the door ("Imported from a CSV file")."""
        if self.kind == EventKind.OTHER:
            return CAPTURED_THROUGH.get((self.properties or {}).get("source"), "Other engagement")
        return self.get_kind_display()


# The title of the event a door records when it captures a lead without saying which kind (kind "other").
CAPTURED_THROUGH = {
    CaptureSource.API: "Captured through the API",
    CaptureSource.IMPORT: "Imported from a CSV file",
    CaptureSource.MANUAL: "Entered by hand",
    CaptureSource.WEB_FORM: "Sent the public form",
}


class StageChangeReason(models.TextChoices):
    """The reasons Relay stores as codes on a lead's stage change (`LeadStageChange.reason`), with the text
    people read. Any other reason is text a person typed, shown as typed."""

    SCORE_REACHED_THRESHOLD = "score_reached_threshold", "Score reached the MQL threshold"
    ACCEPTED = "accepted", "Accepted by sales"
    MQL_NOT_ACCEPTED = "mql_not_accepted", "MQL never accepted"
    # A rep's rejection stores its reason: the codes of `handoff.models.RejectionReason` (a test keeps the
    # two in step; leads cannot import the hand-over, which sits downstream).
    NO_BUDGET = "no_budget", "Rejected by sales: no budget"
    NO_AUTHORITY = "no_authority", "Rejected by sales: no authority"
    NO_NEED = "no_need", "Rejected by sales: no need"
    BAD_TIMING = "bad_timing", "Rejected by sales: bad timing"
    NOT_A_FIT = "not_a_fit", "Rejected by sales: not a fit"
    UNREACHABLE = "unreachable", "Rejected by sales: unreachable"
    DUPLICATE = "duplicate", "Rejected by sales: duplicate"
    OTHER = "other", "Rejected by sales"


# The part of Relay that makes the stage changes recorded with these reasons and no user.
RELAY_PART_OF_REASON = {StageChangeReason.SCORE_REACHED_THRESHOLD: SCORING}


class LeadStageChange(models.Model):
    """Every lifecycle move of a lead: who (None: the system), when, from, to and why."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=LifecycleStage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=LifecycleStage.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    reason = models.CharField(max_length=50, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["lead", "at"], name="stage_change_lead_time_idx"),
            models.Index(fields=["to_stage", "at"], name="stage_change_to_time_idx"),
        ]

    def __str__(self):
        return f"{self.lead_id}: {self.from_stage or '—'} → {self.to_stage}"

    @property
    def reason_text(self) -> str:
        """The reason as people read it: the label of a code Relay stored, or what a person typed."""
        return StageChangeReason(self.reason).label if self.reason in StageChangeReason.values else self.reason

    @property
    def actor(self) -> str:
        """Who moved the lead: a person, or Relay with its part ("Relay (scoring)")."""
        return actor_name(self.by, RELAY_PART_OF_REASON.get(self.reason))


class LeadNote(models.Model):
    """Free text on a lead by anyone; sales notes are the feedback loop to marketing."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["lead", "created_at"], name="note_lead_time_idx"),
            models.Index(fields=["created_at"], name="note_created_idx"),
        ]

    def __str__(self):
        return f"Note on {self.lead_id} by {self.author_id}"


class FormSubmission(models.Model):
    """What a visitor sent on the public form about a lead Relay already knew, where it would have changed
    something: kept on the lead's timeline, not applied. The anonymous form only fills blanks (anyone who
    knows an address can post it); a marketer applies the rest in one click, as an edit by hand."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="form_submissions")
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Field name → the value submitted: contact fields, and "latest_touch_campaign" (the campaign's slug).
    values = models.JSONField(default=dict)
    submitted_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["lead", "submitted_at"], name="form_submission_lead_idx")]

    def __str__(self):
        return f"Public form submission for lead {self.lead_id}"


class ConsentRequest(models.Model):
    """Marketing consent ticked on the public form, waiting for its double opt-in: a confirmation email with
    a signed link that expires goes to `email`; consent is recorded on the lead only when the link is
    opened. `sent_at` is empty until the email went out (the beat sweep sends what a lost message left)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="consent_requests")
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    email = models.EmailField(max_length=254, help_text="Where the confirmation went.")
    requested_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["lead", "requested_at"], name="consent_request_lead_idx"),
            models.Index(fields=["requested_at"], condition=models.Q(sent_at__isnull=True), name="consent_unsent_idx"),
        ]

    def __str__(self):
        return f"Consent request for lead {self.lead_id}"


# Engagement properties are free-form context (page URL, asset name...), not a document store.
EVENT_PROPERTIES_MAX_BYTES = 4096
EVENT_PROPERTIES_MAX_DEPTH = 32


class LeadImport(models.Model):
    """One upload of a CSV or an Excel workbook: the mapping chosen in the browser and the progress of the
    Celery task importing it.

    The file lives under MEDIA_ROOT: a worker on another host needs the same storage (a shared volume).
    """

    class Status(models.TextChoices):
        MAPPING = "mapping", "Waiting for the column mapping"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    file = models.FileField(upload_to="lead_imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    encoding = models.CharField(max_length=20, default="utf-8")
    # SHA-256 of the file: its import events are recognised when the same file is imported again.
    checksum = models.CharField(max_length=64, blank=True)
    headers = models.JSONField(default=list)
    # Column index (as a string) → Lead field name, chosen on the mapping page.
    mapping = models.JSONField(default=dict, blank=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Touch campaign for rows without a campaign column.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.MAPPING)
    error = models.TextField(blank=True)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    merged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors_file = models.FileField(upload_to="lead_imports/errors/", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the import last moved (queued, a run started, a batch committed) and how many runs started since:
    # beat sends a stalled import's task again (`leads.services.stalled`).
    progressed_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Import of {self.original_name}"

    def get_absolute_url(self):
        return reverse("leads:import_progress", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_workbook(self) -> bool:
        """Whether the file is an Excel workbook (stored as .xlsx) rather than a CSV."""
        return self.file.name.lower().endswith(".xlsx")

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.processed * 100 // self.total_rows)


class ScoringSettings(models.Model):
    """The single row (pk=1) of qualification settings: decay, the MQL threshold, and the round-robin cursor
    of the hand-over (the SLA, with its history, is `handoff.Sla`)."""

    half_life_days = models.PositiveSmallIntegerField(
        default=30, help_text="An event's points halve every this many days."
    )
    mql_threshold = models.PositiveIntegerField(
        "MQL threshold", default=50, help_text="A lead whose score reaches this becomes an MQL and goes to sales."
    )
    # Round-robin cursor: the rep who got the last MQL (locked with select_for_update when choosing).
    last_assigned_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "scoring settings"
        verbose_name_plural = "scoring settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(half_life_days__gte=1), name="half_life_at_least_one_day"),
            models.CheckConstraint(condition=models.Q(mql_threshold__gte=1), name="mql_threshold_positive"),
        ]

    def __str__(self):
        return "Scoring settings"

    @classmethod
    def load(cls) -> "ScoringSettings":
        settings_row, _ = cls.objects.get_or_create(pk=1)
        return settings_row


class FitRule(models.Model):
    """Points for who a lead is: e.g. job title contains "VP" → +15. Marketers edit these."""

    class Field(models.TextChoices):
        JOB_TITLE = "job_title", "Job title"
        COMPANY = "company", "Company"
        COMPANY_SIZE = "company_size", "Company size"
        INDUSTRY = "industry", "Industry"
        COUNTRY = "country", "Country"
        EMAIL = "email", "Email"

    class Operator(models.TextChoices):
        CONTAINS = "contains", "contains"
        EQUALS = "equals", "equals"
        IN = "in", "is one of"
        BETWEEN = "between", "is between"

    field = models.CharField(max_length=20, choices=Field.choices)
    operator = models.CharField(max_length=10, choices=Operator.choices)
    value = models.CharField(max_length=200)
    points = models.SmallIntegerField()

    class Meta:
        ordering = ["field", "id"]

    def __str__(self):
        return f"{self.get_field_display()} {self.operator} {self.value}: {self.points:+d}"


class EngagementRule(models.Model):
    """Points per kind of engagement event, before decay."""

    kind = models.CharField(max_length=30, choices=EventKind.choices, unique=True)
    points = models.SmallIntegerField()

    class Meta:
        ordering = ["-points", "kind"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.points}"


class RescoreRun(models.Model):
    """Progress of one full rescore, polled by the scoring page."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a worker"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    new_mqls = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # As on LeadImport: when the run last moved and how many runs started since (`leads.services.stalled`).
    progressed_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Rescore {self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.processed / self.total) if self.total else 0
