from rest_framework.routers import SimpleRouter

from goals.api import TargetViewSet

app_name = "goals-api"

router = SimpleRouter()
router.register("targets", TargetViewSet, basename="target")

urlpatterns = router.urls
