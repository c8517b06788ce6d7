"""Organizer API for campaigns: create, list, update, close."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from organizing import roles, services
from organizing.models import Campaign
from organizing.permissions import CampaignAccess, IsOrganizer
from organizing.selectors import campaign_or_404


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


class CampaignCollectionApi(APIView):
    """GET: the campaigns the caller may see. POST: create one (organizers; the creator becomes its organizer)."""

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "GET" else [IsOrganizer()]

    @extend_schema(responses=CampaignOut(many=True))
    def get(self, request):
        return Response(CampaignOut(roles.campaigns_visible(request.user), many=True).data)

    @extend_schema(request=CampaignIn, responses={201: CampaignOut})
    def post(self, request):
        data = CampaignIn(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = services.campaign_create(**data.validated_data, creator=request.user)
        return Response(CampaignOut(campaign).data, status=status.HTTP_201_CREATED)


class CampaignItemApi(APIView):
    """GET: members of the campaign (viewers too). PATCH: its organizers."""

    permission_classes = [CampaignAccess]

    @extend_schema(responses=CampaignOut)
    def get(self, request, slug: str):
        campaign = campaign_or_404(slug)
        self.check_object_permissions(request, campaign)
        return Response(CampaignOut(campaign).data)

    @extend_schema(request=CampaignUpdateIn, responses=CampaignOut)
    def patch(self, request, slug: str):
        campaign = campaign_or_404(slug)
        self.check_object_permissions(request, campaign)
        data = CampaignUpdateIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        campaign = services.campaign_update(campaign=campaign, **data.validated_data)
        return Response(CampaignOut(campaign).data)


class CampaignCloseApi(APIView):
    permission_classes = [CampaignAccess]

    @extend_schema(request=None, responses=CampaignOut)
    def post(self, request, slug: str):
        campaign = campaign_or_404(slug)
        self.check_object_permissions(request, campaign)
        campaign = services.campaign_close(campaign=campaign)
        return Response(CampaignOut(campaign).data)
