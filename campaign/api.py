"""Organizer API for campaigns: create, list, update and close."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from campaign import services
from campaign.models import Campaign


class IsOrganizer(BasePermission):
    """Staff accounts run campaigns. Anonymous callers get 403 (session auth answers first), others 403."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff)


class CampaignOut(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    status = serializers.CharField()
    starts_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class CampaignIn(serializers.Serializer):
    slug = serializers.SlugField(max_length=80)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=Campaign.Status.choices, default=Campaign.Status.DRAFT)
    starts_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    ends_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class CampaignUpdateIn(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=Campaign.Status.choices, required=False)
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    ends_at = serializers.DateTimeField(required=False, allow_null=True)


def _as_api_error(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})


def _campaign_or_404(slug: str) -> Campaign:
    campaign = Campaign.objects.filter(slug=slug).first()
    if campaign is None:
        raise NotFound("No campaign with this slug.")
    return campaign


class CampaignCollectionApi(APIView):
    permission_classes = [IsOrganizer]

    @extend_schema(responses=CampaignOut(many=True))
    def get(self, request):
        return Response(CampaignOut(Campaign.objects.all(), many=True).data)

    @extend_schema(request=CampaignIn, responses={201: CampaignOut})
    def post(self, request):
        data = CampaignIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            campaign = services.campaign_create(**data.validated_data)
        except DjangoValidationError as exc:
            raise _as_api_error(exc) from exc
        return Response(CampaignOut(campaign).data, status=status.HTTP_201_CREATED)


class CampaignItemApi(APIView):
    permission_classes = [IsOrganizer]

    @extend_schema(responses=CampaignOut)
    def get(self, request, slug: str):
        return Response(CampaignOut(_campaign_or_404(slug)).data)

    @extend_schema(request=CampaignUpdateIn, responses=CampaignOut)
    def patch(self, request, slug: str):
        campaign = _campaign_or_404(slug)
        data = CampaignUpdateIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        try:
            campaign = services.campaign_update(campaign=campaign, **data.validated_data)
        except DjangoValidationError as exc:
            raise _as_api_error(exc) from exc
        return Response(CampaignOut(campaign).data)


class CampaignCloseApi(APIView):
    permission_classes = [IsOrganizer]

    @extend_schema(request=None, responses=CampaignOut)
    def post(self, request, slug: str):
        campaign = services.campaign_close(campaign=_campaign_or_404(slug))
        return Response(CampaignOut(campaign).data)
