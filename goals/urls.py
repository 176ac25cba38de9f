from django.urls import path

from goals import views

app_name = "goals"

urlpatterns = [
    path("", views.targets, name="targets"),
    path("edit/", views.edit_targets, name="edit"),
]
