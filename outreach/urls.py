from django.urls import path

from outreach.views import compose, email_templates, tracking

app_name = "outreach"

urlpatterns = [
    path("email-templates/", email_templates.template_list, name="template_list"),
    path("email-templates/new/", email_templates.template_create, name="template_create"),
    path("email-templates/preview/", email_templates.template_preview, name="template_preview"),
    path("email-templates/<int:pk>/", email_templates.template_edit, name="template_edit"),
    path("leads/<int:pk>/email/", compose.compose, name="compose"),
    path("leads/<int:pk>/email/preview/", compose.compose_preview, name="compose_preview"),
    path("deals/<int:pk>/email/", compose.compose_for_deal, name="compose_for_deal"),
    path("deals/<int:pk>/emails/", compose.deal_emails, name="deal_emails"),
    path("companies/<int:pk>/email/", compose.compose_for_company, name="compose_for_company"),
    # The links inside emails, opened by anyone holding the email (outreach.views.tracking).
    path("e/o/<str:signed>.gif", tracking.open_pixel, name="open_pixel"),
    path("e/c/<str:signed>/", tracking.click, name="click"),
    path("e/u/<str:signed>/", tracking.unsubscribe, name="unsubscribe"),
]
