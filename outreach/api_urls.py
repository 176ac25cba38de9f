from django.urls import path
from rest_framework.routers import SimpleRouter

from outreach.api import EmailTemplateViewSet, LeadEmailsView

app_name = "outreach-api"

router = SimpleRouter()
router.register("email-templates", EmailTemplateViewSet, basename="email-template")

urlpatterns = [
    path("leads/<int:pk>/emails/", LeadEmailsView.as_view(), name="lead-emails"),
    *router.urls,
]
