from rest_framework.routers import SimpleRouter

from agenda.api import TaskViewSet

app_name = "agenda-api"

router = SimpleRouter()
router.register("tasks", TaskViewSet, basename="task")

urlpatterns = router.urls
