"""Calls API: start a call, read a session, report how it went."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, Throttled
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from infra.clientip import client_ip
from infra.throttles import ScopedIPThrottle
from outreach.models import CallFeedback, CallSession
from outreach.selectors import calls as selectors
from outreach.services import calls as services
from outreach.services.call_limits import CallLimited


class CallStartIn(serializers.Serializer):
    phone = serializers.CharField(max_length=30)
    postal_code = serializers.CharField(max_length=10)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    consent = serializers.BooleanField()
    # A field named like Field.source, the API's name for it.
    source = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")  # type: ignore[assignment]
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    action = serializers.IntegerField(required=False, help_text="A call action id, when a campaign has several.")


class TargetOut(serializers.Serializer):
    bioguide_id = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    title = serializers.CharField()
    phone = serializers.CharField()


class CallStartOut(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    targets = TargetOut(many=True)


class LegOfficeOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["dc", "district", "custom"])
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    phone = serializers.CharField()


class LegOut(serializers.Serializer):
    attempt = serializers.IntegerField()
    office = LegOfficeOut()
    status = serializers.CharField()
    duration = serializers.IntegerField(allow_null=True)
    after_hours = serializers.BooleanField()
    started_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)


class SessionTargetOut(serializers.Serializer):
    target_key = serializers.CharField()
    bioguide_id = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    title = serializers.CharField()
    result = serializers.CharField(help_text="Status of the last attempt")
    reported = serializers.CharField(allow_null=True, help_text="The caller's own report, if any")
    legs = LegOut(many=True)


class CallSessionOut(serializers.Serializer):
    id = serializers.UUIDField()
    campaign = serializers.CharField()
    direction = serializers.CharField()
    status = serializers.CharField()
    outcome = serializers.CharField()
    split_zip = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)
    connected_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    duration = serializers.IntegerField(allow_null=True)
    targets = SessionTargetOut(many=True)


class FeedbackIn(serializers.Serializer):
    bioguide_id = serializers.CharField(max_length=40, help_text="Bioguide id, or the target_key of a custom target")
    outcome = serializers.ChoiceField(choices=CallFeedback.Outcome.choices)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class FeedbackOut(serializers.Serializer):
    bioguide_id = serializers.CharField(source="target_key")
    outcome = serializers.CharField()


class CallStartView(APIView):
    """Start a click-to-call session: we ring the supporter, then patch them through to each office."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedIPThrottle]
    throttle_scope_ip = "call_start_ip"

    @extend_schema(request=CallStartIn, responses={202: CallStartOut})
    def post(self, request, slug):
        data = CallStartIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            action = selectors.call_action_for_campaign(slug, action_id=v.get("action"))
        except selectors.NoCallAction as exc:
            raise NotFound("No live call action for this campaign.") from exc
        try:
            session = services.call_session_start(
                action=action,
                phone=v["phone"],
                postal_code=v["postal_code"].strip(),
                address=v["address"].strip(),
                consent=v["consent"],
                source=v["source"],
                email=v["email"],
                ip=client_ip(request),
            )
        except CallLimited as exc:
            # The one mapping kept here: DRF's Throttled gives the Retry-After header (and the "Expected
            # available in N seconds." tail), which the DomainError handler does not. CallBlocked (403),
            # OfficesClosed (409) and CallUnavailable (503) reach infra.errors.api_exception_handler as they are.
            raise Throttled(wait=exc.retry_after, detail=str(exc)) from exc
        session.refresh_from_db(fields=["status"])
        targets = [
            {"bioguide_id": leg.legislator_id, "name": leg.name, "title": leg.title, "phone": leg.phone}
            for leg in session.started_legs  # type: ignore[attr-defined]  # set by call_session_start
        ]
        body = {"id": session.id, "status": session.status, "targets": targets}
        return Response(CallStartOut(body).data, status=status.HTTP_202_ACCEPTED)


def _session_or_404(session_id) -> CallSession:
    session = CallSession.objects.select_related("campaign").filter(pk=session_id).first()
    if session is None:
        raise NotFound("No such call.")
    return session


class CallSessionView(APIView):
    """A call session's status, its legs per target, and the caller's reports. Never the caller's phone."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: CallSessionOut})
    def get(self, request, session_id):
        return Response(CallSessionOut(selectors.call_session_record(_session_or_404(session_id))).data)


class CallFeedbackView(APIView):
    """The caller's own report for one office of the call."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedIPThrottle]
    throttle_scope_ip = "call_feedback_ip"

    @extend_schema(request=FeedbackIn, responses={201: FeedbackOut})
    def post(self, request, session_id):
        data = FeedbackIn(data=request.data)
        data.is_valid(raise_exception=True)
        session = _session_or_404(session_id)
        feedback = services.call_feedback_record(
            session=session,
            target=data.validated_data["bioguide_id"],
            outcome=data.validated_data["outcome"],
            notes=data.validated_data["notes"],
        )
        return Response(FeedbackOut(feedback).data, status=status.HTTP_201_CREATED)
