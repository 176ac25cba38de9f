from django.urls import path

from deals import views

app_name = "deals"

urlpatterns = [
    path("pipeline/", views.board, name="board"),
    path("pipeline/stages/", views.stage_list, name="stage_list"),
    path("pipeline/stages/add/", views.stage_add, name="stage_add"),
    path("pipeline/stages/<int:pk>/", views.stage_update, name="stage_update"),
    path("pipeline/stages/<int:pk>/move/", views.stage_reorder, name="stage_reorder"),
    path("pipeline/stages/<int:pk>/delete/", views.stage_delete, name="stage_delete"),
    path("deals/", views.deal_list, name="deal_list"),
    path("deals/export.csv", views.deal_export, {"fmt": "csv"}, name="deal_export"),
    path("deals/export.xlsx", views.deal_export, {"fmt": "xlsx"}, name="deal_export_xlsx"),
    path("deals/new/", views.deal_create, name="deal_create"),
    path("deals/<int:pk>/", views.deal_detail, name="deal_detail"),
    path("deals/<int:pk>/move/", views.deal_move, name="deal_move"),
    path("deals/<int:pk>/menu/", views.deal_menu, name="deal_menu"),
    path("deals/<int:pk>/forecast/", views.deal_forecast, name="deal_forecast"),
    path("deals/<int:pk>/activities/", views.activity_create, name="activity_create"),
]
