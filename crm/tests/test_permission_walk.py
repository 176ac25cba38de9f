"""Every URL of the project and every operation of the OpenAPI schema, asked by every kind of user.

RULES below is the one table of who may do what (DOMAIN.md "Roles" as the views enforce it). The walk
fails when a URL has no rule (a new view must say who may use it), when a rule names a URL that no longer
exists, when the schema has an operation without a rule, and when any answer differs from the table. A
refused request must also leave every CRM table exactly as it was.

Who is who in the world the requests run against:
- `rep` owns the lead, its pending hand-over (the MQL in their inbox), its deal and the deal's open task
  (which they made for themselves);
- `other_rep` owns nothing here: every rep action on `rep`'s records is a non-owner's attempt;
- the campaign and the lead import belong to a second marketer, so `marketer` works on another
  marketer's records (campaigns and imports are shared by the marketing team, not owned);
- `nobody` is signed in but holds no role (a new account before a manager gives it one).
"""

import json
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.html import escape
from drf_spectacular.generators import SchemaGenerator

from agenda.tests.factories import TaskFactory
from campaigns.tests.factories import CampaignFactory
from companies.models import PersonalEmailDomain
from companies.tests.factories import CompanyFactory
from crm.notifications import notify
from crm.tests.factories import UserFactory
from deals.tests.factories import DealFactory, stage_named
from goals.tests.factories import TargetFactory
from handoff.models import Handoff
from leads.models import ConsentRequest, FormSubmission, LeadImport, LifecycleStage
from leads.services import consent
from leads.tests.factories import LeadFactory
from outreach import tracking
from outreach.models import EmailKind
from outreach.tests.factories import EmailFactory, EmailTemplateFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "nobody", "marketer", "rep", "other_rep", "manager")

# Outcome classes (an int in the table means exactly that status):
OK = "ok"  # 200
LOGIN = "login"  # 302 to the login page
REDIRECT = "redirect"  # a 3xx elsewhere (a signed-in user on the login page, a page that only serves htmx)
DONE = "done"  # a write got past every check: 2xx, a 3xx not to the login page, or 400 (validation)
FORBIDDEN = "forbidden"  # 403
NOT_FOUND = "not found"  # 404: the user may not even know the record exists
REFUSED = "refused"  # sent back (3xx) with an error message: the service refused a non-owner
# Refusals: the answer must also leave the database untouched.
DENIED = {LOGIN, FORBIDDEN, NOT_FOUND, REFUSED, 401, 403}


def rule(anonymous, nobody, marketer, rep, other_rep, manager) -> dict:
    return dict(zip(ROLES, (anonymous, nobody, marketer, rep, other_rep, manager), strict=True))


EVERYONE = rule(OK, OK, OK, OK, OK, OK)
SIGNED_IN = rule(LOGIN, OK, OK, OK, OK, OK)
ROLE_HOLDERS = rule(LOGIN, FORBIDDEN, OK, OK, OK, OK)
MARKETING = rule(LOGIN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, OK)
MARKETING_WRITES = rule(LOGIN, FORBIDDEN, DONE, FORBIDDEN, FORBIDDEN, DONE)
MANAGER_WRITES = rule(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, DONE)
ROLE_WRITES = rule(LOGIN, FORBIDDEN, DONE, DONE, DONE, DONE)
# Deals: a rep writes their own, a manager every deal, a marketer reads.
DEAL_OWNER_WRITES = rule(LOGIN, FORBIDDEN, FORBIDDEN, DONE, FORBIDDEN, DONE)
# Imports: marketers and managers; to anyone else an import does not exist.
IMPORTS = rule(LOGIN, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, OK)
# The API answers 401 where token authentication comes first (it sends WWW-Authenticate), else 403.
API_READ_TOKEN_FIRST = rule(401, 403, OK, OK, OK, OK)
API_MARKETING_WRITES_TOKEN_FIRST = rule(401, 403, DONE, 403, 403, DONE)
API_READ = rule(403, 403, OK, OK, OK, OK)
API_MARKETING_WRITES = rule(403, 403, DONE, 403, 403, DONE)
API_DEAL_OWNER_WRITES = rule(403, 403, 403, DONE, 403, DONE)
# The links inside an email: whoever holds the email, signed in or not; the signature is the permission.
EVERYONE_REDIRECTED = rule(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
API_ROLE_WRITES = rule(403, 403, DONE, DONE, DONE, DONE)
# Tasks: the assignee, the creator and managers change one; whoever else sees it only reads it.
TASK_WRITES = rule(LOGIN, FORBIDDEN, FORBIDDEN, DONE, FORBIDDEN, DONE)
TASK_ADDS = rule(LOGIN, FORBIDDEN, DONE, DONE, DONE, DONE)

# URL name → method → role → expected outcome; rule(anonymous, nobody, marketer, rep, other_rep, manager).
RULES = {
    # crm
    "dashboard": {"GET": SIGNED_IN},
    "healthz": {"GET": EVERYONE},
    "notifications": {"GET": SIGNED_IN},
    # A notification opens for the person it is for; to anyone else it does not exist.
    "notification_open": {"GET": rule(LOGIN, NOT_FOUND, NOT_FOUND, REDIRECT, NOT_FOUND, NOT_FOUND)},
    "notifications_mark_all_read": {"POST": rule(LOGIN, DONE, DONE, DONE, DONE, DONE)},
    "login": {
        "GET": rule(OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        "POST": rule(OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),  # anonymous: wrong password, 200
    },
    "logout": {"POST": rule(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN)},  # signed out, back to the login page
    # campaigns: every role reads, marketers and managers run any campaign
    "campaigns:campaign_list": {"GET": SIGNED_IN},  # someone without a role gets an empty list
    "campaigns:campaign_create": {"GET": MARKETING, "POST": MARKETING_WRITES},
    "campaigns:campaign_detail": {"GET": rule(LOGIN, NOT_FOUND, OK, OK, OK, OK)},
    "campaigns:campaign_edit": {"GET": MARKETING, "POST": MARKETING_WRITES},
    "campaigns:campaign_archive": {"POST": MARKETING_WRITES},
    # Without htmx the inline stats form is the campaign page: GET sends there.
    "campaigns:campaign_stats": {
        "GET": rule(LOGIN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN, REDIRECT),
        "POST": MARKETING_WRITES,
    },
    "campaigns:campaign_upload": {"GET": MARKETING, "POST": MARKETING_WRITES},
    # leads: every role reads and notes, marketers and managers create, edit and import, managers bulk-act
    "leads:lead_list": {"GET": ROLE_HOLDERS},
    "leads:lead_count": {"GET": ROLE_HOLDERS},
    "leads:lead_export": {"GET": ROLE_HOLDERS},
    "leads:lead_export_xlsx": {"GET": ROLE_HOLDERS},
    "leads:lead_bulk_action": {"POST": MANAGER_WRITES},
    "leads:lead_create": {"GET": MARKETING, "POST": MARKETING_WRITES},
    "leads:lead_detail": {"GET": ROLE_HOLDERS},
    "leads:lead_edit": {
        "GET": rule(LOGIN, NOT_FOUND, OK, FORBIDDEN, FORBIDDEN, OK),
        "POST": rule(LOGIN, NOT_FOUND, DONE, FORBIDDEN, FORBIDDEN, DONE),
    },
    "leads:lead_add_note": {"POST": rule(LOGIN, FORBIDDEN, DONE, DONE, DONE, DONE)},
    # Which company a lead works for: those who edit leads link and unlink them.
    "leads:lead_company": {
        "GET": rule(LOGIN, NOT_FOUND, OK, FORBIDDEN, FORBIDDEN, OK),
        "POST": rule(LOGIN, NOT_FOUND, DONE, FORBIDDEN, FORBIDDEN, DONE),
    },
    "leads:import_upload": {"GET": MARKETING, "POST": MARKETING_WRITES},
    "leads:import_progress": {"GET": IMPORTS},
    "leads:import_mapping": {"GET": IMPORTS, "POST": rule(LOGIN, NOT_FOUND, DONE, NOT_FOUND, NOT_FOUND, DONE)},
    "leads:import_errors": {"GET": IMPORTS},
    "leads:capture": {"GET": EVERYONE, "POST": rule(DONE, DONE, DONE, DONE, DONE, DONE)},
    "leads:capture_thanks": {"GET": EVERYONE},
    # the links of a double opt-in email: the signed token is the permission
    "leads:consent_confirm": {"GET": EVERYONE},
    "leads:consent_unsubscribe": {"GET": EVERYONE, "POST": EVERYONE},
    "leads:apply_submission": {"POST": MARKETING_WRITES},
    # outreach: the tracking pixel, a click's redirect and the unsubscribe link of an email (signed links)
    "outreach:open_pixel": {"GET": EVERYONE},
    "outreach:click": {"GET": EVERYONE_REDIRECTED},
    "outreach:unsubscribe": {"GET": EVERYONE, "POST": EVERYONE},
    "leads:scoring": {"GET": ROLE_HOLDERS, "POST": MARKETING_WRITES},
    "leads:scoring_preview": {"GET": ROLE_HOLDERS},
    "leads:rescore_progress": {"GET": ROLE_HOLDERS},
    # companies: every role reads; marketers and managers create, edit, merge and unlink people; a rep edits
    # the companies they own (`rep` owns the company; `other_rep` does not)
    "companies:list": {"GET": ROLE_HOLDERS},
    "search:search": {"GET": ROLE_HOLDERS},
    "companies:export": {"GET": ROLE_HOLDERS},
    "companies:export_xlsx": {"GET": ROLE_HOLDERS},
    "companies:create": {"GET": MARKETING, "POST": MARKETING_WRITES},
    "companies:detail": {"GET": ROLE_HOLDERS},
    "companies:edit": {
        "GET": rule(LOGIN, NOT_FOUND, OK, OK, FORBIDDEN, OK),
        "POST": rule(LOGIN, NOT_FOUND, DONE, DONE, FORBIDDEN, DONE),
    },
    "companies:merge": {"GET": MARKETING, "POST": MARKETING_WRITES},
    "companies:unlink_person": {"POST": MARKETING_WRITES},
    "handoff:inbox": {"GET": rule(LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, OK)},
    # Only the rep the MQL was handed to (or a manager) answers it; another rep is sent back to the inbox.
    "handoff:accept_mql": {"POST": rule(LOGIN, FORBIDDEN, FORBIDDEN, DONE, REFUSED, DONE)},
    "handoff:reject_mql": {"POST": rule(LOGIN, FORBIDDEN, FORBIDDEN, DONE, REFUSED, DONE)},
    "handoff:failed_handoffs": {"GET": rule(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)},
    "handoff:retry_handoff": {"POST": MANAGER_WRITES},
    "handoff:sales_settings": {
        "GET": rule(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
        "POST": MANAGER_WRITES,
    },
    "personal_domains:list": {"GET": rule(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)},
    "personal_domains:add": {"POST": MANAGER_WRITES},
    "personal_domains:remove": {"POST": MANAGER_WRITES},
    # deals: every role reads, reps create and work their own deals, managers everything and the stages
    "deals:board": {"GET": ROLE_HOLDERS},
    "deals:stage_list": {"GET": rule(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)},
    "deals:stage_add": {"POST": MANAGER_WRITES},
    "deals:stage_update": {"POST": MANAGER_WRITES},
    "deals:stage_reorder": {"POST": MANAGER_WRITES},
    "deals:stage_delete": {"GET": rule(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK), "POST": MANAGER_WRITES},
    "deals:deal_list": {"GET": ROLE_HOLDERS},
    "deals:deal_export": {"GET": ROLE_HOLDERS},
    "deals:deal_export_xlsx": {"GET": ROLE_HOLDERS},
    "deals:deal_create": {
        "GET": rule(LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, OK),
        "POST": rule(LOGIN, FORBIDDEN, FORBIDDEN, DONE, DONE, DONE),
    },
    "deals:deal_detail": {"GET": ROLE_HOLDERS, "POST": DEAL_OWNER_WRITES},
    "deals:deal_move": {"POST": DEAL_OWNER_WRITES},
    "deals:deal_forecast": {"POST": DEAL_OWNER_WRITES},
    # A board card's menu: an htmx fragment for who may move the deal; without htmx it sends to the deal page.
    "deals:deal_menu": {"GET": rule(LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, REDIRECT)},
    "deals:activity_create": {"POST": DEAL_OWNER_WRITES},
    # agenda: My day is a rep's (their own, whatever they ask) and a manager's (any rep's, the team's)
    "agenda:my_day": {"GET": rule(LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, OK)},
    "agenda:move_close_date": {"POST": DEAL_OWNER_WRITES},
    "agenda:log_deal_activity": {"POST": DEAL_OWNER_WRITES},
    # agenda: tasks, and the task panels of the record pages (a page load of a panel goes to its record;
    # marketers add tasks on leads and companies, not on deals)
    # the task list: every role its own tasks (a manager the team's, or one rep's)
    "agenda:task_list": {"GET": ROLE_HOLDERS},
    # goals: every role reads the targets; managers set them
    "goals:targets": {"GET": ROLE_HOLDERS},
    "goals:edit": {"GET": rule(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK), "POST": MANAGER_WRITES},
    "agenda:task_done": {"POST": TASK_WRITES},
    "agenda:task_snooze": {"POST": TASK_WRITES},
    "agenda:task_reopen": {"POST": TASK_WRITES},
    "agenda:lead_tasks": {"GET": rule(LOGIN, FORBIDDEN, REDIRECT, REDIRECT, REDIRECT, REDIRECT), "POST": TASK_ADDS},
    "agenda:deal_tasks": {
        "GET": rule(LOGIN, FORBIDDEN, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        "POST": rule(LOGIN, FORBIDDEN, FORBIDDEN, DONE, DONE, DONE),
    },
    "agenda:company_tasks": {"GET": rule(LOGIN, FORBIDDEN, REDIRECT, REDIRECT, REDIRECT, REDIRECT), "POST": TASK_ADDS},
    # reports: reps see only their own figures (tested in reports/tests/test_access.py)
    "reports:index": {"GET": ROLE_HOLDERS},
    "reports:funnel": {"GET": ROLE_HOLDERS},
    "reports:sales": {"GET": rule(LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, OK)},
    "reports:forecast": {"GET": rule(LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, OK)},  # a rep: their own deals
    "reports:feedback": {"GET": ROLE_HOLDERS},
    "reports:accounts": {"GET": ROLE_HOLDERS},
    "reports:campaigns": {"GET": MARKETING},
    # the agreement: every role reads the team's figures; a rep sees only their own quota row
    "agreement": {"GET": ROLE_HOLDERS},
    "attainment": {"GET": ROLE_HOLDERS},
    # email from Relay: every role writes to leads and keeps its own templates; marketing owns the approved
    # ones (the world's template is `rep`'s own draft: `other_rep` does not see it)
    "profile": {"GET": SIGNED_IN, "POST": rule(LOGIN, DONE, DONE, DONE, DONE, DONE)},
    "outreach:template_list": {"GET": ROLE_HOLDERS},
    "outreach:template_create": {"GET": ROLE_HOLDERS, "POST": ROLE_WRITES},
    "outreach:template_preview": {"POST": ROLE_WRITES},
    "outreach:template_edit": {
        "GET": rule(LOGIN, NOT_FOUND, OK, OK, NOT_FOUND, OK),
        "POST": rule(LOGIN, NOT_FOUND, DONE, DONE, NOT_FOUND, DONE),
    },
    "outreach:compose": {"GET": ROLE_HOLDERS, "POST": ROLE_WRITES},
    "outreach:compose_preview": {"POST": ROLE_WRITES},
    "outreach:compose_for_deal": {"GET": rule(LOGIN, FORBIDDEN, REDIRECT, REDIRECT, REDIRECT, REDIRECT)},
    "outreach:deal_emails": {"GET": ROLE_HOLDERS},
    "outreach:compose_for_company": {"GET": ROLE_HOLDERS},
    "outreach-api:email-template-list": {"GET": API_READ, "POST": API_ROLE_WRITES},
    "outreach-api:email-template-detail": {
        "GET": rule(403, 403, OK, OK, 404, OK),
        "PUT": rule(403, 403, DONE, DONE, 404, DONE),
        "PATCH": rule(403, 403, DONE, DONE, 404, DONE),
    },
    "outreach-api:lead-emails": {"POST": API_ROLE_WRITES},
    # the REST API and its documentation
    "campaigns-api:campaign-list": {"GET": API_READ_TOKEN_FIRST, "POST": API_MARKETING_WRITES_TOKEN_FIRST},
    "campaigns-api:campaign-detail": {
        "GET": API_READ_TOKEN_FIRST,
        "PUT": API_MARKETING_WRITES_TOKEN_FIRST,
        "PATCH": API_MARKETING_WRITES_TOKEN_FIRST,
    },
    "campaigns-api:campaign-stats": {"GET": API_READ_TOKEN_FIRST, "POST": API_MARKETING_WRITES_TOKEN_FIRST},
    "leads-api:events": {"POST": API_MARKETING_WRITES},
    "companies-api:company-list": {"GET": API_READ, "POST": API_MARKETING_WRITES},
    "companies-api:company-detail": {
        "GET": API_READ,
        "PUT": rule(403, 403, DONE, DONE, 403, DONE),
        "PATCH": rule(403, 403, DONE, DONE, 403, DONE),
    },
    "companies-api:company-merge": {"POST": API_MARKETING_WRITES},
    "leads-api:lead-list": {"GET": API_READ, "POST": API_MARKETING_WRITES},
    "leads-api:lead-detail": {"GET": API_READ},
    "deals-api:deal-list": {"GET": API_READ, "POST": rule(403, 403, 403, DONE, DONE, DONE)},
    "deals-api:deal-detail": {"GET": API_READ, "PUT": API_DEAL_OWNER_WRITES, "PATCH": API_DEAL_OWNER_WRITES},
    "deals-api:deal-move": {"POST": API_DEAL_OWNER_WRITES},
    "reports-api:funnel": {"GET": API_READ},
    "reports-api:sales": {"GET": rule(403, 403, 403, OK, OK, OK)},
    "reports-api:feedback": {"GET": API_READ},
    "reports-api:campaigns": {"GET": rule(403, 403, OK, 403, 403, OK)},
    "search-api:search": {"GET": API_READ},
    # Tasks: every role adds its own (marketers on leads and companies: the walk posts one on a lead).
    "agenda-api:task-list": {"GET": API_READ, "POST": rule(403, 403, DONE, DONE, DONE, DONE)},
    "agenda-api:task-detail": {"GET": API_READ, "PATCH": rule(403, 403, 403, DONE, 403, DONE)},
    "agenda-api:task-done": {"POST": rule(403, 403, 403, DONE, 403, DONE)},
    # Targets: every role reads them, managers set them.
    "goals-api:target-list": {"GET": API_READ, "POST": rule(403, 403, 403, 403, 403, DONE)},
    "goals-api:target-detail": {
        "GET": API_READ,
        "PUT": rule(403, 403, 403, 403, 403, DONE),
        "PATCH": rule(403, 403, 403, 403, 403, DONE),
        "DELETE": rule(403, 403, 403, 403, 403, DONE),
    },
    "api-schema": {"GET": rule(403, OK, OK, OK, OK, OK)},
    "api-docs": {"GET": rule(403, OK, OK, OK, OK, OK)},
}

# URLs the walk leaves out on purpose, each with its reason.
SKIPPED = {
    "the Django admin (its own staff login and model permissions; ROLE_PERMISSIONS in crm/roles.py)": lambda p: (
        p.namespace == "admin"
    ),
    "static and media files (served by whitenoise or the web server, not by views)": lambda p: p.route.startswith(
        ("static/", "media/")
    ),
    "debug tools (only installed with DEBUG)": lambda p: p.route.startswith("__debug__/"),
    "DRF format-suffix copies (.json/.api) of an endpoint already walked": lambda p: "(?P<format>" in p.route,
}


@dataclass(frozen=True)
class Pattern:
    name: str  # "namespace:name"
    namespace: str
    route: str  # the whole route, from the root URLconf
    kwargs: tuple[str, ...]


def url_patterns(resolver=None, prefix="", namespace="") -> list[Pattern]:
    """Every named URL pattern of the project, recursing into includes."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            found += url_patterns(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            route = prefix + str(entry.pattern)
            found.append(Pattern(name, namespace, route, tuple(entry.pattern.regex.groupindex)))
    return found


def walked_patterns() -> list[Pattern]:
    return [p for p in url_patterns() if not any(skip(p) for skip in SKIPPED.values())]


def schema_operations() -> list[tuple[str, str]]:
    """(path template, METHOD) of every operation in the OpenAPI schema, as drf-spectacular generates it."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [(path, method.upper()) for path, operations in schema["paths"].items() for method in operations]


# --- The world the requests run against -------------------------------------------------------------


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class World:
    users: dict
    campaign: object
    lead: object
    handoff: object
    deal: object
    task: object
    stage: object
    lead_import: object
    submission: object
    consent_request: object
    notification: object
    company: object = None
    duplicate: object = None
    personal_domain: object = None
    email: object = None  # a marketing email from rep to the lead
    email_template: object = None
    target: object = None  # the team's revenue quota for December 2026


@pytest.fixture
def world(marketer, rep, other_rep, manager):
    other_marketer = UserFactory(role="Marketer", username="mona")
    campaign = CampaignFactory(name="Spring launch", slug="spring-launch", owner=other_marketer)
    lead = LeadFactory(owner=rep, stage=LifecycleStage.MQL, first_touch_campaign=campaign, mql_at=timezone.now())
    now = timezone.now()
    handoff = Handoff.objects.create(lead=lead, rep=rep, score=60, handed_at=now, due_at=now)
    # An MQL waiting in the inbox has no deal: the deal is of an earlier lead the rep accepted.
    accepted = LeadFactory(owner=rep, stage=LifecycleStage.SQL, first_touch_campaign=campaign, sql_at=now)
    deal = DealFactory(owner=rep, lead=accepted, title="Acme renewal")
    Handoff.objects.create(
        lead=accepted, rep=rep, score=70, handed_at=now, due_at=now, outcome=Handoff.Outcome.ACCEPTED, deal=deal
    )
    task = TaskFactory(deal=deal, assignee=rep, created_by=rep, title="Send the proposal")
    lead_import = LeadImport.objects.create(
        original_name="fair.csv", headers=["email"], mapping={"0": "email"}, created_by=other_marketer
    )
    lead_import.file.save("fair.csv", ContentFile(b"email\nx@example.com\n"), save=False)
    lead_import.errors_file.save("fair-errors.csv", ContentFile(b"line,email,error\n2,x,bad\n"))
    users = {"anonymous": None, "nobody": UserFactory(username="nobody"), "marketer": marketer}
    users |= {"rep": rep, "other_rep": other_rep, "manager": manager}
    submission = FormSubmission.objects.create(lead=lead, campaign=campaign, values={"company": "Visitor Ltd"})
    consent_request = ConsentRequest.objects.create(lead=lead, email=lead.email)
    (notification,) = notify(users=[rep], message=f"New MQL for you: {lead}", url="/inbox/")
    company = CompanyFactory(name="Acme", owner=rep)
    lead.account = company
    lead.save(update_fields=["account"])
    duplicate = CompanyFactory(name="ACME Inc", owner=other_rep)
    email = EmailFactory(lead=lead, sender=rep, kind=EmailKind.MARKETING)
    built = World(
        users,
        campaign,
        lead,
        handoff,
        deal,
        task,
        stage_named("Discovery"),
        lead_import,
        submission,
        consent_request,
        notification,
        company,
        duplicate,
        PersonalEmailDomain.objects.create(domain="walk-mail.example", kind=PersonalEmailDomain.Kind.FREE),
        email,
    )
    built.email_template = EmailTemplateFactory(owner=rep, approved=False, name="Rita's follow-up")
    built.target = TargetFactory(metric="revenue", value=100_000, set_by=manager)
    return built


# Which record a URL's `pk` is, by URL name (other parameters: `slug` is the campaign).
PK_OF = {
    "leads:lead_detail": "lead",
    "leads:lead_edit": "lead",
    "leads:lead_add_note": "lead",
    "leads:import_progress": "lead_import",
    "leads:import_mapping": "lead_import",
    "leads:import_errors": "lead_import",
    "handoff:accept_mql": "handoff",
    "handoff:reject_mql": "handoff",
    "leads:apply_submission": "lead",
    "handoff:retry_handoff": "lead",
    "personal_domains:remove": "personal_domain",
    "deals:stage_update": "stage",
    "deals:stage_reorder": "stage",
    "deals:stage_delete": "stage",
    "notification_open": "notification",
    "deals:deal_detail": "deal",
    "deals:deal_move": "deal",
    "deals:deal_forecast": "deal",
    "deals:deal_menu": "deal",
    "deals:activity_create": "deal",
    "agenda:move_close_date": "deal",
    "agenda:log_deal_activity": "deal",
    "agenda:task_done": "task",
    "agenda:task_snooze": "task",
    "agenda:task_reopen": "task",
    "agenda:lead_tasks": "lead",
    "agenda:deal_tasks": "deal",
    "agenda:company_tasks": "company",
    "agenda-api:task-detail": "task",
    "agenda-api:task-done": "task",
    "goals-api:target-detail": "target",
    "leads-api:lead-detail": "lead",
    "deals-api:deal-detail": "deal",
    "deals-api:deal-move": "deal",
    "leads:lead_company": "lead",
    "companies:detail": "company",
    "companies:edit": "company",
    "companies:merge": "company",
    "companies:unlink_person": "company",
    "companies-api:company-detail": "company",
    "companies-api:company-merge": "company",
    "outreach:template_edit": "email_template",
    "outreach:compose": "lead",
    "outreach:compose_preview": "lead",
    "outreach:compose_for_deal": "deal",
    "outreach:deal_emails": "deal",
    "outreach:compose_for_company": "company",
    "outreach-api:email-template-detail": "email_template",
    "outreach-api:lead-emails": "lead",
}


# The signed link of each of an email's URLs.
SIGNED_LINKS = {
    "outreach:open_pixel": tracking.open_token,
    "outreach:click": lambda email: tracking.click_token(email, "https://relay.example/pricing"),
    "outreach:unsubscribe": tracking.unsubscribe_token,
}


def url_kwargs(pattern: Pattern, world: World) -> dict:
    values = {}
    for name in pattern.kwargs:
        if name == "slug":
            values[name] = world.campaign.slug
        elif name == "submission_pk":
            values[name] = world.submission.pk
        elif name == "token" and pattern.name == "leads:consent_confirm":
            values[name] = consent.confirm_token(world.consent_request)
        elif name == "token":
            values[name] = consent.unsubscribe_token(world.lead)
        elif name == "signed":
            values[name] = SIGNED_LINKS[pattern.name](world.email)
        elif name == "pk":
            values[name] = getattr(world, PK_OF[pattern.name]).pk
        else:
            raise AssertionError(f"{pattern.name}: no value for the URL parameter {name!r}; add one to url_kwargs")
    return values


def csv_file(content: bytes = b"email,first_name\nnew@example.com,Nia\n", name="leads.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


# What each write sends: valid data, so that a missing check would change something the snapshot sees.
PAYLOADS = {
    ("login", "POST"): lambda w: {"username": "rita", "password": "not her password"},
    ("campaigns:campaign_create", "POST"): lambda w: {
        "name": "Autumn push",
        "channel": "email",
        "objective": "nurture",
        "status": "planned",
        "start_date": "2026-10-01",
        "budget": "100",
        "owner": w.users["marketer"].pk,
    },
    ("campaigns:campaign_edit", "POST"): lambda w: {
        "name": "Renamed",
        "slug": w.campaign.slug,
        "channel": "email",
        "objective": "nurture",
        "status": "active",
        "start_date": "2026-09-01",
        "budget": "100",
        "owner": w.campaign.owner_id,
    },
    ("campaigns:campaign_stats", "POST"): lambda w: {
        "date": "2026-09-01",
        "impressions": "100",
        "clicks": "5",
        "spend": "10",
    },
    ("campaigns:campaign_upload", "POST"): lambda w: {
        "file": csv_file(b"date,impressions,clicks,spend\n2026-09-02,100,5,10\n", "stats.csv")
    },
    ("leads:lead_bulk_action", "POST"): lambda w: {
        "bulk-leads": [w.lead.pk],
        "bulk-action": "assign",
        "bulk-owner": w.users["other_rep"].pk,
    },
    ("leads:lead_create", "POST"): lambda w: {"email": "new@example.com", "first_name": "Nia"},
    ("leads:lead_edit", "POST"): lambda w: {"email": w.lead.email, "first_name": "Renamed"},
    ("leads:lead_add_note", "POST"): lambda w: {"body": "Spoke to them."},
    ("leads:import_upload", "POST"): lambda w: {"file": csv_file()},
    ("leads:import_mapping", "POST"): lambda w: {"column_0": "email"},
    ("leads:capture", "POST"): lambda w: {"first_name": "Vi", "last_name": "Sitor", "email": "vi@example.com"},
    ("leads:scoring", "POST"): lambda w: {"settings-mql_threshold": "40"},
    ("handoff:reject_mql", "POST"): lambda w: {"reason": "no_budget", "outcome": "nurture", "note": "Next year."},
    ("deals:stage_add", "POST"): lambda w: {"new-name": "Pilot", "new-probability": "50"},
    ("deals:stage_update", "POST"): lambda w: {
        f"stage-{w.stage.pk}-name": "Discovery call",
        f"stage-{w.stage.pk}-probability": "25",
    },
    ("deals:stage_reorder", "POST"): lambda w: {"direction": "up"},
    ("deals:stage_delete", "POST"): lambda w: {"confirm": "yes"},
    ("handoff:sales_settings", "POST"): lambda w: {
        "sla-sla_hours": "12",
        "pipeline-name": "Sales",
        "pipeline-rotting_days": "9",
    },
    ("personal_domains:add", "POST"): lambda w: {"domain": "mail.example", "kind": "free"},
    ("deals:deal_create", "POST"): lambda w: {"title": "New deal", "amount": "100"},
    ("deals:deal_detail", "POST"): lambda w: {"title": "Renamed", "amount": "10"},
    ("deals:deal_move", "POST"): lambda w: {"stage": stage_named("Demo").pk},
    ("deals:deal_forecast", "POST"): lambda w: {"forecast_category": "commit"},
    ("deals:activity_create", "POST"): lambda w: {"kind": "call", "subject": "Rang them"},
    ("agenda:move_close_date", "POST"): lambda w: {"expected_close_date": "2099-01-31"},
    ("agenda:log_deal_activity", "POST"): lambda w: {"kind": "call", "subject": "Rang them"},
    ("leads:lead_company", "POST"): lambda w: {"company": w.duplicate.pk},
    ("agenda:task_snooze", "POST"): lambda w: {"until": "tomorrow"},
    **{
        (f"agenda:{kind}_tasks", "POST"): lambda w: {
            "title": "Call them",
            "due_date": "2026-12-08",
            "due_time": "09:00",
        }
        for kind in ("lead", "deal", "company")
    },
    ("companies:create", "POST"): lambda w: {"name": "Globex", "add_domains": "globex.com"},
    ("companies:edit", "POST"): lambda w: {"name": "Acme Corp", "owner": w.users["rep"].pk, "add_domains": "acme.com"},
    ("companies:merge", "POST"): lambda w: {"merge": w.duplicate.pk},
    ("companies:unlink_person", "POST"): lambda w: {"lead": w.lead.pk},
    ("profile", "POST"): lambda w: {"signature": "Walking"},
    ("outreach:template_create", "POST"): lambda w: {"name": "Walk", "purpose": "other", "subject": "Hi", "body": "b"},
    ("outreach:template_edit", "POST"): lambda w: {"name": "Renamed", "purpose": "other", "subject": "Hi", "body": "b"},
    ("outreach:template_preview", "POST"): lambda w: {"subject": "Hi {{ lead.first_name }}", "body": "b"},
    ("outreach:compose", "POST"): lambda w: {"subject": "Hi {{ lead.first_name }}", "body": "Hello"},
    ("outreach:compose_preview", "POST"): lambda w: {"subject": "Hi", "body": "Hello"},
    # the API (sent as JSON)
    ("campaigns-api:campaign-list", "POST"): lambda w: {
        "name": "API push",
        "channel": "email",
        "start_date": "2026-10-01",
    },
    ("campaigns-api:campaign-detail", "PUT"): lambda w: {
        "name": "Replaced",
        "channel": "email",
        "start_date": "2026-09-01",
    },
    ("campaigns-api:campaign-detail", "PATCH"): lambda w: {"status": "paused"},
    ("campaigns-api:campaign-stats", "POST"): lambda w: [
        {"date": "2026-09-01", "impressions": 10, "clicks": 1, "spend": "2.00"}
    ],
    ("leads-api:events", "POST"): lambda w: {"email": w.lead.email, "kind": "page_view"},
    ("leads-api:lead-list", "POST"): lambda w: {"email": "api@example.com", "first_name": "Api"},
    ("deals-api:deal-list", "POST"): lambda w: {"title": "API deal", "amount": "100"},
    ("deals-api:deal-detail", "PUT"): lambda w: {"title": "Replaced", "amount": "10"},
    ("deals-api:deal-detail", "PATCH"): lambda w: {"title": "Renamed"},
    ("deals-api:deal-move", "POST"): lambda w: {"stage": stage_named("Demo").pk},
    ("companies-api:company-list", "POST"): lambda w: {"name": "API Co", "domains": ["apico.com"]},
    ("companies-api:company-detail", "PUT"): lambda w: {"name": "Replaced", "owner": w.users["rep"].pk},
    ("companies-api:company-detail", "PATCH"): lambda w: {"industry": "Software"},
    ("companies-api:company-merge", "POST"): lambda w: {"merge": w.duplicate.pk},
    ("outreach-api:email-template-list", "POST"): lambda w: {"name": "API", "subject": "Hi", "body": "b"},
    ("outreach-api:email-template-detail", "PUT"): lambda w: {"name": "Replaced", "subject": "Hi", "body": "b"},
    ("outreach-api:email-template-detail", "PATCH"): lambda w: {"name": "Renamed"},
    ("outreach-api:lead-emails", "POST"): lambda w: {"subject": "Hi", "body": "Hello"},
    ("agenda-api:task-list", "POST"): lambda w: {"title": "Call", "lead": w.lead.pk, "due_at": "2026-12-08T09:00Z"},
    ("agenda-api:task-detail", "PATCH"): lambda w: {"title": "Renamed"},
    ("goals:edit", "POST"): lambda w: {"kind": "month", "start": "2026-12-01", "mqls": "350", "revenue": "9000"},
    ("goals-api:target-list", "POST"): lambda w: {"period_start": "2026-11-01", "metric": "revenue", "value": "250"},
    ("goals-api:target-detail", "PUT"): lambda w: {"period_start": "2026-12-01", "metric": "revenue", "value": "320"},
    ("goals-api:target-detail", "PATCH"): lambda w: {"value": "310"},
}


def database_rows() -> dict:
    """Every row of Relay's own tables (and who holds which role): what a refused request must not change."""
    rows = {}
    labels = ("campaigns", "companies", "leads", "deals", "agenda", "outreach", "goals", "reports", "crm", "authtoken")
    for label in labels:
        for model in apps.get_app_config(label).get_models():
            rows[model._meta.label] = list(model.objects.order_by("pk").values_list())
    users = get_user_model().objects.order_by("pk")
    rows["users"] = list(users.values_list("pk", "username", "is_active", "is_staff", "is_superuser", "groups"))
    return rows


def answers_as_declared(response, outcome) -> bool:
    status = response.status_code
    to_login = 300 <= status < 400 and response.get("Location", "").startswith("/accounts/login/")
    if isinstance(outcome, int):
        return status == outcome
    return {
        OK: status == 200,
        LOGIN: status == 302 and to_login,
        REDIRECT: 300 <= status < 400 and not to_login,
        REFUSED: 300 <= status < 400 and not to_login,
        DONE: 200 <= status < 400 and not to_login or status == 400,
        FORBIDDEN: status == 403,
        NOT_FOUND: status == 404,
    }[outcome]


def ask(client, pattern: Pattern, method: str, world: World, role: str):
    path = reverse(pattern.name, kwargs=url_kwargs(pattern, world))
    payload = PAYLOADS.get((pattern.name, method), lambda w: {})(world)
    # Each request from its own address: the public form's rate limit is per address and per minute.
    extra = {"REMOTE_ADDR": f"10.9.0.{ROLES.index(role) + 1}"}
    if pattern.route.startswith("api/") and method != "GET":
        return client.generic(method, path, json.dumps(payload), content_type="application/json", **extra)
    if method == "GET":
        return client.get(path, payload, **extra)
    return client.post(path, payload, **extra)


def walk_cases():
    """(URL name, method) for every URL; a URL without a rule still appears, so that it fails."""
    cases = []
    for pattern in walked_patterns():
        for method in RULES.get(pattern.name, {"(no rule)": None}):
            cases.append(pytest.param(pattern, method, id=f"{method} {pattern.name}"))
    return cases


@pytest.mark.parametrize(("pattern", "method"), walk_cases())
def test_every_role_gets_the_declared_answer(client, world, pattern, method):
    assert pattern.name in RULES, f"{pattern.route} ({pattern.name}) has no rule: declare who may use it in RULES"
    expected = RULES[pattern.name][method]
    wrong = []
    for role in ROLES:
        # Each role asks in a savepoint rolled back afterwards: one role's write never shapes the next answer.
        with transaction.atomic():
            client.logout()
            if world.users[role] is not None:
                client.force_login(world.users[role])
            before = database_rows() if expected[role] in DENIED else None
            response = ask(client, pattern, method, world, role)
            if not answers_as_declared(response, expected[role]):
                wrong.append(
                    f"{role}: expected {expected[role]}, got {response.status_code} {response.get('Location', '')}"
                )
            elif before is not None and database_rows() != before:
                wrong.append(f"{role}: refused ({response.status_code}) but the database changed")
            transaction.set_rollback(True)
    assert not wrong, f"{method} {pattern.route}: " + "; ".join(wrong)


def test_every_url_has_a_rule():
    missing = sorted({p.name for p in walked_patterns()} - set(RULES))
    assert not missing, f"URLs without a rule in RULES: {missing}"


def test_every_rule_names_a_url_that_exists():
    stale = sorted(set(RULES) - {p.name for p in walked_patterns()})
    assert not stale, f"rules for URLs that no longer exist (or are skipped): {stale}"


def test_every_rule_says_what_each_role_gets():
    incomplete = [
        f"{name} {method}"
        for name, methods in RULES.items()
        for method, by_role in methods.items()
        if set(by_role) != set(ROLES)
    ]
    assert not incomplete


def test_the_walk_skips_only_what_it_says():
    """A skip hides no view of Relay's: what is left out is the admin, or a format-suffix copy of a URL
    that is walked under the same name."""
    walked = {p.name for p in walked_patterns()}
    skipped = [p for p in url_patterns() if p not in walked_patterns()]
    assert any(p.namespace == "admin" for p in skipped)
    assert all(p.namespace == "admin" or p.name in walked for p in skipped)


def test_every_schema_operation_has_a_rule_and_every_api_rule_an_operation(world):
    operations = set()
    for template, method in schema_operations():
        path = template.replace("{slug}", world.campaign.slug).replace("{id}", str(world.deal.pk))
        operations.add((resolve(path).view_name, method))
    assert operations, "the schema lists no operation"
    missing = sorted(op for op in operations if op[1] not in RULES.get(op[0], {}))
    assert not missing, f"schema operations without a rule: {missing}"
    declared = {(name, method) for name, methods in RULES.items() if "-api:" in name for method in methods}
    assert declared == operations, f"API rules without a schema operation: {sorted(declared - operations)}"


# --- What a page lists: the owner's records only (a status code cannot show this) -------------------------


def test_a_rep_finds_only_their_own_mqls_in_the_inbox_and_a_manager_finds_everyones(client, world):
    listed = escape(str(world.lead))
    for role, shown in [("rep", True), ("other_rep", False), ("manager", True)]:
        client.force_login(world.users[role])
        assert (listed in client.get(reverse("handoff:inbox")).content.decode()) is shown, role


def test_notifications_are_read_by_the_person_they_are_for_only(client, world):
    notify(users=[world.users["rep"]], message="Secret MQL for Rita", url="/inbox/")
    for role, shown in [("rep", True), ("other_rep", False), ("manager", False)]:
        client.force_login(world.users[role])
        assert ("Secret MQL for Rita" in client.get(reverse("notifications")).content.decode()) is shown, role
