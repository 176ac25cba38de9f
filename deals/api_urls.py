from rest_framework.routers import SimpleRouter

from deals.api import DealViewSet

app_name = "deals-api"

router = SimpleRouter()
router.register("deals", DealViewSet, basename="deal")

urlpatterns = router.urls
