"""Petition API, the organizers' part: a petition's signatures, listed (filtered, paginated) and exported as
CSV. The signatures URL's POST is the public sign path, routed to petitions.api_sign.sign_post."""

from __future__ import annotations

import datetime as dt

from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from congress import usps
from infra.csvexport import csv_response
from organizing import roles
from organizing.permissions import IsOrganizer
from petitions import selectors
from petitions.api_sign import SignatureIn, SignatureOut, petition_or_404, sign_post
from petitions.models import Signature


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
    parsed: dt.datetime | None
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
        # Function attributes the stubs do not declare (on the plain function, and `initkwargs` on DRF's view).
        view.cls, view.initkwargs, view.csrf_exempt = drf_view.cls, drf_view.initkwargs, True  # type: ignore[attr-defined]
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
        petition = petition_or_404(slug)
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
        petition = petition_or_404(slug)
        self.check_object_permissions(request, petition)
        qs = selectors.signature_list(petition=petition, **signature_filters(request)).order_by("created_at", "id")
        rows = signature_csv_rows(qs, personal=roles.can_see_personal_data(request.user))
        return csv_response(rows, filename=f"{petition.slug}-signatures.csv")
