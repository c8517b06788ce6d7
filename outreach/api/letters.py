"""Letters API: writing (public), status history (public, by unguessable id), moderation and hand delivery
(organizers). Petition delivery is in outreach/api/petition_delivery.py."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from congress.selectors import ZIP_RE
from infra.errors import Conflict, ServiceUnavailable
from infra.throttles import ScopedFieldThrottle, ScopedIPThrottle
from organizing import roles
from organizing.models import Campaign
from organizing.permissions import IsOrganizer
from outreach import publish
from outreach.lookup import LookupUnavailable
from outreach.models import Letter
from outreach.selectors import letters as selectors
from outreach.services import letter_compose as compose
from outreach.services import letter_moderation as moderation
from outreach.services.letter_outbox import letters_mark_hand_delivered
from petitions.models import Petition


class _OrganizerOrPermission(IsOrganizer):
    """The campaign's organizers (and admins), or anyone holding `site_perm` for every campaign."""

    site_perm = ""

    def _site_wide(self, request) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.has_perm(self.site_perm))

    def has_permission(self, request, view):
        return self._site_wide(request) or super().has_permission(request, view)

    def has_object_permission(self, request, view, obj):
        return self._site_wide(request) or super().has_object_permission(request, view, obj)


class CanModerateLetters(_OrganizerOrPermission):
    """Organizers moderate their own campaigns' letters; the moderate_letter permission covers every campaign.
    The object is a Letter; one without an action (a petition's) belongs to no campaign's moderators."""

    site_perm = "outreach.moderate_letter"

    def has_object_permission(self, request, view, obj):
        if self._site_wide(request):
            return True
        return obj.action is not None and super().has_object_permission(request, view, obj.action)


class CanDeliverPetitions(_OrganizerOrPermission):
    """Organizers deliver their own campaigns' petitions; the deliver_petition permission covers all."""

    site_perm = "outreach.deliver_petition"


class CanHandDeliverLetters(_OrganizerOrPermission):
    """Organizers mark their own campaigns' outbox letters delivered by hand; the hand_deliver_letter
    permission covers every campaign. The object is the letter's campaign (see `_letter_campaign`)."""

    site_perm = "outreach.hand_deliver_letter"


# --- Writing ----------------------------------------------------------------------------------------


class LetterWriteInput(serializers.Serializer):
    action = serializers.SlugField(required=False, help_text="Letter action slug, when the campaign has several.")
    prefix = serializers.CharField(max_length=10)
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    email = serializers.EmailField(max_length=254)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    address_line = serializers.CharField(max_length=200)
    locality = serializers.CharField(max_length=100)
    region = serializers.RegexField(r"^[A-Za-z]{2}$", error_messages={"invalid": "Use the 2-letter state code."})
    postal_code = serializers.RegexField(ZIP_RE, error_messages={"invalid": "Enter a 5-digit ZIP code."})
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True)
    # Optional, but when given it may not be blank: an empty letter is a mistake, not a choice.
    message = serializers.CharField(required=False, trim_whitespace=True)
    consent = serializers.BooleanField()

    def validate_consent(self, value):
        if not value:
            raise serializers.ValidationError("We need your agreement to deliver your letter to your offices.")
        return value


class LetterSummary(serializers.Serializer):
    id = serializers.UUIDField()
    bioguide_id = serializers.CharField()
    name = serializers.CharField(source="recipient_name")
    channel = serializers.CharField()
    status = serializers.CharField()
    web_form_url = serializers.SerializerMethodField()

    def get_web_form_url(self, letter) -> str | None:
        return letter.destination if letter.status == Letter.Status.NEEDS_WEB_FORM and letter.destination else None


class LetterWriteOutput(serializers.Serializer):
    id = serializers.UUIDField()
    letters = LetterSummary(many=True)


def letter_action_for(campaign: Campaign, action_slug: str | None):
    actions = campaign.letter_actions.filter(is_active=True)
    if action_slug:
        action = actions.filter(slug=action_slug).first()
        if action is None:
            raise ValidationError({"action": ["This campaign has no such letter."]})
        return action
    found = list(actions[:2])
    if not found:
        raise NotFound("This campaign has no letter to write.")
    if len(found) > 1:
        raise ValidationError({"action": ["This campaign has several letters; say which one."]})
    return found[0]


def submit_or_raise(*, action, data: dict) -> compose.SubmitResult:
    """The writer's letters; a LetterInputError is the API's 400 with its field errors (infra.errors)."""
    try:
        return compose.letter_submit(
            action=action,
            prefix=data["prefix"],
            given_name=data["given_name"],
            family_name=data["family_name"],
            email=data["email"],
            phone=data.get("phone", ""),
            address_line=data["address_line"],
            locality=data["locality"],
            region=data["region"],
            postal_code=data["postal_code"],
            subject=data.get("subject"),
            message=data.get("message"),
        )
    except LookupUnavailable as exc:
        raise ServiceUnavailable("The address lookup is unavailable; try again shortly.") from exc


class LetterWriteView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [ScopedIPThrottle, ScopedFieldThrottle]
    throttle_scope_ip = "letter_ip"
    throttle_scope_field = "letter_email"
    throttle_field = "email"

    @extend_schema(request=LetterWriteInput, responses={202: LetterWriteOutput})
    def post(self, request, slug: str):
        campaign = get_object_or_404(Campaign, slug=slug)
        data = LetterWriteInput(data=request.data)
        data.is_valid(raise_exception=True)
        if campaign.status != Campaign.Status.ACTIVE:
            raise Conflict("This campaign is not taking letters now.")
        action = letter_action_for(campaign, data.validated_data.get("action"))
        result = submit_or_raise(action=action, data=data.validated_data)
        body = LetterWriteOutput({"id": result.submission_id, "letters": result.letters}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


# --- Status -----------------------------------------------------------------------------------------


class LetterEventOutput(serializers.Serializer):
    status = serializers.CharField()
    detail = serializers.CharField()
    at = serializers.DateTimeField(source="created_at")


class LetterDetailOutput(LetterSummary):
    title = serializers.CharField(source="recipient_title")
    office_code = serializers.CharField()
    attempts = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField()
    error = serializers.CharField()
    rejection_reason = serializers.CharField()
    history = LetterEventOutput(many=True, source="events.all")


class LetterDetailView(APIView):
    # The id is a random UUID handed only to the writer; the answer holds no personal data.
    permission_classes = [AllowAny]

    @extend_schema(responses=LetterDetailOutput)
    def get(self, request, letter_id):
        letter = selectors.letter_with_history(letter_id=letter_id)
        if letter is None:
            raise NotFound("No such letter.")
        return Response(LetterDetailOutput(letter).data)


# --- Moderation -------------------------------------------------------------------------------------


class HeldLetterOutput(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=["held", "target_left"])
    action = serializers.SlugField(source="action.slug")
    bioguide_id = serializers.CharField()
    recipient = serializers.CharField(source="recipient_name")
    subject = serializers.CharField()
    constituent_message = serializers.CharField()
    moderation_reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class ModerationQuery(serializers.Serializer):
    action = serializers.SlugField(required=False)
    status = serializers.ChoiceField(
        choices=["held", "target_left"],
        default="held",
        help_text="held: waiting for moderation; target_left: held because the member left office",
    )


class ModerationQueueView(APIView):
    permission_classes = [CanModerateLetters]

    @extend_schema(parameters=[ModerationQuery], responses=HeldLetterOutput(many=True))
    def get(self, request):
        query = ModerationQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        letters = selectors.moderation_queue(
            action_slug=query.validated_data.get("action"), status=query.validated_data["status"]
        )
        if not request.user.has_perm(CanModerateLetters.site_perm):
            letters = letters.filter(action__campaign__in=roles.campaigns_managed(request.user))
        letters = letters[:500]
        return Response({"results": HeldLetterOutput(letters, many=True).data})


class RejectInput(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


def _held_letter(letter_id) -> Letter:
    letter = Letter.objects.filter(pk=letter_id).select_related("action__campaign").first()
    if letter is None:
        raise NotFound("No such letter.")
    return letter


class LetterApproveView(APIView):
    permission_classes = [CanModerateLetters]

    @extend_schema(request=None, responses=LetterSummary)
    def post(self, request, letter_id):
        letter = _held_letter(letter_id)
        self.check_object_permissions(request, letter)
        if not moderation.letter_approve(letter=letter, by=f"by user {request.user.pk}"):
            raise Conflict(f"The letter is not held (status: {letter.status}).")
        letter.refresh_from_db()
        return Response(LetterSummary(letter).data)


class LetterRetargetView(APIView):
    """Look the writer of a letter held because its member left office up again: the letter goes to the
    member their address names now, or stays held (see its status history). 202: the lookup runs in a
    worker."""

    permission_classes = [CanModerateLetters]

    @extend_schema(request=None, responses={202: LetterSummary})
    def post(self, request, letter_id):
        letter = _held_letter(letter_id)
        self.check_object_permissions(request, letter)
        if letter.status != Letter.Status.TARGET_LEFT:
            raise Conflict(f"The letter is not held for a member who left office (status: {letter.status}).")
        publish.retarget_letter(letter.pk)
        return Response(LetterSummary(letter).data, status=202)


class LetterRejectView(APIView):
    permission_classes = [CanModerateLetters]

    @extend_schema(request=RejectInput, responses=LetterSummary)
    def post(self, request, letter_id):
        data = RejectInput(data=request.data)
        data.is_valid(raise_exception=True)
        letter = _held_letter(letter_id)
        self.check_object_permissions(request, letter)
        done = moderation.letter_reject(
            letter=letter, reason=data.validated_data["reason"], by=f"by user {request.user.pk}"
        )
        if not done:
            raise Conflict(f"The letter is not held (status: {letter.status}).")
        letter.refresh_from_db()
        return Response(LetterSummary(letter).data)


# --- Hand delivery ----------------------------------------------------------------------------------


class HandDeliveredInput(serializers.Serializer):
    delivered_at = serializers.DateTimeField(required=False, help_text="When it was delivered; default: now.")


def _letter_campaign(letter: Letter) -> Campaign | None:
    """A written letter's campaign is its action's; a petition letter's is its petition's."""
    if letter.action is not None:
        return letter.action.campaign
    if letter.petition_batch is not None:
        petition = Petition.objects.select_related("campaign").filter(pk=letter.petition_batch.petition_id).first()
        return petition.campaign if petition is not None else None
    return None


class LetterHandDeliveredView(APIView):
    """Mark a letter of the outbox delivered by hand (the organizer took the printed letter to the office).
    Marking it again changes nothing; a letter that never was in the outbox is a 409."""

    permission_classes = [CanHandDeliverLetters]

    @extend_schema(request=HandDeliveredInput, responses=LetterSummary)
    def post(self, request, letter_id):
        data = HandDeliveredInput(data=request.data)
        data.is_valid(raise_exception=True)
        letter = Letter.objects.filter(pk=letter_id).select_related("action__campaign", "petition_batch").first()
        if letter is None:
            raise NotFound("No such letter.")
        campaign = _letter_campaign(letter)
        if campaign is None and not request.user.has_perm(CanHandDeliverLetters.site_perm):
            raise NotFound("No such letter.")
        if campaign is not None:
            self.check_object_permissions(request, campaign)
        if letter.status not in (Letter.Status.IN_OUTBOX, Letter.Status.HAND_DELIVERED):
            raise Conflict(f"The letter is not in the outbox (status: {letter.status}).")
        letters_mark_hand_delivered(
            letter_ids=[letter.pk], by=f"by user {request.user.pk}", when=data.validated_data.get("delivered_at")
        )
        letter.refresh_from_db()
        return Response(LetterSummary(letter).data)
