from django.urls import reverse

from crm.roles import MANAGER, MARKETER, SALES_REP, primary_role, roles_of

# (label, url name, path prefix that marks it active), in the order each role works the funnel.
CAMPAIGNS = ("Campaigns", "campaigns:campaign_list", "/campaigns/")
LEADS = ("Leads", "leads:lead_list", "/leads/")
PIPELINE = ("Pipeline", "deals:board", "/pipeline/")
REPORTS = ("Reports", "reports:index", "/reports/")
NAVIGATION = {
    MARKETER: [CAMPAIGNS, LEADS, PIPELINE, REPORTS],
    SALES_REP: [PIPELINE, LEADS, CAMPAIGNS, REPORTS],
    MANAGER: [REPORTS, CAMPAIGNS, LEADS, PIPELINE],
}


def navigation(request):
    """The signed-in user's role and menu, for base.html."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    held = roles_of(user)
    role = primary_role(user)
    return {
        "role": role,
        "is_manager": MANAGER in held,
        "is_marketer": MARKETER in held,
        "is_sales_rep": SALES_REP in held,
        "nav_items": [
            {"label": label, "url": reverse(name), "active": request.path.startswith(prefix)}
            for label, name, prefix in NAVIGATION.get(role, [])
        ],
    }
