# Calls and letters each keep their routes (API, pages, webhooks) in their own module.
from django.urls import include, path

urlpatterns = [
    path("", include("outreach.urls_calls")),
    path("", include("outreach.urls_letters")),
]
