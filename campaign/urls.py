from django.contrib import admin
from django.urls import include, path
from django.views import defaults
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from campaign import views
from infra.errors import json_or_html
from petitions.urls import api_urlpatterns as petitions_api
from reporting.urls import api_urlpatterns as reporting_api

urlpatterns = [
    # First: Django tries patterns in order, and signing is the path a viral petition hammers.
    path("api/v1/", include(petitions_api)),
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("reporting.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("congress.urls")),
    path("api/v1/", include("organizing.api_urls")),
    path("api/v1/", include(reporting_api)),
    path("", include("petitions.urls")),
    path("", include("contacts.urls")),
    path("", include("outreach.urls")),
]

handler400 = json_or_html(400, "Bad request.", defaults.bad_request)
handler403 = json_or_html(403, "Forbidden.", defaults.permission_denied)
handler404 = json_or_html(404, "Not found.", defaults.page_not_found)
handler500 = json_or_html(500, "Internal error.", defaults.server_error)
