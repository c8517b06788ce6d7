import json
from functools import lru_cache

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from congress import geocoder, selectors
from infra.errors import ServiceUnavailable
from infra.throttles import ScopedIPThrottle


class RepresentativesQuery(serializers.Serializer):
    zip = serializers.RegexField(
        selectors.ZIP_RE, required=False, error_messages={"invalid": "Enter a 5-digit ZIP code (12345 or 12345-6789)."}
    )
    address = serializers.CharField(required=False, min_length=5, max_length=300, trim_whitespace=True)

    def validate(self, attrs):
        if not attrs.get("zip") and not attrs.get("address"):
            raise ValidationError({"zip": ["Give a zip, an address, or both."]})
        return attrs


class DistrictOfficeOut(serializers.Serializer):
    city = serializers.CharField()
    address = serializers.CharField()
    phone = serializers.CharField(allow_null=True)
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)


class LegislatorOut(serializers.Serializer):
    bioguide_id = serializers.CharField()
    name = serializers.CharField()
    chamber = serializers.ChoiceField(choices=["senate", "house"])
    title = serializers.ChoiceField(choices=["Senator", "Representative", "Delegate", "Resident Commissioner"])
    state = serializers.CharField()
    district = serializers.IntegerField(allow_null=True)
    party = serializers.CharField()
    phone = serializers.CharField(allow_null=True)
    office_address = serializers.CharField(allow_null=True)
    url = serializers.CharField(allow_null=True)
    contact_form = serializers.CharField(allow_null=True)
    district_offices = DistrictOfficeOut(many=True)


class RepresentativesOut(serializers.Serializer):
    query = inline_serializer(
        "RepresentativesQueryEcho",
        {"zip": serializers.CharField(allow_null=True), "address": serializers.CharField(allow_null=True)},
    )
    state = serializers.CharField(allow_null=True, help_text="null when the ZIP crosses a state line")
    district = serializers.IntegerField(allow_null=True, help_text="0 = at-large or single seat; null when uncertain")
    congress = serializers.IntegerField(help_text="The roster's Congress: the members listed serve in it")
    lines_congress = serializers.IntegerField(
        allow_null=True,
        help_text="The Congress whose district lines placed the answer: the ZIP crosswalk's for a ZIP answer,"
        " the geocoder layer's for an address answer. When it differs from `congress`, a ZIP names no House"
        " member (outside single-seat states and states declared unchanged).",
    )
    accuracy = serializers.ChoiceField(choices=["zip", "address"])
    needs_address = serializers.BooleanField()
    legislators = LegislatorOut(many=True)
    candidates = LegislatorOut(many=True)
    vacancies = inline_serializer(
        "Vacancy",
        {"chamber": serializers.CharField(), "state": serializers.CharField(), "district": serializers.IntegerField()},
        many=True,
    )


def _json(body: dict) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


@lru_cache(maxsize=8192)
def _zip_answer(version: int, zip_code: str) -> bytes:
    # Keyed by the data version, so a new load never serves an old answer; old entries age out.
    return _json(selectors.zip_lookup(zip_code).as_dict())


class JSONOnlyNegotiation(BaseContentNegotiation):
    """This endpoint only speaks JSON; skipping Accept parsing is a measurable share of a cached lookup."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class RepresentativesView(APIView):
    """Who represents me: senators and House member for a ZIP code and/or street address."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    content_negotiation_class = JSONOnlyNegotiation
    throttle_scope_ip = "lookup_address_ip"

    def get_throttles(self):
        # Only address lookups reach the geocoder; the ZIP hot path stays free of throttle bookkeeping.
        return [ScopedIPThrottle()] if "address" in self.request.query_params else []

    @extend_schema(
        parameters=[
            OpenApiParameter("zip", str, description="5-digit ZIP (or ZIP+4)"),
            OpenApiParameter("address", str, description="one-line street address"),
        ],
        responses={200: RepresentativesOut},
    )
    def get(self, request):
        params = request.query_params
        # The hot path (a well-formed ZIP alone) is checked by the serializer's own regex without building
        # the serializer: that is most of the cost of a cached answer.
        if params.keys() == {"zip"} and selectors.ZIP_RE.match(params["zip"]):
            zip_code, address = params["zip"], None
        else:
            query = RepresentativesQuery(data=params)
            query.is_valid(raise_exception=True)
            zip_code, address = query.validated_data.get("zip"), query.validated_data.get("address")
        try:
            if address:
                body = _json(selectors.representatives_lookup(zip=zip_code, address=address).as_dict())
            else:
                body = _zip_answer(selectors.current_snapshot().version, zip_code)
        except selectors.ZipNotFound as exc:
            raise NotFound(f"ZIP code {exc.args[0]} does not exist.") from exc
        except selectors.AddressNotFound as exc:
            raise ValidationError({"address": ["No match for this address. Check it, or add a ZIP code."]}) from exc
        except geocoder.GeocoderError as exc:
            raise ServiceUnavailable("Address lookup is unavailable right now; try again with a ZIP code.") from exc
        except selectors.NoCongressData as exc:
            raise ServiceUnavailable("Congress data has not been loaded yet.") from exc
        return HttpResponse(body, content_type="application/json")
