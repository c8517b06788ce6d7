"""Petition delivery API (organizers): ask for a delivery (it runs in a worker), then follow the run."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from outreach.api.letters import CanDeliverPetitions
from outreach.models import PetitionDeliveryRun
from outreach.services.petition_delivery_runs import petition_delivery_request
from petitions.models import Petition


class PetitionDeliveryOutput(serializers.Serializer):
    petition = serializers.SlugField()
    run = serializers.IntegerField()
    letters = serializers.IntegerField()
    signatures = serializers.IntegerField(help_text="Signatures delivered for the first time in this run.")
    skipped = serializers.IntegerField(help_text="Confirmed signatures with no state: no office to tell.")
    offices = serializers.ListField(child=serializers.DictField())


class PetitionDeliveryRunOutput(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    petition = serializers.SlugField(source="petition.slug")
    status = serializers.ChoiceField(choices=PetitionDeliveryRun.Status.choices)
    run = serializers.IntegerField(allow_null=True, help_text="The delivery's run number, once it ran.")
    letters = serializers.IntegerField(allow_null=True)
    signatures = serializers.IntegerField(allow_null=True)
    skipped = serializers.IntegerField(allow_null=True)
    error = serializers.CharField(help_text="The error's type, when the run failed.")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    result = PetitionDeliveryOutput(allow_null=True, help_text="What the delivery did, once it is done.")

    def get_url(self, run: PetitionDeliveryRun) -> str:
        return reverse("petitions-delivery-run", args=[run.petition.slug, run.pk])


def _petition(view: APIView, request, slug: str) -> Petition:
    petition = Petition.objects.select_related("campaign").filter(slug=slug).first()
    if petition is None:
        raise NotFound("No such petition.")
    view.check_object_permissions(request, petition)
    return petition


class PetitionDeliverView(APIView):
    """Deliver a petition's new signatures to their offices. 202: a worker runs the delivery; follow it at
    the answer's `url`. Asking again while a run is queued is safe: runs of one petition never overlap."""

    permission_classes = [CanDeliverPetitions]

    @extend_schema(request=None, responses={202: PetitionDeliveryRunOutput})
    def post(self, request, slug: str):
        petition = _petition(self, request, slug)
        run = petition_delivery_request(petition=petition, requested_by=request.user)
        body = PetitionDeliveryRunOutput(run).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class PetitionDeliveryRunView(APIView):
    permission_classes = [CanDeliverPetitions]

    @extend_schema(responses=PetitionDeliveryRunOutput)
    def get(self, request, slug: str, run_id: int):
        petition = _petition(self, request, slug)
        run = PetitionDeliveryRun.objects.filter(pk=run_id, petition=petition).select_related("petition").first()
        if run is None:
            raise NotFound("No such delivery.")
        return Response(PetitionDeliveryRunOutput(run).data)
