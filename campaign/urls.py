from django.contrib import admin
from django.urls import include, path
from django.views import defaults
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from campaign import views
from campaign.errors import json_or_html
from petitions.urls import api_urlpatterns as petitions_api

urlpatterns = [
    # First: Django tries patterns in order, and signing is the path a viral petition hammers.
    path("api/v1/", include(petitions_api)),
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("dashboard/", views.campaign_list, name="dashboard"),
    path("dashboard/<slug:slug>/", views.campaign_dashboard, name="dashboard-campaign"),
    path("dashboard/<slug:slug>/<slug:table>.csv", views.campaign_table_csv, name="dashboard-csv"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("congress.urls")),
    path("api/v1/", include("campaign.api_urls")),
    path("", include("petitions.urls")),
    path("", include("contacts.urls")),
    path("", include("outreach.urls")),
]

handler400 = json_or_html(400, "Bad request.", defaults.bad_request)
handler403 = json_or_html(403, "Forbidden.", defaults.permission_denied)
handler404 = json_or_html(404, "Not found.", defaults.page_not_found)
handler500 = json_or_html(500, "Internal error.", defaults.server_error)
