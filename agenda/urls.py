from django.urls import path

from agenda.views import my_day, tasks

app_name = "agenda"

urlpatterns = [
    path("my-day/", my_day.my_day_page, name="my_day"),
    path("my-day/deals/<int:pk>/close-date/", my_day.move_close_date, name="move_close_date"),
    path("tasks/<int:pk>/done/", tasks.task_done, name="task_done"),
    path("tasks/<int:pk>/snooze/", tasks.task_snooze, name="task_snooze"),
    path("tasks/<int:pk>/reopen/", tasks.task_reopen, name="task_reopen"),
]
