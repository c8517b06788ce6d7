"""Petition API, the public part: the petition list and detail, and signing (the sign path: a plain Django
view, the hot path of a viral petition). DRF keeps one view class per URL, so the organizers' POST (create)
and PATCH (update, open, close) on the list and detail URLs are the same classes' other methods. The
organizers' signature list and export are in petitions/api_organizer.py."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ParseError, Throttled, UnsupportedMediaType, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from infra.clientip import client_ip
from infra.errors import DomainError, error_response
from infra.throttles import throttle_wait
from organizing import roles
from organizing.models import Campaign
from organizing.permissions import IsOrganizer
from petitions import intake, organizer, selectors, sign_input
from petitions.errors import PetitionNotFound, PetitionNotOpen
from petitions.models import Petition, Signature


# --- Signing --------------------------------------------------------------------------------------
class _SignatureInBase(serializers.Serializer):
    def to_internal_value(self, data):
        return signature_input(data)


def _signature_in_fields() -> dict[str, serializers.Field[Any, Any, Any, Any]]:
    optional: dict[str, Any] = {"required": False, "allow_blank": True, "default": ""}
    fields: dict[str, serializers.Field[Any, Any, Any, Any]] = {
        name: serializers.CharField(max_length=max_length, **({} if required else optional))
        for name, max_length, required in sign_input.TEXT_FIELDS
    }
    fields["email"] = serializers.EmailField(max_length=254)
    fields.update({name: serializers.BooleanField(required=False, default=False) for name in sign_input.BOOL_FIELDS})
    return fields


# What a signer sends (OSDI field names), as the API schema documents it. Requests are checked by
# `sign_input.signature_input_clean`: the same fields, from the same table, without a serializer's
# per-request cost. A SignatureIn instance validates through it too.
SignatureIn = type("SignatureIn", (_SignatureInBase,), _signature_in_fields())


def signature_input(data) -> dict:
    """The validated submission, or a 400 with the errors by field."""
    cleaned, errors = sign_input.signature_input_clean(data)
    if errors:
        raise ValidationError(errors)
    return cleaned


class SignatureOut(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.ChoiceField(choices=Signature.Status.choices)
    signature_count = serializers.IntegerField()
    share_url = serializers.URLField()


def share_url(petition: Petition, ref_code: str) -> str:
    page = _page_url(settings.PUBLIC_BASE_URL, petition.slug)
    return f"{page}?ref={ref_code}" if ref_code else page


@lru_cache(maxsize=1024)
def _page_url(base: str, slug: str) -> str:
    # reverse() on every signer's answer showed up in profiles; the URL of a slug never changes.
    return f"{base}{reverse('petitions:page', kwargs={'slug': slug})}"


def sign_response_body(petition: Petition, result: intake.SignResult) -> dict:
    return {
        "id": result.public_id,
        "status": result.status,
        "signature_count": selectors.signature_counts(petition_id=petition.pk).public,
        "share_url": share_url(petition, result.ref_code),
    }


def sign(petition: Petition, data: dict, *, request, token_required: bool) -> intake.SignResult:
    """Run a validated submission through the bot check and the service; used by API and pages."""
    if intake.is_bot(honeypot=data["website"], token=data["form_token"], token_required=token_required):
        return intake.bot_result(petition=petition)
    fields = {k: v for k, v in data.items() if k not in sign_input.FORM_ONLY}
    return intake.signature_submit(
        petition=petition,
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
        idempotency_key=request.META.get("HTTP_IDEMPOTENCY_KEY", "")[:200],  # request.headers copies every header
        **fields,
    )


def petition_or_404(slug: str) -> Petition:
    petition = Petition.objects.select_related("campaign").filter(slug=slug).first()
    if petition is None:
        raise PetitionNotFound()
    return petition


# --- Petitions ------------------------------------------------------------------------------------
class PetitionOut(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    petition_text = serializers.CharField()
    targets = serializers.ListField(child=serializers.DictField())
    goal = serializers.IntegerField()
    signature_count = serializers.IntegerField()
    status = serializers.CharField()
    campaign = serializers.CharField()
    confirmation_required = serializers.BooleanField()
    url = serializers.URLField()


def petition_body(
    petition: Petition, *, targets: list[dict] | None = None, counts: selectors.Counts | None = None
) -> dict:
    """`targets` and `counts`, when given, were fetched for a whole list at once."""
    if targets is None:
        targets = selectors.petition_targets(petition)
    if counts is None:
        counts = selectors.signature_counts(petition_id=petition.pk)
    return {
        "slug": petition.slug,
        "title": petition.title,
        "description": petition.description,
        "petition_text": petition.petition_text,
        "targets": targets,
        "goal": petition.goal,
        "signature_count": counts.public,
        "status": petition.status,
        "campaign": petition.campaign.slug,
        "confirmation_required": petition.confirmation_required,
        "url": share_url(petition, ""),
    }


class PetitionIn(serializers.Serializer):
    campaign = serializers.SlugField(max_length=80)
    slug = serializers.SlugField(max_length=80)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    petition_text = serializers.CharField(max_length=20000)
    target_kind = serializers.ChoiceField(choices=Petition.TargetKind.choices, default="own_members")
    target_bioguide_ids = serializers.ListField(
        child=serializers.CharField(max_length=10), required=False, default=list, max_length=600
    )
    target_names = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list, max_length=50
    )
    goal = serializers.IntegerField(min_value=1, max_value=1_000_000_000, default=1000)
    status = serializers.ChoiceField(choices=[("draft", "Draft"), ("open", "Open")], default="draft")
    confirmation_required = serializers.BooleanField(default=False)


class PetitionUpdateIn(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    petition_text = serializers.CharField(max_length=20000, required=False)
    target_kind = serializers.ChoiceField(choices=Petition.TargetKind.choices, required=False)
    target_bioguide_ids = serializers.ListField(child=serializers.CharField(max_length=10), required=False)
    target_names = serializers.ListField(child=serializers.CharField(max_length=200), required=False)
    goal = serializers.IntegerField(min_value=1, max_value=1_000_000_000, required=False)
    status = serializers.ChoiceField(choices=Petition.Status.choices, required=False)
    confirmation_required = serializers.BooleanField(required=False)


class PetitionCollectionApi(APIView):
    """GET: the open petitions (public). POST: create a petition (organizers)."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsOrganizer()]

    @extend_schema(responses=PetitionOut(many=True))
    def get(self, request):
        petitions = list(Petition.objects.select_related("campaign").filter(status=Petition.Status.OPEN))
        targets = selectors.petitions_targets(petitions)
        counts = selectors.signature_counts_many(petition_ids=[p.pk for p in petitions])
        return Response([petition_body(p, targets=targets[p.pk], counts=counts[p.pk]) for p in petitions])

    @extend_schema(request=PetitionIn, responses={201: PetitionOut})
    def post(self, request):
        data = PetitionIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        campaign = Campaign.objects.filter(slug=fields.pop("campaign")).first()
        if campaign is None:
            raise ValidationError({"campaign": ["No campaign with this slug."]})
        self.check_object_permissions(request, campaign)
        petition = organizer.petition_create(campaign=campaign, **fields)
        return Response(petition_body(petition), status=status.HTTP_201_CREATED)


class PetitionItemApi(APIView):
    """GET: one petition (public unless a draft). PATCH: update, open or close it (organizers)."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsOrganizer()]

    @extend_schema(responses=PetitionOut)
    def get(self, request, slug: str):
        petition = petition_or_404(slug)
        if petition.status == Petition.Status.DRAFT and not roles.can_manage(request.user, petition.campaign):
            raise PetitionNotFound()
        return Response(petition_body(petition))

    @extend_schema(request=PetitionUpdateIn, responses=PetitionOut)
    def patch(self, request, slug: str):
        petition = petition_or_404(slug)
        self.check_object_permissions(request, petition)
        data = PetitionUpdateIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        petition = organizer.petition_update(petition=petition, **data.validated_data)
        return Response(petition_body(petition))


def sign_post(request: HttpRequest, slug: str) -> HttpResponse:
    """POST /api/v1/petitions/{slug}/signatures/: sign (public, limited per IP and per email).

    A plain Django view, the hot path of a viral petition: DRF's request wrapping, negotiation and
    rendering were a third of a signer's CPU. It answers exactly as the API does, in the one error
    shape (infra.errors.error_response). No authentication runs: signing needs no identity, and so
    no session CSRF applies to staff who sign through the embed (it holds no ambient authority).
    """
    try:
        data = _sign_body(request)
        wait = throttle_wait(request, ip_scope="sign_ip", field_scope="sign_email", data=data)
        if wait is not None:
            raise Throttled(wait=wait)
        petition = selectors.petition_for_signing(slug=slug)
        if petition is None:
            raise PetitionNotFound()
        if petition.status != Petition.Status.OPEN:
            raise PetitionNotOpen(petition.status)
        result = sign(petition, signature_input(data), request=request, token_required=False)  # or IdempotencyKeyReused
    except (APIException, DomainError) as exc:
        return error_response(exc)
    return JsonResponse(sign_response_body(petition, result), status=201 if result.created else 200)


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _sign_body(request: HttpRequest):
    """The submitted fields: a JSON body or a form, as DRF's parsers would read them."""
    if request.content_type == "application/json":
        if not request.body:
            return {}
        try:
            return json.loads(request.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
    if request.content_type in _FORM_TYPES:
        return request.POST
    raise UnsupportedMediaType(request.content_type or "none")
