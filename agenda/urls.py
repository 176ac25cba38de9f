from django.urls import path

from agenda.views import tasks

app_name = "agenda"

urlpatterns = [
    path("tasks/<int:pk>/done/", tasks.task_done, name="task_done"),
    path("tasks/<int:pk>/snooze/", tasks.task_snooze, name="task_snooze"),
    path("tasks/<int:pk>/reopen/", tasks.task_reopen, name="task_reopen"),
]
