from django.urls import path

from organizing import api

app_name = "campaigns-api"

urlpatterns = [
    path("campaigns/", api.CampaignCollectionApi.as_view(), name="collection"),
    path("campaigns/<slug:slug>/", api.CampaignItemApi.as_view(), name="item"),
    path("campaigns/<slug:slug>/close/", api.CampaignCloseApi.as_view(), name="close"),
]
