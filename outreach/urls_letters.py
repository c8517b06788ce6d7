from django.urls import path

from outreach.api import letters as api
from outreach.api import petition_delivery as petition_api
from outreach.views import letters as views

urlpatterns = [
    path("api/v1/campaigns/<slug:slug>/letters/", api.LetterWriteView.as_view(), name="letters-write"),
    path("api/v1/letters/moderation/", api.ModerationQueueView.as_view(), name="letters-moderation"),
    path("api/v1/letters/<uuid:letter_id>/", api.LetterDetailView.as_view(), name="letters-detail"),
    path("api/v1/letters/<uuid:letter_id>/approve/", api.LetterApproveView.as_view(), name="letters-approve"),
    path("api/v1/letters/<uuid:letter_id>/reject/", api.LetterRejectView.as_view(), name="letters-reject"),
    path("api/v1/letters/<uuid:letter_id>/retarget/", api.LetterRetargetView.as_view(), name="letters-retarget"),
    path(
        "api/v1/letters/<uuid:letter_id>/hand-delivered/",
        api.LetterHandDeliveredView.as_view(),
        name="letters-hand-delivered",
    ),
    path("api/v1/petitions/<slug:slug>/deliver/", petition_api.PetitionDeliverView.as_view(), name="petitions-deliver"),
    path(
        "api/v1/petitions/<slug:slug>/deliveries/<int:run_id>/",
        petition_api.PetitionDeliveryRunView.as_view(),
        name="petitions-delivery-run",
    ),
    path("l/<slug:slug>/", views.letter_page, name="letters-page"),
    path("letters/outbox/", views.outbox_index, name="letters-outbox"),
    path("letters/outbox/<str:bioguide_id>.html", views.outbox_batch_html, name="letters-outbox-html"),
    path("letters/outbox/<str:bioguide_id>.csv", views.outbox_batch_csv, name="letters-outbox-csv"),
    path("letters/petition-batches/<int:batch_id>.csv", views.petition_batch_csv, name="letters-petition-csv"),
]
