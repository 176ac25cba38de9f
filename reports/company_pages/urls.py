from django.urls import path

from reports.company_pages import views

app_name = "companies"

urlpatterns = [
    path("", views.company_list, name="list"),
    path("export.csv", views.company_export, {"fmt": "csv"}, name="export"),
    path("export.xlsx", views.company_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("new/", views.company_create, name="create"),
    path("<int:pk>/", views.company_detail, name="detail"),
    path("<int:pk>/edit/", views.company_edit, name="edit"),
    path("<int:pk>/merge/", views.company_merge, name="merge"),
    path("<int:pk>/unlink/", views.company_unlink_person, name="unlink_person"),
]
