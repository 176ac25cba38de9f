from django.urls import path
from rest_framework.routers import SimpleRouter

from leads.api import EventBatchView, LeadViewSet

app_name = "leads-api"

router = SimpleRouter()
router.register("leads", LeadViewSet, basename="lead")

urlpatterns = [
    path("events/", EventBatchView.as_view(), name="events"),
    *router.urls,
]
