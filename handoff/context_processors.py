from django.utils.functional import SimpleLazyObject

from crm.roles import SALES_REP, has_role
from handoff.selectors import waiting_for


def inbox(request):
    """The number of MQLs waiting in the signed-in rep's inbox, for the menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not has_role(user, SALES_REP):
        return {}
    # Counted when a template shows it (the menu of a whole page), not for each htmx fragment.
    return {"inbox_waiting": SimpleLazyObject(lambda: waiting_for(user))}
