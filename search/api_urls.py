from django.urls import path

from search import api

app_name = "search-api"

urlpatterns = [path("search/", api.search, name="search")]
