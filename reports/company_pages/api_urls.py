from rest_framework.routers import SimpleRouter

from reports.company_pages.api import CompanyViewSet

app_name = "companies-api"

router = SimpleRouter()
router.register("companies", CompanyViewSet, basename="company")

urlpatterns = router.urls
