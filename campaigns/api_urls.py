app_name = "campaigns-api"

urlpatterns: list = []
