from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from crm.models import Notification
from crm.roles import MANAGER, MARKETER, SALES_REP, primary_role, roles_of

# (label, url name, path prefix that marks it active), in the order each role works the funnel.
CAMPAIGNS = ("Campaigns", "campaigns:campaign_list", "/campaigns/")
LEADS = ("Leads", "leads:lead_list", "/leads/")
COMPANIES = ("Companies", "companies:list", "/companies/")
PIPELINE = ("Pipeline", "deals:board", "/pipeline/")
INBOX = ("MQL inbox", "handoff:inbox", "/inbox/")
MY_DAY = ("My day", "agenda:my_day", "/my-day/")  # a rep's home: what to do today
TASKS = ("Tasks", "agenda:task_list", "/tasks/")  # a manager's menu has no room left: My day links it
REPORTS = ("Reports", "reports:index", "/reports/")
SETTINGS = ("Settings", "handoff:sales_settings", "/settings/")  # the SLA and the pipeline
EMAIL_TEMPLATES = ("Email templates", "outreach:template_list", "/email-templates/")
NAVIGATION = {
    MARKETER: [CAMPAIGNS, LEADS, COMPANIES, PIPELINE, EMAIL_TEMPLATES, REPORTS],
    SALES_REP: [MY_DAY, TASKS, INBOX, PIPELINE, LEADS, COMPANIES, CAMPAIGNS, EMAIL_TEMPLATES, REPORTS],
    MANAGER: [REPORTS, CAMPAIGNS, LEADS, COMPANIES, INBOX, MY_DAY, PIPELINE, EMAIL_TEMPLATES, SETTINGS],
}
# Where signing in lands each role when it asked for no page: a rep on My day, the others on the dashboard.
HOMES = {SALES_REP: MY_DAY[1]}


def home_url(user) -> str:
    return reverse(HOMES.get(primary_role(user), "dashboard"))


def navigation(request):
    """The signed-in user's role and menu, for base.html."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    held = roles_of(user)
    role = primary_role(user)
    items = NAVIGATION.get(role, [])
    # The most specific matching prefix is the active item (/leads/inbox/ is the inbox, not Leads).
    active = max((prefix for _, _, prefix in items if request.path.startswith(prefix)), key=len, default=None)
    return {
        "role": role,
        "is_manager": MANAGER in held,
        "is_marketer": MARKETER in held,
        "is_sales_rep": SALES_REP in held,
        # Counted when a template shows it (the menu of a whole page), not for each htmx fragment.
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.filter(user=user, read_at__isnull=True).count()
        ),
        "nav_items": [
            {"label": label, "name": name, "url": reverse(name), "active": prefix == active}
            for label, name, prefix in items
        ],
    }
