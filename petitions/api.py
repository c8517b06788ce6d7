"""Petition API: public reads and signing; organizer writes, lists and exports."""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import (
    APIException,
    NotFound,
    ParseError,
    Throttled,
    UnsupportedMediaType,
    ValidationError,
)
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from campaign import roles
from campaign.clientip import client_ip
from campaign.csvexport import csv_response
from campaign.errors import Conflict, error_response, from_django
from campaign.models import Campaign
from campaign.permissions import IsOrganizer
from campaign.throttles import throttle_wait
from congress import usps
from petitions import selectors, services, sign_input
from petitions.models import Petition, Signature


# --- Signing --------------------------------------------------------------------------------------
class _SignatureInBase(serializers.Serializer):
    def to_internal_value(self, data):
        return signature_input(data)


def _signature_in_fields() -> dict:
    optional = {"required": False, "allow_blank": True, "default": ""}
    fields = {
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


def sign_response_body(petition: Petition, result: services.SignResult) -> dict:
    return {
        "id": result.public_id,
        "status": result.status,
        "signature_count": selectors.signature_counts(petition_id=petition.pk).public,
        "share_url": share_url(petition, result.ref_code),
    }


def sign(petition: Petition, data: dict, *, request, token_required: bool) -> services.SignResult:
    """Run a validated submission through the bot check and the service; used by API and pages."""
    if services.is_bot(honeypot=data["website"], token=data["form_token"], token_required=token_required):
        return services.bot_result(petition=petition)
    fields = {k: v for k, v in data.items() if k not in sign_input.FORM_ONLY}
    return services.signature_submit(
        petition=petition,
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
        idempotency_key=request.META.get("HTTP_IDEMPOTENCY_KEY", "")[:200],  # request.headers copies every header
        **fields,
    )


def _petition_or_404(slug: str) -> Petition:
    petition = Petition.objects.select_related("campaign").filter(slug=slug).first()
    if petition is None:
        raise NotFound("No petition with this slug.")
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
        try:
            petition = services.petition_create(campaign=campaign, **fields)
        except DjangoValidationError as exc:
            raise from_django(exc) from exc
        return Response(petition_body(petition), status=status.HTTP_201_CREATED)


class PetitionItemApi(APIView):
    """GET: one petition (public unless a draft). PATCH: update, open or close it (organizers)."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsOrganizer()]

    @extend_schema(responses=PetitionOut)
    def get(self, request, slug: str):
        petition = _petition_or_404(slug)
        if petition.status == Petition.Status.DRAFT and not roles.can_manage(request.user, petition.campaign):
            raise NotFound("No petition with this slug.")
        return Response(petition_body(petition))

    @extend_schema(request=PetitionUpdateIn, responses=PetitionOut)
    def patch(self, request, slug: str):
        petition = _petition_or_404(slug)
        self.check_object_permissions(request, petition)
        data = PetitionUpdateIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        try:
            petition = services.petition_update(petition=petition, **data.validated_data)
        except DjangoValidationError as exc:
            raise from_django(exc) from exc
        return Response(petition_body(petition))


# --- Signatures -----------------------------------------------------------------------------------
class SignatureListOut(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    confirmed_at = serializers.DateTimeField(allow_null=True)
    district_state = serializers.CharField()
    district = serializers.IntegerField(allow_null=True)
    district_congress = serializers.IntegerField(allow_null=True)
    district_accuracy = serializers.CharField()
    source_code = serializers.CharField()
    comment = serializers.CharField()
    public_display = serializers.BooleanField()


class SignatureListPersonalOut(SignatureListOut):
    email = serializers.CharField(source="contact.email")
    given_name = serializers.CharField(source="contact.given_name")
    family_name = serializers.CharField(source="contact.family_name")
    postal_code = serializers.CharField(source="contact.postal_code")


class SignaturePagination(CursorPagination):
    page_size = 100
    max_page_size = 1000
    page_size_query_param = "page_size"
    ordering = ("-created_at", "-id")


def _parse_when(value: str | None, field: str, *, end: bool = False) -> dt.datetime | None:
    """A date (whole day) or an ISO datetime; `end` makes a date mean the end of that day."""
    if not value:
        return None
    try:
        day = parse_date(value) if len(value) == 10 else None
    except ValueError:  # well formed but impossible, e.g. 2026-02-30
        raise ValidationError({field: ["Use a date (2026-11-21) or an ISO 8601 datetime."]}) from None
    if day is not None:
        parsed = dt.datetime.combine(day + dt.timedelta(days=1) if end else day, dt.time.min)
    else:
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
        if parsed is None:
            raise ValidationError({field: ["Use a date (2026-11-21) or an ISO 8601 datetime."]})
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def signature_filters(request) -> dict:
    q = request.query_params
    district = q.get("district")
    if district not in (None, "") and not (district.isascii() and district.isdigit()):
        raise ValidationError({"district": ["A district is a number (0 for at-large)."]})
    state = (q.get("state") or "").upper()
    if state and state not in usps.states():
        raise ValidationError({"state": ["Use a two-letter state abbreviation."]})
    status_ = q.get("status") or None
    if status_ and status_ not in Signature.Status.values:
        raise ValidationError({"status": [f"One of: {', '.join(Signature.Status.values)}."]})
    return {
        "since": _parse_when(q.get("since"), "since"),
        "until": _parse_when(q.get("until"), "until", end=True),
        "state": state or None,
        "district": int(district) if district not in (None, "") else None,
        "status": status_,
    }


_FILTER_PARAMS = [
    OpenApiParameter("since", str, description="Signed on or after this date or datetime"),
    OpenApiParameter("until", str, description="Signed before this datetime, or on or before this date"),
    OpenApiParameter("state", str),
    OpenApiParameter("district", int),
    OpenApiParameter("status", str, enum=Signature.Status.values),
]


def sign_post(request: HttpRequest, slug: str) -> HttpResponse:
    """POST /api/v1/petitions/{slug}/signatures/: sign (public, limited per IP and per email).

    A plain Django view, the hot path of a viral petition: DRF's request wrapping, negotiation and
    rendering were a third of a signer's CPU. It answers exactly as the API does, in the one error
    shape (campaign.errors.error_response). No authentication runs: signing needs no identity, and so
    no session CSRF applies to staff who sign through the embed (it holds no ambient authority).
    """
    try:
        data = _sign_body(request)
        wait = throttle_wait(request, ip_scope="sign_ip", field_scope="sign_email", data=data)
        if wait is not None:
            raise Throttled(wait=wait)
        petition = selectors.petition_for_signing(slug=slug)
        if petition is None:
            raise NotFound("No petition with this slug.")
        if petition.status != Petition.Status.OPEN:
            raise Conflict(f"This petition is {petition.status}; it does not take signatures.")
        try:
            result = sign(petition, signature_input(data), request=request, token_required=False)
        except services.IdempotencyKeyReused as exc:
            raise Conflict("This Idempotency-Key was used for a different request.") from exc
    except APIException as exc:
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


class SignatureCollectionApi(APIView):
    """POST: sign (public; the URL routes it straight to `sign_post`). GET: list signatures (organizers)."""

    def get_permissions(self):
        request = getattr(self, "request", None)
        return [AllowAny()] if request is not None and request.method == "POST" else [IsOrganizer()]

    def get_authenticators(self):
        request = getattr(self, "request", None)
        return [] if request is not None and request.method == "POST" else super().get_authenticators()

    @classmethod
    def as_view(cls, **initkwargs):
        drf_view = super().as_view(**initkwargs)

        def view(request, *args, **kwargs):
            if request.method == "POST":
                return sign_post(request, *args, **kwargs)
            return drf_view(request, *args, **kwargs)

        # What the schema generator and Django read off a DRF view (its class, CSRF exemption).
        view.cls, view.initkwargs, view.csrf_exempt = drf_view.cls, drf_view.initkwargs, True
        return view

    @extend_schema(
        request=SignatureIn,
        responses={201: SignatureOut, 200: SignatureOut},
        parameters=[OpenApiParameter("Idempotency-Key", str, location=OpenApiParameter.HEADER)],
    )
    def post(self, request, slug: str):
        # Reached only through DRF's own dispatch (the URL sends POST to sign_post); the same answer.
        return sign_post(request._request, slug)

    @extend_schema(parameters=_FILTER_PARAMS, responses=SignatureListOut(many=True))
    def get(self, request, slug: str):
        petition = _petition_or_404(slug)
        self.check_object_permissions(request, petition)
        qs = selectors.signature_list(petition=petition, **signature_filters(request))
        paginator = SignaturePagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        out = SignatureListPersonalOut if roles.can_see_personal_data(request.user) else SignatureListOut
        return paginator.get_paginated_response(out(page, many=True).data)


CSV_COLUMNS = [
    "id",
    "status",
    "created_at",
    "confirmed_at",
    "district_state",
    "district",
    "district_congress",
    "district_accuracy",
    "source_code",
    "comment",
    "public_display",
]
CSV_PERSONAL_COLUMNS = ["given_name", "family_name", "email", "postal_code"]


def signature_csv_rows(qs, *, personal: bool):
    yield CSV_COLUMNS + (CSV_PERSONAL_COLUMNS if personal else [])
    for s in qs.iterator(chunk_size=2000):
        row = [
            s.public_id,
            s.status,
            s.created_at.isoformat(),
            s.confirmed_at.isoformat() if s.confirmed_at else "",
            s.district_state,
            "" if s.district is None else s.district,
            s.district_congress or "",
            s.district_accuracy,
            s.source_code,
            s.comment,
            "yes" if s.public_display else "no",
        ]
        if personal:
            row += [s.contact.given_name, s.contact.family_name, s.contact.email, s.contact.postal_code]
        yield row


class SignatureCsvApi(APIView):
    """A streamed CSV of a petition's signatures, filtered like the list, formulas neutralized."""

    permission_classes = [IsOrganizer]

    @extend_schema(parameters=_FILTER_PARAMS, responses={(200, "text/csv"): str})
    def get(self, request, slug: str):
        petition = _petition_or_404(slug)
        self.check_object_permissions(request, petition)
        qs = selectors.signature_list(petition=petition, **signature_filters(request)).order_by("created_at", "id")
        rows = signature_csv_rows(qs, personal=roles.can_see_personal_data(request.user))
        return csv_response(rows, filename=f"{petition.slug}-signatures.csv")
