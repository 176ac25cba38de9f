from django.urls import path

from outreach.views import tracking

app_name = "outreach"

urlpatterns = [
    # The links inside emails, opened by anyone holding the email (outreach.views.tracking).
    path("e/o/<str:signed>.gif", tracking.open_pixel, name="open_pixel"),
    path("e/c/<str:signed>/", tracking.click, name="click"),
    path("e/u/<str:signed>/", tracking.unsubscribe, name="unsubscribe"),
]
