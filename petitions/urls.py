from django.urls import path

from petitions import api_organizer, api_sign, views

app_name = "petitions"

urlpatterns = [
    path("p/confirm/<str:token>/", views.confirm, name="confirm"),
    path("p/<slug:slug>/", views.petition_page, name="page"),
    path("p/<slug:slug>/thanks/", views.thanks, name="thanks"),
    path("p/<slug:slug>/embed/", views.petition_embed, name="embed"),
    path("p/<slug:slug>/embed/thanks/", views.embed_thanks, name="embed-thanks"),
]

api_urlpatterns = (
    [
        path("petitions/<slug:slug>/signatures/", api_organizer.SignatureCollectionApi.as_view(), name="signatures"),
        path("petitions/", api_sign.PetitionCollectionApi.as_view(), name="collection"),
        path("petitions/<slug:slug>/", api_sign.PetitionItemApi.as_view(), name="item"),
        path("petitions/<slug:slug>/signatures.csv", api_organizer.SignatureCsvApi.as_view(), name="signatures-csv"),
    ],
    "petitions-api",
)
