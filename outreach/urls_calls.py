from django.urls import path

from outreach.api import calls as api
from outreach.views import calls as views

urlpatterns = [
    path("api/v1/campaigns/<slug:slug>/calls/", api.CallStartView.as_view(), name="calls-start"),
    path("api/v1/calls/<uuid:session_id>/", api.CallSessionView.as_view(), name="calls-session"),
    path("api/v1/calls/<uuid:session_id>/feedback/", api.CallFeedbackView.as_view(), name="calls-feedback"),
    path("c/<slug:slug>/", views.call_page, name="calls-page"),
    path("c/<slug:slug>/s/<uuid:session_id>/", views.session_page, name="calls-session-page"),
    path("c/<slug:slug>/s/<uuid:session_id>/feedback/", views.session_feedback, name="calls-session-feedback"),
    # Twilio webhooks: only opaque ids in the path, never a phone number or call state.
    path("twilio/calls/inbound/", views.hook_inbound, name="calls-hook-inbound"),
    path("twilio/calls/inbound/status/", views.hook_inbound_status, name="calls-hook-inbound-status"),
    path("twilio/calls/<uuid:session_id>/answer/", views.hook_answer, name="calls-hook-answer"),
    path("twilio/calls/<uuid:session_id>/gather/", views.hook_gather, name="calls-hook-gather"),
    path("twilio/calls/<uuid:session_id>/no-key/", views.hook_no_key, name="calls-hook-no-key"),
    path("twilio/calls/<uuid:session_id>/next/", views.hook_next, name="calls-hook-next"),
    path("twilio/calls/<uuid:session_id>/zip/", views.hook_zip, name="calls-hook-zip"),
    path("twilio/calls/<uuid:session_id>/status/", views.hook_status, name="calls-hook-status"),
    path("twilio/calls/legs/<uuid:leg_id>/dialed/", views.hook_dialed, name="calls-hook-dialed"),
]
