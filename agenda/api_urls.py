app_name = "agenda-api"

urlpatterns: list = []
