app_name = "outreach-api"

urlpatterns: list = []
