from django.urls import path

from reporting import api, views

urlpatterns = [
    path("dashboard/", views.campaign_list, name="dashboard"),
    path("dashboard/<slug:slug>/", views.campaign_dashboard, name="dashboard-campaign"),
    path("dashboard/<slug:slug>/<slug:table>.csv", views.campaign_table_csv, name="dashboard-csv"),
]

api_urlpatterns = [
    path("campaigns/<slug:slug>/metrics/", api.MetricsApi.as_view(), name="campaigns-metrics"),
]
