from django.urls import path

from agenda.views import my_day

app_name = "agenda"

urlpatterns = [
    path("my-day/", my_day.my_day_page, name="my_day"),
]
