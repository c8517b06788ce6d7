from django.urls import path

from congress import api

urlpatterns = [
    path("representatives/", api.RepresentativesView.as_view(), name="representatives"),
]
