"""The metrics API: a campaign's counts from the rollups, for its viewers, organizers and admins."""

import datetime as dt

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from organizing.permissions import CampaignAccess
from organizing.selectors import campaign_or_404
from reporting.metrics import cached_metrics, period_for

# --- Metrics ----------------------------------------------------------------------------------------
MAX_HOURLY_DAYS = 31


class FlexibleDateTimeField(serializers.DateTimeField):
    """Accepts a full ISO 8601 datetime or a plain date (meaning its midnight, UTC)."""

    def to_internal_value(self, value):
        if isinstance(value, str) and len(value) == 10:
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                self.fail("invalid", format="YYYY-MM-DD or an ISO 8601 datetime")
            return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
        return super().to_internal_value(value)


class MetricsQuery(serializers.Serializer):
    since = FlexibleDateTimeField(required=False, default=None, allow_null=True)
    until = FlexibleDateTimeField(required=False, default=None, allow_null=True)
    interval = serializers.ChoiceField(choices=["hour", "day"], default="day")

    def validate(self, attrs):
        since, until = attrs.get("since"), attrs.get("until")
        if since and until and until <= since:
            raise ValidationError({"until": ["until must be after since."]})
        return attrs


class MetricsApi(APIView):
    """Campaign metrics from the rollups (stated lag: see `as_of`). Viewers, organizers and admins."""

    permission_classes = [CampaignAccess]

    @extend_schema(parameters=[MetricsQuery], responses={200: dict})
    def get(self, request, slug: str):
        campaign = campaign_or_404(slug)
        self.check_object_permissions(request, campaign)
        query = MetricsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        period = period_for(campaign=campaign, **query.validated_data)
        if period.interval == "hour" and period.until - period.since > dt.timedelta(days=MAX_HOURLY_DAYS):
            raise ValidationError({"interval": [f"Hourly series cover at most {MAX_HOURLY_DAYS} days; use day."]})
        return Response(cached_metrics(campaign=campaign, period=period))
