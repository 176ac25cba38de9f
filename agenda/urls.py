from django.urls import path

from agenda.views import my_day, panels, tasks

app_name = "agenda"

urlpatterns = [
    path("my-day/", my_day.my_day_page, name="my_day"),
    path("my-day/deals/<int:pk>/activity/", my_day.log_deal_activity, name="log_deal_activity"),
    path("my-day/deals/<int:pk>/close-date/", my_day.move_close_date, name="move_close_date"),
    path("tasks/", tasks.task_list, name="task_list"),
    path("tasks/<int:pk>/done/", tasks.task_done, name="task_done"),
    path("tasks/<int:pk>/snooze/", tasks.task_snooze, name="task_snooze"),
    path("tasks/<int:pk>/reopen/", tasks.task_reopen, name="task_reopen"),
    # The task panels of the record pages.
    path("tasks/on/lead/<int:pk>/", panels.record_tasks, {"kind": "lead"}, name="lead_tasks"),
    path("tasks/on/deal/<int:pk>/", panels.record_tasks, {"kind": "deal"}, name="deal_tasks"),
    path("tasks/on/company/<int:pk>/", panels.record_tasks, {"kind": "company"}, name="company_tasks"),
]
